"""Whether the project gets a service, and why not: a pure function of the laid-out stages.

Takes the `StageCode` (the stages after every rewrite, the names joining them); gives a
`ServiceDecision`, and the facts the emitters need about the served model: why feedback rows
cannot join its training data, a forecaster's series, whether a formula model's table is shared.
`planned_problem` gives the part of the decision that the plan's joining names settle alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from scaffold.analysis.roles import SPLIT_FUNCTIONS
from scaffold.analysis.symbols import Call
from scaffold.analysis.task import FORECASTERS
from scaffold.cst_search import find_all
from scaffold.extract.formulas import FormulaFit
from scaffold.extract.plan import FITTED_BY_CALL, STAGES, split_outputs
from scaffold.extract.statements import Statement

if TYPE_CHECKING:
    from scaffold.extract.joining import Joined
    from scaffold.extract.stage_code import StageCode

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
SERVABLE_TASKS = frozenset(
    {"classification", "regression", "survival", "forecasting", "statistical"}
)
CROSS_VALIDATION = frozenset({"cross_val_score", "cross_validate", "cross_val_predict"})
COMPREHENSIONS = (cst.GeneratorExp, cst.ListComp, cst.SetComp, cst.DictComp)


@dataclass(frozen=True)
class ServiceDecision:
    """Whether the project serves its model, and why not ("" when it does)."""

    served: bool
    reason: str = ""


def service_decision(code: StageCode) -> ServiceDecision:
    """A model fitted so that it can score new rows gets a service; else the reason why not."""
    reason = no_service_reason(code)
    return ServiceDecision(not reason, reason)


def no_service_reason(code: StageCode) -> str:
    """Why there is no service, for the summary and the generated README ("" if there is)."""
    if code.estimator is None:
        return _why_no_model(code)
    several = [c.method for c in _calls_making(code, code.estimator) if c.method in PER_CLASS]
    if several:
        return (
            f"{several[0]} predicts a probability for each category, and the service "
            "answers one value per row"
        )
    if code.task == "forecasting":
        return _forecast_problem(code, code.estimator)
    if code.formula is not None:
        return _formula_problem(code, code.formula)
    if code.all_rows and not (code.fitted_on and code.fit_target):
        return (
            f"the model {code.estimator} is fitted on expressions, not on named inputs and "
            "outcome: bind them to names first (`X = ...`, `y = ...`) to serve it"
        )
    if code.features is None and not code.all_rows:
        return "the model is not fitted on a train/test split of rows"
    if code.all_rows and new_data_problem(code):
        return new_data_problem(code)
    if code.task not in SERVABLE_TASKS:
        return f"a {code.task} model is not served row by row; its pipeline runs as a batch job"
    if code.feature_problem:
        return code.feature_problem
    names = split_outputs(code.statements("split"))
    rebinding = _rebinding_after_split(code, names[0]) if names else None
    if names and rebinding is not None and not code.after_split:
        return (
            f"cell {rebinding} changes {names[0]} after the split (a transformer fitted on "
            "the training rows): served rows would miss that step; put it in a scikit-learn "
            "Pipeline with the model to serve it"
        )
    if names and code.fitted_on not in (None, code.model_rows or names[0]):
        made_in = next(
            (
                s.cell
                for stage in STAGES
                for s in code.statements(stage)
                if code.fitted_on in s.symbols.defines
            ),
            None,
        )
        where = f" in cell {made_in}" if made_in else ""
        return (
            f"the model is fitted on {code.fitted_on}, computed from {names[0]} after the "
            f"split{where}: served rows would miss that step; put it in a scikit-learn "
            "Pipeline with the model to serve it"
        )
    prepare = code.function("prepare")
    needs = set(prepare.signature.parameters) if prepare else set()
    extra = needs - {code.frame, "state", "settings"}
    if code.frame is not None and extra:
        return (
            f"the feature step also needs {', '.join(sorted(extra))} from the training data, "
            "which a request does not carry"
        )
    return ""


def planned_problem(joined: Joined, task: str) -> str:
    """Why the model is not served, when the names joining the stages show it ("" if not).

    The checks of `no_service_reason` that read no statement, so no rewrite changes their
    answer: no single model, a model fitted on expressions or not on a split of rows, a task
    not served row by row. A forecaster or a formula model is judged on its laid-out code.
    """
    if joined.estimator is None:
        return "no single model is fitted"
    if task == "forecasting" or joined.formula is not None:
        return ""
    if joined.all_rows and not (joined.fitted_on and joined.fit_target):
        return (
            f"the model {joined.estimator} is fitted on expressions, not on named inputs and "
            "outcome: bind them to names first (`X = ...`, `y = ...`) to serve it"
        )
    if joined.features is None and not joined.all_rows:
        return "the model is not fitted on a train/test split of rows"
    if task not in SERVABLE_TASKS:
        return f"a {task} model is not served row by row; its pipeline runs as a batch job"
    return ""


def _why_no_model(code: StageCode) -> str:
    """Where the fits are, when none of them is the one model to serve."""
    for stage in STAGES:
        for statement in code.statements(stage):
            if not any(call.method == "fit" for call in statement.symbols.calls):
                continue
            if isinstance(statement.node, cst.For | cst.While):
                return (
                    f"the models are fitted in a loop (cell {statement.cell}): a sweep, not "
                    "one model to serve"
                )
            if fits_in_comprehension(statement.node):
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
        for statement in code.statements(stage):
            validated = CROSS_VALIDATION & {c.method for c in statement.symbols.calls}
            if validated:
                return (
                    f"the notebook only cross-validates ({sorted(validated)[0]} in cell "
                    f"{statement.cell}), which fits copies and keeps none: fit the model on "
                    "the training rows to serve it"
                )
    return "the notebook fits no model"


def retrain_problem(code: StageCode) -> str:
    """Why feedback rows cannot join the training data ("" when they can)."""
    if code.task == "forecasting":
        return "a forecaster learns from the series itself: add new observations to the data"
    if code.estimator is None:
        return ""
    for statement in code.statements("train"):  # all of it runs on the extended rows
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


def _formula_problem(code: StageCode, formula: FormulaFit) -> str:
    """Why the formula model cannot be served on its table's columns ("" if it can)."""
    if not formula.outcome:
        return (
            f"the left-hand side of the formula {formula.formula!r} is an expression, not a "
            "column: a request's outcome could not be recorded; make the column first"
        )
    own = {name for helper in code.helpers for name in helper.symbols.defines}
    called = [name for name in formula.calls if name in own]
    if called:
        return (
            f"the formula calls {called[0]}, a function of the notebook: a saved model "
            "rebuilds its formula when loaded and would not find it; compute that column "
            "in the table before the fit"
        )
    return new_data_problem(code)


def new_data_problem(code: StageCode) -> str:
    """Where the notebook makes the served model's data anew after its first model ("").

    The inputs a request carries are the data as first made: a model fitted on data made
    again later (a tutorial's next example) is not the one they would reach.
    """
    if code.estimator is None:
        return ""
    if code.task == "forecasting":
        history = forecast_history(code)
        if history is None or forecast_split(code) is not None:
            return ""
        return _remade_for_training(code, {history.split(".")[0]}, after_fit=True)
    if code.formula is not None:
        return _remade_for_training(code, {code.formula.data.split(".")[0]})
    if code.all_rows and code.fitted_on and code.fit_target:
        roots = {name.split(".")[0] for name in (code.fitted_on, code.fit_target)}
        return _remade_for_training(code, roots)
    return ""


def _remade_for_training(code: StageCode, names: set[str], *, after_fit: bool = False) -> str:
    """Why a training statement that binds one of `names` anew stops the service ("").

    With `after_fit`, only statements after the first fit count: a forecaster's series
    made while setting the model up is its history, not new data.
    """
    fitted = not after_fit
    for statement in code.statements("train"):
        bound = (statement.symbols.defines | statement.symbols.mutated_names) & names
        fitted = fitted or any(fits_model(call) for call in statement.symbols.calls)
        if bound and fitted:
            return (
                f"cell {statement.cell} makes new data ({sorted(bound)[0]}) after the first "
                "model: the notebook fits models on different data, and the served inputs "
                "would not be the served model's"
            )
    return ""


def forecast_split(code: StageCode) -> tuple[str, str] | None:
    """(training part, held-out periods) when the forecaster is fitted on the first part."""
    if code.series is not None and forecast_history(code) == code.series[0]:
        return code.series
    return None


def forecast_history(code: StageCode) -> str | None:
    """The series the forecaster is fitted on: the training part of a split, or the whole."""
    if code.estimator is None:
        return None
    for call in _calls_making(code, code.estimator):
        series = next(iter(call.positional_dotted), None)
        if series is not None and (FORECASTERS.match(call.method) or call.method == "fit"):
            return series  # `ARIMA(y, ...)`, `auto_arima(y)`, `pm.ARIMA(...).fit(y)`
    return None


def _forecast_problem(code: StageCode, estimator: str) -> str:
    """Why the forecaster cannot be served by step after its series ("" if it can)."""
    history = forecast_history(code)
    if history is None:
        return (
            f"the forecaster {estimator} is not fitted on a named series (`model = "
            "ARIMA(y, ...)`), which the forecast steps count from"
        )
    calls = [c for c in _calls_making(code, estimator) if history in c.positional_dotted[:1]]
    if not calls:
        return f"the forecaster {estimator} is not fitted on the training series {history}"
    if any(len(c.positional_names) > 1 or {"exog", "X"} & set(c.keywords) for c in calls):
        return (
            f"the forecaster {estimator} uses other series as inputs (exogenous "
            "variables); a request would have to carry their future values"
        )
    return new_data_problem(code)


def _calls_making(code: StageCode, name: str) -> list[Call]:
    """The calls of the training statements that `name` is made from (`ARIMA(y)`, `.fit()`)."""
    return [call for s in _statements_making(code, name) for call in s.symbols.calls]


def _statements_making(code: StageCode, name: str) -> list[Statement]:
    """The split and training statements `name` is made from, last first."""
    needed, making = {name}, []
    for statement in reversed(code.statements("split") + code.statements("train")):
        symbols = statement.symbols
        if (symbols.defines | symbols.mutated_names) & needed:
            needed |= symbols.reads
            making.append(statement)
    return making


def table_shared(code: StageCode) -> bool:
    """The formula model's table is also read by code that does not make the model.

    Feedback rows then have to carry every column: the whole table is the served input.
    """
    if code.formula is None or code.estimator is None:
        return False
    root = code.formula.data.split(".")[0]
    making = _statements_making(code, code.estimator)
    return any(
        root in statement.symbols.reads and statement not in making
        for stage in ("train", "evaluate")
        for statement in code.statements(stage)
    )


def _rebinding_after_split(code: StageCode, train_rows: str) -> int | None:
    """The cell of the first statement after the split that rebinds the training rows."""
    after = False
    for stage in ("split", "train"):
        for statement in code.statements(stage):
            binds = statement.symbols.defines | statement.symbols.mutated_names
            if after and train_rows in binds:
                return statement.cell
            after = after or any(c.method in SPLIT_FUNCTIONS for c in statement.symbols.calls)
    return None


def fits_in_comprehension(node: cst.CSTNode) -> bool:
    """`[clf.fit(X, y) for clf in models]`: each model is the comprehension's own."""
    return any(find_all(found, cst.Call, _calls_fit) for found in find_all(node, COMPREHENSIONS))


def _calls_fit(call: cst.Call) -> bool:
    return isinstance(call.func, cst.Attribute) and call.func.attr.value == "fit"


def fits_model(call: Call) -> bool:
    """`m.fit(...)`, `auto_arima(y)`, or a forecaster made on its series (`ARIMA(y)`)."""
    method = call.method
    return method == "fit" or method in FITTED_BY_CALL or bool(FORECASTERS.match(method))
