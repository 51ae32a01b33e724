"""Join the stages: the frame, features, target and estimator that pass between them.

Takes the statements routed to stages; settles which belong to the split and gives the joining
names, and the transformers fitted after the split, as a frozen `Joined`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

import libcst as cst

from scaffold.analysis import Analysis
from scaffold.analysis.roles import (
    SPLIT_FUNCTIONS,
)
from scaffold.analysis.symbols import subscript_column
from scaffold.extract.formulas import FormulaFit, formula_fit
from scaffold.extract.functions import (
    free_reads,
    produced,
)
from scaffold.extract.plan import (
    STAGES,
    fit_arguments,
    fitted_estimator,
    series_cut,
    series_split,
    split_call_names,
    split_outputs,
)
from scaffold.extract.rewrites.after_split import transformers_after_split
from scaffold.extract.routing import TRAIN_STAGE
from scaffold.extract.stage_code import (
    RESULTS_TASKS,
    Stages,
    editable_stages,
    fits_transformers_only,
    frozen_stages,
)
from scaffold.extract.statements import Statement


@dataclass(frozen=True)
class Joined:
    """The names that join the stages (see `StageCode`'s fields of the same names)."""

    features: str | None = None
    target: str | None = None
    series: tuple[str, str] | None = None
    estimator: str | None = None
    fitted_on: str | None = None
    fit_target: str | None = None
    formula: FormulaFit | None = None
    all_rows: bool = False
    frame: str | None = None
    feature_problem: str = ""
    after_split: tuple[str, ...] = ()
    model_rows: str | None = None

    def as_fields(self) -> dict[str, Any]:
        """Field name -> value, for `StageCode(...)`."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def join_names(
    analysis: Analysis,
    routed: Stages,
    module_names: Collection[str],
    estimators: Mapping[str, str],
) -> tuple[Stages, Joined]:
    """Find the frame, the features, the target and the estimator; settle the split stage.

    Gives the stages with the statements that turn the prepared frame into features and
    outcome moved from the prepare stage to the split, and the joining names.
    """
    stages = editable_stages(routed)
    features, target = split_call_names(stages["split"])
    before_training = [s for stage in STAGES[:TRAIN_STAGE] for s in stages[stage]]
    series = series_split(stages["split"]) or series_cut(before_training)
    estimator = fitted_estimator(
        [s for s in stages["train"] if not fits_transformers_only(s.symbols, estimators)],
        fit_returns_results=analysis.task in RESULTS_TASKS,
    )
    fitted_on = fit_target = None
    formula = None
    if estimator is not None:
        fitted_on, fit_target = fit_arguments(
            stages["split"] + stages["train"],
            estimator,
            endog_first=analysis.task in RESULTS_TASKS,
        )
        if fitted_on is None and analysis.task in RESULTS_TASKS:
            everything = [s for stage in STAGES for s in stages[stage]]
            formula = formula_fit(stages["split"] + stages["train"], estimator, everything)
    all_rows = not any(
        c.method in SPLIT_FUNCTIONS
        for stage in STAGES
        for s in stages[stage]
        for c in s.symbols.calls
    )
    joined = Joined(features, target, series, estimator, fitted_on, fit_target, formula, all_rows)
    if all_rows or formula is not None:
        return routed, joined  # the model's inputs are what it is fitted on: no feature step
    loaded = produced(stages["load"])
    prepare_reads = free_reads(stages["prepare"], module_names)
    frame = next((name for name in prepare_reads if name in loaded), None)
    if frame is None or analysis.target is None:
        return routed, joined
    # Statements after the last change of the frame (`X = df.drop(...)`, `y = df[...]`) belong
    # to the split: they are what turns the prepared frame into features and outcome.
    prepare = stages["prepare"]
    last = max(
        (i for i, s in enumerate(prepare) if frame in s.symbols.defines | s.symbols.mutated_names),
        default=-1,
    )
    stages["split"][:0] = prepare[last + 1 :]
    del prepare[last + 1 :]
    made = next((s for s in prepare if _makes_column(s, analysis.target)), None)
    problem = ""
    if made is not None:
        problem = (
            f"the outcome column {analysis.target!r} is made in cell {made.cell} from other "
            "columns, so a request would have to carry what it is made from"
        )
    return frozen_stages(stages), replace(joined, frame=frame, feature_problem=problem)


def carry_transformers_after_split(routed: Stages, joined: Joined) -> tuple[Stages, Joined]:
    """`X_train = scaler.fit_transform(X_train)` after the split joins the feature step.

    Gives the stages with those statements rewritten, and `joined` with the transformers, in
    order (`after_split`), and the rows the model is then fitted on (`model_rows`).
    """
    names = split_outputs(routed["split"])
    if joined.frame is None or joined.estimator is None or names is None:
        return routed, joined
    stages = editable_stages(routed)
    places = [
        (stage, i) for stage in ("split", "train", "evaluate") for i in range(len(stages[stage]))
    ]
    split_at = next(
        n
        for n, (stage, i) in enumerate(places)
        if any(c.method in SPLIT_FUNCTIONS for c in stages[stage][i].symbols.calls)
    )
    after = places[split_at + 1 :]
    found = transformers_after_split([stages[s][i] for s, i in after], names[0], names[1])
    if found is None or found.train_rows != joined.fitted_on:
        return routed, joined
    for position, node in found.nodes.items():
        stage, index = after[position]
        stages[stage][index] = stages[stage][index].replaced(node)
    return frozen_stages(stages), replace(
        joined, after_split=found.steps, model_rows=found.train_rows
    )


def _makes_column(statement: Statement, column: str) -> bool:
    """`df["y"] = <not from y>` or `.rename(columns={...: "y"})`: the statement creates `column`.

    `df["y"] = df["y"].map(...)` changes an existing column: that is not creating it.
    """
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            nonlocal found
            assigned = any(subscript_column(t.target) == column for t in node.targets)
            found = found or (assigned and f'"{column}"' not in _code(node.value).replace("'", '"'))

        def visit_DictElement(self, node: cst.DictElement) -> None:
            nonlocal found
            value = node.value
            found = found or (
                isinstance(value, cst.SimpleString) and value.evaluated_value == column
            )

    statement.node.visit(_Finder())
    return found


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def split_inputs_into_split(routed: Stages) -> Stages:
    """Move the making of the split's inputs (`y = df[t]`, `x = df.drop(...)`) to the split.

    A notebook that separates features and outcome while cleaning (then scales `x`, then splits
    in another cell) makes the model's inputs in the feature step's stage; from the first
    statement that binds the split's X or y on, those statements belong with the split, where
    the served model's `model_inputs` is taken from.
    """
    features, target = split_call_names(routed["split"])
    names = {name for name in (features, target) if name}
    prepare = routed["prepare"]
    if not names or not features:
        return routed
    first = next((i for i, s in enumerate(prepare) if s.symbols.defines & names), None)
    if first is None or not any(features in s.symbols.defines for s in prepare[first:]):
        return routed
    made = next(i for i, s in enumerate(prepare) if features in s.symbols.defines)
    if not any(features in s.symbols.reads for s in prepare[made + 1 :]):
        return routed  # made last while cleaning: the layout takes `X` from the feature step
    return frozen_stages(
        {**routed, "prepare": prepare[:first], "split": (*prepare[first:], *routed["split"])}
    )
