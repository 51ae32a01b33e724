"""The pipeline package's interface, `pipeline/__init__.py`.

`train` and `evaluate` call the stage functions in the notebook's order; `features` is the step
the served model applies to raw rows.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from scaffold.analysis.roles import SPLIT_FUNCTIONS
from scaffold.extract.formulas import FormulaFit
from scaffold.extract.functions import Signature, call_statement, function_def
from scaffold.extract.names import used_names
from scaffold.extract.plan import split_outputs
from scaffold.extract.rewrites.settings_refs import with_setting_values
from scaffold.extract.rewrites.statistics import learn_statistics
from scaffold.extract.rewrites.transformers import fit_transformers_once
from scaffold.extract.statements import Statement, Stmt

if TYPE_CHECKING:
    from scaffold.analysis import Analysis
    from scaffold.extract.stage_code import StageCode

INTERFACE_IMPORTS = {
    "FeatureState": "from ..learnt import FeatureState",
    "Model": "from ..model import Model",
    "FeedbackRefused": "from ..model import FeedbackRefused",
    "StepForecaster": "from ..model import StepForecaster",
    "TrainingRun": "from ..model import TrainingRun",
    "InputCheck": "from ..model import InputCheck",
    "Settings": "from ..settings import Settings",
    "pd": "import pandas as pd",
    "np": "import numpy as np",
    "accuracy_score": "from sklearn.metrics import accuracy_score",
    "r2_score": "from sklearn.metrics import r2_score",
    "results_metrics": "from ..table_metrics import results_metrics",
    "frame_metrics": "from ..table_metrics import frame_metrics",
}

FRAME_HELPERS = '''
def raw_frame(frame, state):
    """The raw columns in training's order; when serving, the outcome column comes back empty."""
    columns = state.statistic("raw_columns", lambda: list(frame.columns))
    return frame.reindex(columns=columns)
'''

FRAME_FEATURES = '''
def feature_step(frame, state):
    """Raw rows -> the model's inputs, with what training learnt (the service's feature step)."""
    return {inputs_call}
'''

ARRAY_HELPERS = '''
def feature_step(frame, state):
    """Rows arrive as the model's inputs; a model fitted on an array gets an array."""
    return frame.to_numpy() if state.statistic("array_input", lambda: False) else frame


def as_frame(rows):
    """The model's inputs as a table with column names (`x0`, `x1`, ... for an array)."""
    if isinstance(rows, pd.DataFrame):
        return rows
    table = np.asarray(rows)
    return pd.DataFrame(table.reshape(len(table), -1)).add_prefix("x")


def with_extra_rows(X, y, extra_rows):
    """`X`, `y` with the rows that came back from feedback appended."""
    extra_inputs = extra_rows.drop(columns=[TARGET])
    if isinstance(X, pd.DataFrame):
        X = pd.concat([X, extra_inputs[X.columns]], ignore_index=True)
    else:
        X = np.vstack([np.asarray(X), extra_inputs.to_numpy()])
    return X, JOIN_OUTCOMES
'''

OUTCOMES = {
    "records": '''
def as_outcomes(y, index):
    """The outcomes beside the inputs; an outcome of several columns is one record per row."""
    if isinstance(y, pd.DataFrame):
        return pd.Series(y.to_dict(orient="records"), index=index, name=TARGET)
    return pd.Series(np.asarray(y), index=index, name=TARGET)


def join_outcomes(y, outcomes):
    """`y` with the feedback outcomes appended; records go back into `y`'s columns."""
    if isinstance(y, pd.DataFrame):
        joined = pd.DataFrame(list(outcomes), columns=y.columns)
        return pd.concat([y, joined], ignore_index=True)
    return np.concatenate([np.asarray(y), outcomes.to_numpy()])
''',
    "plain": '''
def as_outcomes(y, index):
    """The outcomes as a column beside the inputs (a one-column table is that column)."""
    values = np.asarray(y)
    return pd.Series(values.ravel() if values.ndim == 2 else values, index=index, name=TARGET)
''',
    "survival": '''
def as_outcomes(y, index):
    """Survival outcomes (event indicator, time) as one record per row, as feedback sends them."""
    records = np.asarray(y)
    fields = records.dtype.names
    rows = [dict(zip(fields, row.tolist(), strict=True)) for row in records]
    return pd.Series(rows, index=index, name=TARGET)


def join_outcomes(y, outcomes):
    """`y` with the feedback records appended, as the structured array the model is fitted on."""
    y = np.asarray(y)
    rows = [tuple(record[name] for name in y.dtype.names) for record in outcomes]
    return np.concatenate([y, np.array(rows, dtype=y.dtype)])
''',
}
JOIN_OUTCOMES = {
    "records": "join_outcomes(y, extra_rows[TARGET])",
    "plain": (
        "np.concatenate([np.asarray(y).reshape(len(y), -1)[:, 0], extra_rows[TARGET].to_numpy()])"
    ),
    "survival": "join_outcomes(y, extra_rows[TARGET])",
}
"""How feedback outcomes join the notebook's `y`: survival outcomes are (event, time) records,
a statistical model's outcome may be several columns (successes, failures)."""


CHECK_INPUTS = cst.parse_statement("if check is not None:\n    check(raw_inputs, raw_target)\n")
"""The caller's look at the raw training rows, before anything is fitted."""


@dataclass
class Orchestrator:
    """What the pipeline package's `__init__` holds, and helpers for other modules."""

    docstring: str
    body: list[Stmt]
    module_additions: dict[str, list[Stmt]] = field(default_factory=dict)
    extra_imports: dict[str, str] = field(default_factory=lambda: dict(INTERFACE_IMPORTS))


def orchestrator_module(analysis: Analysis, code: StageCode) -> Orchestrator:
    """Build `pipeline/__init__.py` for the stages found."""
    target = code.formula.outcome if code.formula else analysis.target
    header = [
        cst.parse_statement(f'TASK = "{analysis.task}"'),
        cst.parse_statement(f"TARGET = {(target or 'target')!r}".replace("'", '"')),
        # False when a random step has no seed: evaluate() then only comes close to train()
        cst.parse_statement(f"REPRODUCIBLE = {not code.unseeded}"),
        cst.parse_statement('__all__ = ["REPRODUCIBLE", "TARGET", "TASK", "evaluate", "train"]'),
    ]
    stages = " -> ".join(function.stage for function in code.functions)
    docstring = f"The notebook's pipeline: {stages or 'no stage (every cell was exploration)'}."
    if not code.servable:
        run_header = [header[0], cst.parse_statement('__all__ = ["TASK", "run"]')]
        return Orchestrator(docstring, [*run_header, _run_only(code)])
    if analysis.task == "forecasting":
        return _forecast_pipeline(code, header, docstring)
    if code.formula is not None:
        return _formula_pipeline(code, code.formula, header, docstring)
    if code.frame is not None:
        return _frame_pipeline(code, header, docstring, analysis)
    return _array_pipeline(code, header, docstring, analysis.task)


def _calls(
    code: StageCode,
    stages: Sequence[str],
    *,
    then: Sequence[str] = (),
    arguments: Mapping[str, str] | None = None,
) -> list[Stmt]:
    """Calls of the stage functions; outputs nothing later uses (`then`) are bound to `_`.

    `arguments` passes another name for a parameter (`X_with_feedback` for `X`).
    """
    arguments = arguments or {}
    functions = [f for stage in stages if (f := code.function(stage)) is not None]
    statements: list[Stmt] = []
    for index, function in enumerate(functions):
        later = set(then) | {p for f in functions[index + 1 :] for p in f.signature.parameters}
        returns = tuple(
            name if name in later or not then else "_" for name in function.signature.returns
        )
        signature = Signature(function.signature.name, function.signature.parameters, returns)
        passed = [arguments.get(name, name) for name in function.signature.parameters]
        statements.append(call_statement(signature, passed))
    return statements


def _frame_pipeline(
    code: StageCode, header: list[Stmt], docstring: str, analysis: Analysis
) -> Orchestrator:
    frame = code.frame
    assert frame is not None
    assert code.estimator is not None
    split = code.function("split")
    assert split is not None
    inputs_statements, split_node = _model_inputs(code, split.node)
    inputs_nodes, learns = _learnt_in_inputs(inputs_statements, code)
    signature = split.signature
    if learns:  # the inputs fit a scaler or take a statistic: through the feature state
        passing = split_node.visit(_PassState())
        assert isinstance(passing, cst.FunctionDef)
        split_node = _with_parameter(passing, "state")
        if "state" not in signature.parameters:
            parameters = (*signature.parameters, "state")
            signature = Signature(signature.name, parameters, signature.returns)
    split_index = code.functions.index(split)
    code.functions[split_index] = type(split)(split.stage, split.module, signature, split_node)
    values = {setting.key: setting.value for setting in analysis.settings}
    model_inputs = function_def(
        Signature(
            "model_inputs", (frame, *(("state",) if learns else ())), (code.features or "X",)
        ),
        [with_setting_values(node, values) for node in inputs_nodes],
        docstring="The model's input columns, from the prepared frame.",
    )
    prepare_call = _serving_prepare_call(code) + (", state" if learns else "")
    additions = [
        cst.parse_module(FRAME_HELPERS).body[0],
        model_inputs,
        cst.parse_module(FRAME_FEATURES.format(inputs_call=_after_split(code, prepare_call))).body[
            0
        ],
    ]
    train_body: list[Stmt] = [
        *_feedback_guard(code),
        *_calls(code, ["load"]),
        *_join_feedback(code, f"{frame} = pd.concat([{frame}, extra_rows], ignore_index=True)"),
        cst.parse_statement(f"raw_inputs = {frame}.drop(columns=[TARGET])"),
        cst.parse_statement(f"raw_target = {frame}[TARGET]"),
        CHECK_INPUTS,
        cst.parse_statement("state = FeatureState()"),
        cst.parse_statement(f"{frame} = raw_frame({frame}, state)"),
        *_calls(code, ["prepare", "split", "train", "evaluate"]),
        _served_model(code),
        cst.parse_statement(
            f"return TrainingRun(served_model, {code.metrics_name}, raw_inputs, raw_target)"
        ),
    ]
    evaluate_body: list[Stmt] = [
        *_calls(code, ["load"]),
        cst.parse_statement("state = FeatureState()"),
        cst.parse_statement(f"{frame} = raw_frame({frame}, state)"),
        *_calls(code, ["prepare", "split", *_training_needed(code)], then=_evaluation_inputs(code)),
        *_return_call(code, "evaluate"),
    ]
    body = [*header, _train_def(train_body, code), _evaluate_def(evaluate_body)]
    return Orchestrator(docstring, body, {"features": additions})


def _learnt_in_inputs(statements: Sequence[Statement], code: StageCode) -> tuple[list[Stmt], bool]:
    """The statements making the model's inputs, with what they learn from data recorded."""
    taken = {"raw_columns"} | {
        key for function in code.functions for key in STATE_KEY.findall(_code(function.node))
    }
    nodes, learns = [], False
    for statement in statements:
        node = fit_transformers_once(statement.node, taken)
        node, _ = learn_statistics(node, code.module_names, taken)
        learns = learns or node is not statement.node
        nodes.append(node)
    return nodes, learns


STATE_KEY = re.compile(r"""state\.\w+\(\s*["']([^"']+)["']""")
"""The names recorded in the feature state by generated code (`state.statistic("age_mean", ...`)."""


class _PassState(cst.CSTTransformer):
    """`model_inputs(frame)` -> `model_inputs(frame, state)`."""

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        if isinstance(func, cst.Name) and func.value == "model_inputs":
            return updated_node.with_changes(args=[*updated_node.args, cst.Arg(cst.Name("state"))])
        return updated_node


def _with_parameter(function: cst.FunctionDef, name: str) -> cst.FunctionDef:
    """`function` with the parameter `name` last (unless it has it)."""
    params = function.params.params
    if any(param.name.value == name for param in params):
        return function
    parameters = function.params.with_changes(params=[*params, cst.Param(cst.Name(name))])
    return function.with_changes(params=parameters)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _after_split(code: StageCode, prepare_call: str) -> str:
    """`model_inputs(...)`, then each transformer the notebook fitted after the split."""
    call = f"model_inputs({prepare_call})"
    for transformer in code.after_split:
        call = f'state.apply("{transformer}", {call})'
    return call


SERVING_ARGUMENTS = {"state": "state", "settings": "None"}
"""What the feature step passes when serving: the learnt state; settings were recorded in it."""


def _serving_prepare_call(code: StageCode) -> str:
    """`prepare(raw_frame(frame, state), state, None)`, following prepare's parameters."""
    prepare = code.function("prepare")
    if prepare is None:
        return "raw_frame(frame, state)"
    arguments = [
        "raw_frame(frame, state)" if name == code.frame else SERVING_ARGUMENTS[name]
        for name in prepare.signature.parameters
    ]
    return f"{prepare.signature.name}({', '.join(arguments)})"


def _model_inputs(
    code: StageCode, split_node: cst.FunctionDef
) -> tuple[list[Statement], cst.FunctionDef]:
    """The split's statements that make the features, and the split calling `model_inputs`."""
    from scaffold.extract.statements import statement_of

    features = code.features or "X"
    body = [node for node in split_node.body.body if isinstance(node, Stmt)]
    statements = [statement_of(0, 0, node) for node in body]
    split_at = next(
        (
            i
            for i, s in enumerate(statements)
            if any(c.method in SPLIT_FUNCTIONS for c in s.symbols.calls)
        ),
        len(statements),
    )
    # Backward slice: the statements before the split that the features depend on.
    needed, chosen = {features}, set()
    for index in range(split_at - 1, -1, -1):
        symbols = statements[index].symbols
        if (symbols.defines | symbols.mutated_names) & needed:
            chosen.add(index)
            needed |= symbols.reads - {code.frame or ""}
    if not chosen:
        return [], split_node
    # A chosen statement that also makes something else the split needs (`X, y = ...`) stays.
    others = set().union(*(s.symbols.reads for i, s in enumerate(statements) if i not in chosen))
    keep = {
        i
        for i in chosen
        if (statements[i].symbols.defines | statements[i].symbols.mutated_names) - {features}
        & others
    }
    call = cst.parse_statement(f"{features} = model_inputs({code.frame})")
    removed = chosen - keep
    at = min(removed) if removed else split_at  # where the features were made
    kept: list[Stmt] = []
    for index, node in enumerate(body):
        if index == at:
            kept.append(call)
        if index not in removed:
            kept.append(node)
    new_split = split_node.with_changes(body=split_node.body.with_changes(body=kept))
    return [statements[index] for index in sorted(chosen)], new_split


def _array_pipeline(code: StageCode, header: list[Stmt], docstring: str, task: str) -> Orchestrator:
    assert code.estimator is not None
    names = split_outputs(code.statements("split"))
    fit: dict[str, str] = {}  # what the model is fitted on, when that differs from the notebook
    if names:
        x_train, y_train = names[0], names[2]
    else:  # fitted on every row: feedback joins the fit only, the evaluation keeps its rows
        assert code.fitted_on is not None
        assert code.fit_target is not None
        x_train, y_train = code.fitted_on, code.fit_target
        training = code.function("train")
        parameters = training.signature.parameters if training else ()
        if not code.retrain_problem and {x_train, y_train} <= set(parameters):
            fit = {name: f"{name}_with_feedback" for name in (x_train, y_train)}
    x_fit, y_fit = fit.get(x_train, x_train), fit.get(y_train, y_train)
    train_body: list[Stmt] = [
        *_feedback_guard(code),
        *_calls(code, ["load", "prepare", "split"]),
        *([cst.parse_statement(f"{x_fit}, {y_fit} = {x_train}, {y_train}")] if fit else []),
        *_join_feedback(
            code, f"{x_fit}, {y_fit} = with_extra_rows({x_train}, {y_train}, extra_rows)"
        ),
        cst.parse_statement(f"raw_inputs = as_frame({x_fit})"),
        cst.parse_statement(f"raw_target = as_outcomes({y_fit}, raw_inputs.index)"),
        CHECK_INPUTS,
        *_calls(code, ["train"], arguments=fit),
        *_calls(code, ["evaluate"]),
        *_no_evaluation(code),
        cst.parse_statement("state = FeatureState()"),
        cst.parse_statement(
            f'state.statistic("array_input", lambda: not isinstance({x_train}, pd.DataFrame))'
        ),
        _served_model(code),
        cst.parse_statement(
            f"return TrainingRun(served_model, {code.metrics_name}, raw_inputs, raw_target)"
        ),
    ]
    evaluate_body = _evaluate_body(code)
    outcomes = {"survival": "survival", "statistical": "records"}.get(task, "plain")
    helpers_code = ARRAY_HELPERS.replace("JOIN_OUTCOMES", JOIN_OUTCOMES[outcomes])
    helpers = list(cst.parse_module(helpers_code + OUTCOMES[outcomes]).body)
    body = [
        *header,
        _train_def(train_body, code),
        _evaluate_def(evaluate_body, _scored_on(code)),
        *helpers,
    ]
    return Orchestrator(docstring, body)


def _feedback_guard(code: StageCode) -> list[Stmt]:
    """Training refuses feedback rows when they cannot join the data faithfully."""
    if not code.retrain_problem:
        return []
    return [
        cst.parse_statement(
            "if extra_rows is not None and not extra_rows.empty:\n"
            f"    raise FeedbackRefused({code.retrain_problem!r})\n"
        )
    ]


def _join_feedback(code: StageCode, joining: str) -> list[Stmt]:
    """`if extra_rows is not None: <joining>`, unless feedback rows are refused."""
    if code.retrain_problem:
        return []
    return [cst.parse_statement(f"if extra_rows is not None:\n    {joining}\n")]


def _forecast_pipeline(code: StageCode, header: list[Stmt], docstring: str) -> Orchestrator:
    """A forecaster served by step: row `{"step": k}` is k periods after the training series.

    With held-out periods, training's rows are their steps 1, 2, ... and observed values. A
    forecaster fitted on the whole series has none: its rows are the in-sample steps (0 is the
    last observed period, -1 the one before), checked once the model has seen them.
    """
    assert code.estimator is not None
    forecaster = f"StepForecaster({code.estimator})"
    served = cst.parse_statement(
        f'served_model = Model({forecaster}, None, FeatureState().freeze(), ["step"])'
    )
    if code.forecast_split is not None:
        held_out = code.forecast_split[1]
        rows = [
            cst.parse_statement(
                f'raw_inputs = pd.DataFrame({{"step": np.arange(1, len({held_out}) + 1)}})'
            ),
            cst.parse_statement(f"raw_target = pd.Series(np.ravel({held_out}), name=TARGET)"),
            CHECK_INPUTS,
        ]
        fitting = [*rows, *_calls(code, ["train", "evaluate"]), served]
        periods = "the training series (the held-out periods are steps 1, 2, ...)"
    else:
        history = code.forecast_history
        rows = [
            cst.parse_statement(
                'raw_inputs = pd.DataFrame({"step": served_model.estimator.in_sample_steps()})'
            ),
            cst.parse_statement(
                f"raw_target = pd.Series(np.ravel({history})[-len(raw_inputs) :], name=TARGET)"
            ),
            CHECK_INPUTS,
        ]
        fitting = [*_calls(code, ["train"]), served, *rows, *_calls(code, ["evaluate"])]
        periods = "the series (0 is its last period, -1 the one before)"
    train_body: list[Stmt] = [
        *_feedback_guard(code),
        *_calls(code, ["load", "prepare", "split"]),
        *fitting,
        *_no_evaluation(code),
        cst.parse_statement(
            f"return TrainingRun(served_model, {code.metrics_name}, raw_inputs, raw_target)"
        ),
    ]
    evaluate_body = _evaluate_body(code, fitted="served_model.estimator.fitted")
    docstring += (
        '\n\nThe service forecasts by step: the row `{"step": k}` asks for the value k periods\n'
        f"after the end of {periods}."
    )
    scored = (
        "on the held-out periods" if code.forecast_split else "as the notebook did on its series"
    )
    body = [
        *header,
        _train_def(train_body, code),
        _evaluate_def(evaluate_body, scored),
    ]
    return Orchestrator(docstring, body)


def _formula_pipeline(
    code: StageCode, formula: FormulaFit, header: list[Stmt], docstring: str
) -> Orchestrator:
    """A formula model served on the columns its formula names; its results build the rows."""
    table = formula.data
    if code.table_shared():  # other steps read the table: feedback rows carry every column
        inputs = f"[column for column in {table}.columns if column != TARGET]"
        served = "the table's columns (the notebook's other steps read them too)"
    else:
        inputs = "[" + ", ".join(f'"{name}"' for name in formula.inputs) + "]"
        served = "the columns it names"
    train_body: list[Stmt] = [
        *_feedback_guard(code),
        *_calls(code, ["load", "prepare", "split"]),
        *_join_feedback(code, f"{table} = pd.concat([{table}, extra_rows], ignore_index=True)"),
        cst.parse_statement(f"raw_inputs = {table}[{inputs}]"),
        cst.parse_statement(f"raw_target = {table}[TARGET]"),
        CHECK_INPUTS,
        *_calls(code, ["train", "evaluate"]),
        *_no_evaluation(code),
        cst.parse_statement(
            f"served_model = Model({code.estimator}, None, FeatureState().freeze(), "
            "list(raw_inputs.columns))"
        ),
        cst.parse_statement(
            f"return TrainingRun(served_model, {code.metrics_name}, raw_inputs, raw_target)"
        ),
    ]
    evaluate_body = _evaluate_body(code)
    words = (
        f"The model is fitted through the formula {formula.formula!r}; the service takes "
        f"{served}, and the fitted results build the model's rows."
    )
    docstring += "\n\n" + textwrap.fill(words, width=96, break_long_words=False)
    body = [
        *header,
        _train_def(train_body, code),
        _evaluate_def(evaluate_body, _scored_on(code)),
    ]
    return Orchestrator(docstring, body)


def _no_evaluation(code: StageCode) -> list[Stmt]:
    """`metrics = {}` when the notebook evaluates nothing (a model fitted on every row)."""
    if code.function("evaluate") is not None:
        return []
    return [cst.parse_statement(f"{code.metrics_name}: dict[str, float] = {{}}")]


def _evaluate_body(code: StageCode, fitted: str = "served_model.estimator") -> list[Stmt]:
    """The stages the evaluation needs, then the evaluation of the trained model (`fitted`)."""
    if code.function("evaluate") is None:
        return [cst.parse_statement("return {}")]  # the notebook evaluates nothing
    inputs = _evaluation_inputs(code)
    stages = ["load", "prepare", "split", *_training_needed(code)] if inputs else []
    return [
        *_calls(code, stages, then=inputs),
        *_return_call(code, "evaluate", fitted=fitted),
    ]


def _training_needed(code: StageCode) -> list[str]:
    """["train"] when the evaluation reads what training makes besides the model itself."""
    evaluation, training = code.function("evaluate"), code.function("train")
    if evaluation is None or training is None:
        return []
    others = set(training.signature.returns) - {code.estimator}
    return ["train"] if others & set(evaluation.signature.parameters) else []


def _evaluation_inputs(code: StageCode) -> tuple[str, ...]:
    """What the evaluation reads from earlier stages (the trained model comes from elsewhere)."""
    function = code.function("evaluate")
    if function is None:
        return (code.metrics_name,)
    return tuple(name for name in function.signature.parameters if name != code.estimator)


def _return_call(code: StageCode, stage: str, fitted: str = "served_model.estimator") -> list[Stmt]:
    """`return evaluate_model(...)`, given the trained model's estimator (`fitted`)."""
    function = code.function(stage)
    if function is None:
        return [cst.parse_statement("return {}")]
    arguments = ", ".join(
        fitted if name == code.estimator else name for name in function.signature.parameters
    )
    return [cst.parse_statement(f"return {function.signature.name}({arguments})")]


def _served_model(code: StageCode) -> Stmt:
    """`served_model = Model(...)`: the estimator, the feature step and what it learnt."""
    return cst.parse_statement(
        f"served_model = Model({code.estimator}, feature_step, state.freeze(), "
        "list(raw_inputs.columns))"
    )


TRAIN_HEADER = """def train(
    settings: Settings,
    extra_rows: pd.DataFrame | None = None,
    check: InputCheck | None = None,
) -> TrainingRun:
    \"\"\"Run the notebook's pipeline; return the fitted model and its metrics.

    {feedback}
    `check` sees the raw inputs and outcomes before anything is fitted.
    \"\"\"
"""
EVALUATE_HEADER = """def evaluate(settings: Settings, served_model: Model) -> dict[str, float]:
    \"\"\"Score a trained model {what}, as the notebook did.\"\"\"
"""
JOINED = "`extra_rows` (raw inputs plus TARGET, from feedback) join the data before training;"


def _refused(problem: str) -> str:
    """The train docstring's line on feedback rows, when they are refused."""
    return f"`extra_rows` (from feedback) are refused: {problem.split(':', 1)[0]};"


HELD_OUT = "on the held-out rows"
RUN_HEADER = """def run(settings: Settings) -> dict[str, float]:
    \"\"\"Run the notebook's pipeline and return its metrics.\"\"\"
"""


def _function(header: str, body: Sequence[Stmt]) -> cst.FunctionDef:
    """The function whose signature and docstring `header` gives, with `body` after them."""
    node = cst.parse_module(header).body[0]
    assert isinstance(node, cst.FunctionDef)
    return node.with_changes(body=node.body.with_changes(body=[*node.body.body, *body]))


def _train_def(body: list[Stmt], code: StageCode) -> cst.FunctionDef:
    feedback = _refused(code.retrain_problem) if code.retrain_problem else JOINED
    return _function(TRAIN_HEADER.format(feedback=feedback), _unread_as_underscore(body))


def _unread_as_underscore(body: list[Stmt]) -> list[Stmt]:
    """`rng, X, y = load_data()` -> `_, X, y = load_data()` when nothing after reads `rng`."""
    kept: list[Stmt] = []
    for index, node in enumerate(body):
        if isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[0], cst.Assign):
            assign = node.body[0]
            target = assign.targets[0].target
            if len(assign.targets) == 1 and isinstance(target, cst.Tuple):
                later = used_names(body[index + 1 :])
                elements = [
                    element.with_changes(value=cst.Name("_"))
                    if isinstance(element.value, cst.Name) and element.value.value not in later
                    else element
                    for element in target.elements
                ]
                new_target = assign.targets[0].with_changes(
                    target=target.with_changes(elements=elements)
                )
                node = node.with_changes(body=[assign.with_changes(targets=[new_target])])
        kept.append(node)
    return kept


def _evaluate_def(body: list[Stmt], what: str = HELD_OUT) -> cst.FunctionDef:
    return _function(EVALUATE_HEADER.format(what=what), _unread_as_underscore(body))


def _scored_on(code: StageCode) -> str:
    """What the evaluation scores: held-out rows, or (no split) what the notebook scored."""
    return "on the rows the notebook scored (it holds none out)" if code.all_rows else HELD_OUT


def _run_only(code: StageCode) -> cst.FunctionDef:
    stages = ["load", "prepare", "split", "train", "evaluate"]
    body = [*_calls(code, stages, then=(code.metrics_name,))]
    body.append(
        cst.parse_statement(
            f"return {code.metrics_name}" if code.function("evaluate") else "return {}"
        )
    )
    return _function(RUN_HEADER, body)
