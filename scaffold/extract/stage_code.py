"""What the stage layout found, and what follows from it: whether and why there is a service.

`StageCode` holds the generated stage functions with the names that join them (frame, features,
target, estimator); its properties say why a model cannot be served or retrained.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst

from scaffold.analysis import Finding
from scaffold.analysis.roles import SPLIT_FUNCTIONS, TRANSFORMER_NAME
from scaffold.analysis.symbols import Call, CellSymbols
from scaffold.analysis.task import FORECASTERS
from scaffold.cst_search import find_all
from scaffold.extract.formulas import FormulaFit
from scaffold.extract.functions import Signature
from scaffold.extract.plan import FITTED_BY_CALL, STAGES, split_outputs
from scaffold.extract.rewrites.metrics import MetricSpec
from scaffold.extract.statements import Statement
from scaffold.extract.table_metrics import TableSpec

ROW_KEYWORDS = frozenset(
    {
        "weights",
        "sample_weight",
        "freq_weights",
        "var_weights",
        "exposure",
        "offset",
        "groups",
        "sigma",
    }
)
"""Fit arguments that hold one value per training row (weights, offsets, groups)."""
WEIGHTED_BY_POSITION = {"WLS": "weights", "GLS": "sigma"}
"""statsmodels models whose third positional argument holds one value per row."""
PER_CLASS = frozenset({"MNLogit", "OrderedModel"})
"""statsmodels models whose `predict` gives a row of probabilities, one per category."""
RESULTS_TASKS = frozenset({"statistical", "forecasting"})
"""Tasks whose `fit()` returns a results object (statsmodels) rather than the model itself."""
SERVABLE_TASKS = frozenset(
    {"classification", "regression", "survival", "forecasting", "statistical"}
)

CROSS_VALIDATION = frozenset({"cross_val_score", "cross_validate", "cross_val_predict"})


@dataclass(frozen=True)
class StageFunction:
    """A generated function and the module it goes to."""

    stage: str
    module: str
    signature: Signature
    node: cst.FunctionDef


@dataclass
class StageCode:
    """Everything the assembly needs: functions, helpers, imports and the joining names."""

    functions: list[StageFunction]
    helpers: list[Statement]
    imports: list[Statement]
    metrics: list[MetricSpec]
    warnings: list[Finding]
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
    module_names: set[str] = field(default_factory=set)
    stage_statements: dict[str, list[Statement]] = field(default_factory=dict)
    configuration: list[Statement] = field(default_factory=list)  # run when the package loads
    helpers_left_out: dict[int, str] = field(default_factory=dict)  # cell -> why
    tables: list[TableSpec] = field(default_factory=list)  # shown tables the evaluation returns

    task: str = "unknown"

    @property
    def servable(self) -> bool:
        """A classifier or regressor fitted on a train/test split: it can score new rows."""
        return not self.no_service_reason

    @property
    def no_service_reason(self) -> str:
        """Why there is no service, for the summary and the generated README ("" if there is)."""
        if self.estimator is None:
            return self._why_no_model()
        several = [c.method for c in self._calls_making(self.estimator) if c.method in PER_CLASS]
        if several:
            return (
                f"{several[0]} predicts a probability for each category, and the service "
                "answers one value per row"
            )
        if self.task == "forecasting":
            return self._forecast_problem(self.estimator)
        if self.formula is not None:
            return self._formula_problem(self.formula)
        if self.all_rows and not (self.fitted_on and self.fit_target):
            return (
                f"the model {self.estimator} is fitted on expressions, not on named inputs and "
                "outcome: bind them to names first (`X = ...`, `y = ...`) to serve it"
            )
        if self.features is None and not self.all_rows:
            return "the model is not fitted on a train/test split of rows"
        if self.all_rows and self.new_data_problem:
            return self.new_data_problem
        if self.task not in SERVABLE_TASKS:
            return f"a {self.task} model is not served row by row; its pipeline runs as a batch job"
        if self.feature_problem:
            return self.feature_problem
        names = split_outputs(self.statements("split"))
        rebinding = self._rebinding_after_split(names[0]) if names else None
        if names and rebinding is not None and not self.after_split:
            return (
                f"cell {rebinding} changes {names[0]} after the split (a transformer fitted on "
                "the training rows): served rows would miss that step; put it in a scikit-learn "
                "Pipeline with the model to serve it"
            )
        if names and self.fitted_on not in (None, self.model_rows or names[0]):
            made_in = next(
                (
                    s.cell
                    for stage in STAGES
                    for s in self.statements(stage)
                    if self.fitted_on in s.symbols.defines
                ),
                None,
            )
            where = f" in cell {made_in}" if made_in else ""
            return (
                f"the model is fitted on {self.fitted_on}, computed from {names[0]} after the "
                f"split{where}: served rows would miss that step; put it in a scikit-learn "
                "Pipeline with the model to serve it"
            )
        prepare = self.function("prepare")
        needs = set(prepare.signature.parameters) if prepare else set()
        extra = needs - {self.frame, "state", "settings"}
        if self.frame is not None and extra:
            return (
                f"the feature step also needs {', '.join(sorted(extra))} from the training data, "
                "which a request does not carry"
            )
        return ""

    def _why_no_model(self) -> str:
        """Where the fits are, when none of them is the one model to serve."""
        for stage in STAGES:
            for statement in self.statements(stage):
                if not any(call.method == "fit" for call in statement.symbols.calls):
                    continue
                if isinstance(statement.node, cst.For | cst.While):
                    return (
                        f"the models are fitted in a loop (cell {statement.cell}): a sweep, not "
                        "one model to serve"
                    )
                if _fits_in_comprehension(statement.node):
                    return (
                        f"the models are fitted in a comprehension (cell {statement.cell}): a "
                        "sweep, not one model to serve"
                    )
                if stage == "evaluate":
                    return (
                        f"the model is fitted in cell {statement.cell}, after evaluation code "
                        "(such as cross-validation) began; fit it before evaluating to serve it"
                    )
        for stage in STAGES:
            for statement in self.statements(stage):
                validated = CROSS_VALIDATION & {c.method for c in statement.symbols.calls}
                if validated:
                    return (
                        f"the notebook only cross-validates ({sorted(validated)[0]} in cell "
                        f"{statement.cell}), which fits copies and keeps none: fit the model on "
                        "the training rows to serve it"
                    )
        return "the notebook fits no model"

    @property
    def retrain_problem(self) -> str:
        """Why feedback rows cannot join the training data ("" when they can)."""
        if self.task == "forecasting":
            return "a forecaster learns from the series itself: add new observations to the data"
        if self.estimator is None:
            return ""
        for statement in self.statements("train"):  # all of it runs on the extended rows
            for call in statement.symbols.calls:
                per_row = sorted(ROW_KEYWORDS.intersection(call.keywords))
                if call.method in WEIGHTED_BY_POSITION and len(call.positional_dotted) > 2:
                    per_row.append(WEIGHTED_BY_POSITION[call.method])
                if per_row:
                    return (
                        f"the training fits with {per_row[0]} given row by row (cell "
                        f"{statement.cell}), which feedback rows do not carry: retrain on "
                        "new data with `train`"
                    )
        return ""

    def _formula_problem(self, formula: FormulaFit) -> str:
        """Why the formula model cannot be served on its table's columns ("" if it can)."""
        if not formula.outcome:
            return (
                f"the left-hand side of the formula {formula.formula!r} is an expression, not a "
                "column: a request's outcome could not be recorded; make the column first"
            )
        own = {name for helper in self.helpers for name in helper.symbols.defines}
        called = [name for name in formula.calls if name in own]
        if called:
            return (
                f"the formula calls {called[0]}, a function of the notebook: a saved model "
                "rebuilds its formula when loaded and would not find it; compute that column "
                "in the table before the fit"
            )
        return self.new_data_problem

    @property
    def new_data_problem(self) -> str:
        """Where the notebook makes the served model's data anew after its first model ("").

        The inputs a request carries are the data as first made: a model fitted on data made
        again later (a tutorial's next example) is not the one they would reach.
        """
        if self.estimator is None:
            return ""
        if self.task == "forecasting":
            history = self.forecast_history
            if history is None or self.forecast_split is not None:
                return ""
            return self._remade_for_training({history.split(".")[0]}, after_fit=True)
        if self.formula is not None:
            return self._remade_for_training({self.formula.data.split(".")[0]})
        if self.all_rows and self.fitted_on and self.fit_target:
            roots = {name.split(".")[0] for name in (self.fitted_on, self.fit_target)}
            return self._remade_for_training(roots)
        return ""

    def _remade_for_training(self, names: set[str], *, after_fit: bool = False) -> str:
        """Why a training statement that binds one of `names` anew stops the service ("").

        With `after_fit`, only statements after the first fit count: a forecaster's series
        made while setting the model up is its history, not new data.
        """
        fitted = not after_fit
        for statement in self.statements("train"):
            bound = (statement.symbols.defines | statement.symbols.mutated_names) & names
            fitted = fitted or any(fits_model(call) for call in statement.symbols.calls)
            if bound and fitted:
                return (
                    f"cell {statement.cell} makes new data ({sorted(bound)[0]}) after the first "
                    "model: the notebook fits models on different data, and the served inputs "
                    "would not be the served model's"
                )
        return ""

    @property
    def forecast_split(self) -> tuple[str, str] | None:
        """(training part, held-out periods) when the forecaster is fitted on the first part."""
        if self.series is not None and self.forecast_history == self.series[0]:
            return self.series
        return None

    @property
    def forecast_history(self) -> str | None:
        """The series the forecaster is fitted on: the training part of a split, or the whole."""
        if self.estimator is None:
            return None
        for call in self._calls_making(self.estimator):
            series = next(iter(call.positional_dotted), None)
            if series is not None and (FORECASTERS.match(call.method) or call.method == "fit"):
                return series  # `ARIMA(y, ...)`, `auto_arima(y)`, `pm.ARIMA(...).fit(y)`
        return None

    def _forecast_problem(self, estimator: str) -> str:
        """Why the forecaster cannot be served by step after its series ("" if it can)."""
        history = self.forecast_history
        if history is None:
            return (
                f"the forecaster {estimator} is not fitted on a named series (`model = "
                "ARIMA(y, ...)`), which the forecast steps count from"
            )
        calls = [c for c in self._calls_making(estimator) if history in c.positional_dotted[:1]]
        if not calls:
            return f"the forecaster {estimator} is not fitted on the training series {history}"
        if any(len(c.positional_names) > 1 or {"exog", "X"} & set(c.keywords) for c in calls):
            return (
                f"the forecaster {estimator} uses other series as inputs (exogenous "
                "variables); a request would have to carry their future values"
            )
        return self.new_data_problem

    def _calls_making(self, name: str) -> list[Call]:
        """The calls of the training statements that `name` is made from (`ARIMA(y)`, `.fit()`)."""
        return [call for s in self._statements_making(name) for call in s.symbols.calls]

    def _statements_making(self, name: str) -> list[Statement]:
        """The split and training statements `name` is made from, last first."""
        needed, making = {name}, []
        for statement in reversed(self.statements("split") + self.statements("train")):
            symbols = statement.symbols
            if (symbols.defines | symbols.mutated_names) & needed:
                needed |= symbols.reads
                making.append(statement)
        return making

    def table_shared(self) -> bool:
        """The formula model's table is also read by code that does not make the model.

        Feedback rows then have to carry every column: the whole table is the served input.
        """
        if self.formula is None or self.estimator is None:
            return False
        root = self.formula.data.split(".")[0]
        making = self._statements_making(self.estimator)
        return any(
            root in statement.symbols.reads and statement not in making
            for stage in ("train", "evaluate")
            for statement in self.statements(stage)
        )

    def _rebinding_after_split(self, train_rows: str) -> int | None:
        """The cell of the first statement after the split that rebinds the training rows."""
        after = False
        for stage in ("split", "train"):
            for statement in self.statements(stage):
                binds = statement.symbols.defines | statement.symbols.mutated_names
                if after and train_rows in binds:
                    return statement.cell
                after = after or any(c.method in SPLIT_FUNCTIONS for c in statement.symbols.calls)
        return None

    @property
    def cells_with_code(self) -> set[int]:
        """The notebook cells some of whose code is in the generated pipeline."""
        statements = [*self.imports, *self.helpers, *self.configuration]
        statements += [s for stage in self.stage_statements.values() for s in stage]
        return {statement.cell for statement in statements}

    def statements(self, stage: str) -> list[Statement]:
        """The statements of `stage` after every rewrite."""
        return self.stage_statements.get(stage, [])

    def function(self, stage: str) -> StageFunction | None:
        """The function of `stage`, if the notebook has that stage."""
        return next((f for f in self.functions if f.stage == stage), None)


COMPREHENSIONS = (cst.GeneratorExp, cst.ListComp, cst.SetComp, cst.DictComp)


def _fits_in_comprehension(node: cst.CSTNode) -> bool:
    """`[clf.fit(X, y) for clf in models]`: each model is the comprehension's own."""
    return any(find_all(found, cst.Call, _calls_fit) for found in find_all(node, COMPREHENSIONS))


def _calls_fit(call: cst.Call) -> bool:
    return isinstance(call.func, cst.Attribute) and call.func.attr.value == "fit"


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


def fits_model(call: Call) -> bool:
    """`m.fit(...)`, `auto_arima(y)`, or a forecaster made on its series (`ARIMA(y)`)."""
    method = call.method
    return method == "fit" or method in FITTED_BY_CALL or bool(FORECASTERS.match(method))
