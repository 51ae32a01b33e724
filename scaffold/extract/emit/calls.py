"""What every shape's `train`, `evaluate` and `run` are made of: calls of the stage functions.

Takes the `StageCode` (the stage functions and the names joining them); gives statements and
function definitions of `pipeline/__init__.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from scaffold.extract.functions import Signature, call_statement
from scaffold.extract.rewrites.unread_as_underscore import unread_as_underscore
from scaffold.extract.statements import Stmt

if TYPE_CHECKING:
    from scaffold.extract.stage_code import StageCode, StageFunction

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


CHECK_INPUTS = cst.parse_statement("if check is not None:\n    check(raw_inputs, raw_target)\n")
"""The caller's look at the raw training rows, before anything is fitted."""


@dataclass
class PipelineInterface:
    """What the pipeline package's `__init__` holds, and helpers for other modules."""

    docstring: str
    body: list[Stmt]
    module_additions: dict[str, list[Stmt]] = field(default_factory=dict)
    extra_imports: dict[str, str] = field(default_factory=lambda: dict(INTERFACE_IMPORTS))
    functions: list[StageFunction] | None = None
    """The stage functions as the interface calls them, when it changed one (None: as laid out)."""


def stage_calls(
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


def feedback_guard(code: StageCode) -> list[Stmt]:
    """Training refuses feedback rows when they cannot join the data faithfully."""
    if not code.retrain_problem:
        return []
    return [
        cst.parse_statement(
            "if extra_rows is not None and not extra_rows.empty:\n"
            f"    raise FeedbackRefused({code.retrain_problem!r})\n"
        )
    ]


def join_feedback(code: StageCode, joining: str) -> list[Stmt]:
    """`if extra_rows is not None: <joining>`, unless feedback rows are refused."""
    if code.retrain_problem:
        return []
    return [cst.parse_statement(f"if extra_rows is not None:\n    {joining}\n")]


def no_evaluation(code: StageCode) -> list[Stmt]:
    """`metrics = {}` when the notebook evaluates nothing (a model fitted on every row)."""
    if code.function("evaluate") is not None:
        return []
    return [cst.parse_statement(f"{code.metrics_name}: dict[str, float] = {{}}")]


def evaluation_body(code: StageCode, fitted: str = "served_model.estimator") -> list[Stmt]:
    """The stages the evaluation needs, then the evaluation of the trained model (`fitted`)."""
    if code.function("evaluate") is None:
        return [cst.parse_statement("return {}")]  # the notebook evaluates nothing
    inputs = evaluation_inputs(code)
    stages = ["load", "prepare", "split", *training_needed(code)] if inputs else []
    return [
        *stage_calls(code, stages, then=inputs),
        *return_call(code, "evaluate", fitted=fitted),
    ]


def training_needed(code: StageCode) -> list[str]:
    """["train"] when the evaluation reads what training makes besides the model itself."""
    evaluation, training = code.function("evaluate"), code.function("train")
    if evaluation is None or training is None:
        return []
    others = set(training.signature.returns) - {code.estimator}
    return ["train"] if others & set(evaluation.signature.parameters) else []


def evaluation_inputs(code: StageCode) -> tuple[str, ...]:
    """What the evaluation reads from earlier stages (the trained model comes from elsewhere)."""
    function = code.function("evaluate")
    if function is None:
        return (code.metrics_name,)
    return tuple(name for name in function.signature.parameters if name != code.estimator)


def return_call(code: StageCode, stage: str, fitted: str = "served_model.estimator") -> list[Stmt]:
    """`return evaluate_model(...)`, given the trained model's estimator (`fitted`)."""
    function = code.function(stage)
    if function is None:
        return [cst.parse_statement("return {}")]
    arguments = ", ".join(
        fitted if name == code.estimator else name for name in function.signature.parameters
    )
    return [cst.parse_statement(f"return {function.signature.name}({arguments})")]


def served_model_statement(code: StageCode) -> Stmt:
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


def refused_line(problem: str) -> str:
    """The train docstring's line on feedback rows, when they are refused."""
    return f"`extra_rows` (from feedback) are refused: {problem.split(':', 1)[0]};"


HELD_OUT = "on the held-out rows"


RUN_HEADER = """def run(settings: Settings) -> dict[str, float]:
    \"\"\"Run the notebook's pipeline and return its metrics.\"\"\"
"""


def function_from_header(header: str, body: Sequence[Stmt]) -> cst.FunctionDef:
    """The function whose signature and docstring `header` gives, with `body` after them."""
    node = cst.parse_module(header).body[0]
    assert isinstance(node, cst.FunctionDef)
    return node.with_changes(body=node.body.with_changes(body=[*node.body.body, *body]))


def train_def(body: list[Stmt], code: StageCode) -> cst.FunctionDef:
    """`def train(settings, extra_rows, check) -> TrainingRun` with `body`."""
    feedback = refused_line(code.retrain_problem) if code.retrain_problem else JOINED
    return function_from_header(TRAIN_HEADER.format(feedback=feedback), unread_as_underscore(body))


def evaluate_def(body: list[Stmt], what: str = HELD_OUT) -> cst.FunctionDef:
    """`def evaluate(settings, served_model) -> dict[str, float]` with `body`."""
    return function_from_header(EVALUATE_HEADER.format(what=what), unread_as_underscore(body))


def scored_on(code: StageCode) -> str:
    """What the evaluation scores: held-out rows, or (no split) what the notebook scored."""
    return "on the rows the notebook scored (it holds none out)" if code.all_rows else HELD_OUT


def run_only(code: StageCode) -> cst.FunctionDef:
    """`def run(settings) -> dict[str, float]` of a project without a service: every stage."""
    stages = ["load", "prepare", "split", "train", "evaluate"]
    body = [*stage_calls(code, stages, then=(code.metrics_name,))]
    body.append(
        cst.parse_statement(
            f"return {code.metrics_name}" if code.function("evaluate") else "return {}"
        )
    )
    return function_from_header(RUN_HEADER, body)
