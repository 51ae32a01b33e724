"""What the stage layout gives the emitters: the stage functions and the names that join them.

`StageCode` is frozen: the stage functions with the names that join them (frame, features,
target, estimator), the rewritten statements per stage, the helpers and imports kept. Whether and
why there is a service is `scaffold.extract.service`'s pure function of it, which its properties
return. `Stages` is the frozen form in which statements per stage pass between the steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import libcst as cst

from scaffold.analysis import Finding
from scaffold.analysis.roles import TRANSFORMER_NAME
from scaffold.analysis.symbols import CellSymbols
from scaffold.extract import service
from scaffold.extract.formulas import FormulaFit
from scaffold.extract.functions import Signature
from scaffold.extract.rewrites.metrics import MetricSpec
from scaffold.extract.statements import Statement
from scaffold.extract.table_metrics import TableSpec

RESULTS_TASKS = frozenset({"statistical", "forecasting"})
"""Tasks whose `fit()` returns a results object (statsmodels) rather than the model itself."""


@dataclass(frozen=True)
class StageFunction:
    """A generated function and the module it goes to."""

    stage: str
    module: str
    signature: Signature
    node: cst.FunctionDef


Stages = Mapping[str, tuple[Statement, ...]]
"""Stage name -> its statements, in order; read-only (see `frozen_stages`)."""


def frozen_stages(stages: Mapping[str, Sequence[Statement]]) -> Stages:
    """A read-only copy of `stages`, each stage's statements a tuple."""
    return MappingProxyType({name: tuple(statements) for name, statements in stages.items()})


def editable_stages(stages: Stages) -> dict[str, list[Statement]]:
    """A fresh, editable copy of `stages`, for a step to build its result in."""
    return {name: list(statements) for name, statements in stages.items()}


NO_STAGES: Stages = MappingProxyType({})


@dataclass(frozen=True)
class StageCode:
    """Everything the assembly needs: functions, helpers, imports and the joining names.

    The joining names (`frame`, `features`, `target`, `estimator`, `fitted_on`, ...) are those
    of `joining.Joined`; `stage_statements` are the statements of each stage after every
    rewrite, `helpers_left_out` maps a cell to why its helper is not in the project, `tables`
    are the shown tables the evaluation returns, `configuration` runs when the package loads.
    """

    functions: tuple[StageFunction, ...]
    helpers: tuple[Statement, ...]
    imports: tuple[Statement, ...]
    metrics: tuple[MetricSpec, ...]
    warnings: tuple[Finding, ...]
    frame: str | None = None
    features: str | None = None
    target: str | None = None
    estimator: str | None = None
    unseeded: bool = False
    metrics_name: str = "metrics"
    fitted_on: str | None = None
    fit_target: str | None = None
    all_rows: bool = False  # no train/test split: the model is fitted on every row
    feature_problem: str = ""
    after_split: tuple[str, ...] = ()  # transformers fitted on the training rows, in order
    model_rows: str | None = None  # the rows the model is fitted on, when transformed
    series: tuple[str, str] | None = None  # a forecaster's (history, held-out) split
    formula: FormulaFit | None = None  # how a formula model is fitted
    module_names: frozenset[str] = frozenset()
    stage_statements: Stages = field(default_factory=lambda: NO_STAGES)
    configuration: tuple[Statement, ...] = ()  # run when the package loads
    helpers_left_out: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    tables: tuple[TableSpec, ...] = ()  # shown tables the evaluation returns

    task: str = "unknown"

    @property
    def servable(self) -> bool:
        """A model fitted so that it can score new rows: the project gets a service."""
        return service.service_decision(self).served

    @property
    def no_service_reason(self) -> str:
        """Why there is no service, for the summary and the generated README ("" if there is)."""
        return service.service_decision(self).reason

    @property
    def retrain_problem(self) -> str:
        """Why feedback rows cannot join the training data ("" when they can)."""
        return service.retrain_problem(self)

    @property
    def new_data_problem(self) -> str:
        """Where the notebook makes the served model's data anew after its first model ("")."""
        return service.new_data_problem(self)

    @property
    def forecast_split(self) -> tuple[str, str] | None:
        """(training part, held-out periods) when the forecaster is fitted on the first part."""
        return service.forecast_split(self)

    @property
    def forecast_history(self) -> str | None:
        """The series the forecaster is fitted on: the training part of a split, or the whole."""
        return service.forecast_history(self)

    def table_shared(self) -> bool:
        """The formula model's table is also read by code that does not make the model."""
        return service.table_shared(self)

    @property
    def cells_with_code(self) -> set[int]:
        """The notebook cells some of whose code is in the generated pipeline."""
        statements = [*self.imports, *self.helpers, *self.configuration]
        statements += [s for stage in self.stage_statements.values() for s in stage]
        return {statement.cell for statement in statements}

    def statements(self, stage: str) -> tuple[Statement, ...]:
        """The statements of `stage` after every rewrite."""
        return self.stage_statements.get(stage, ())

    def function(self, stage: str) -> StageFunction | None:
        """The function of `stage`, if the notebook has that stage."""
        return next((f for f in self.functions if f.stage == stage), None)


def fits_transformers_only(symbols: CellSymbols, estimators: Mapping[str, str]) -> bool:
    """Every fit here is a transformer's (`sfs = SequentialFeatureSelector(m).fit(X, y)`).

    A fitted selector or scaler has no `predict`: it is a step, not the model to serve.
    """
    receivers = {call.dotted.rsplit(".", 1)[0] for call in symbols.calls if call.method == "fit"}
    fitted = {name for name, _ in symbols.constructed} | {
        name
        for name in receivers
        if name.isidentifier()  # not `Selector(...).fit`
    }
    classes = [estimators.get(name) for name in fitted]
    return bool(classes) and all(c is not None and TRANSFORMER_NAME.search(c) for c in classes)
