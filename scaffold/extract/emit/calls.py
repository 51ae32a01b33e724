"""What every shape's `train`, `evaluate` and `run` are made of: calls of the stage functions.

Takes the `StageCode` (the stage functions and the names joining them); gives the data the
interface fragments (`templates/fragments/pipeline/*_interface.py.jinja`, `run.py.jinja`) are
rendered with, and the statements of `pipeline/__init__.py` they become.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from scaffold.extract.emit.fragments import fragment
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

HELD_OUT = "on the held-out rows"
"""What `evaluate` scores, in its docstring, when the notebook held rows out."""

UNDERSCORED = ("train", "evaluate")
"""The interface functions whose outputs nothing later reads are bound to `_`."""


@dataclass(frozen=True)
class StageCall:
    """`returns = function(arguments)`: one call of a stage function, as a fragment writes it."""

    function: str
    arguments: tuple[str, ...]
    returns: tuple[str, ...] = ()


@dataclass
class PipelineInterface:
    """What the pipeline package's `__init__` holds, and helpers for other modules."""

    docstring: str
    body: list[Stmt]
    module_additions: dict[str, list[Stmt]] = field(default_factory=dict)
    extra_imports: dict[str, str] = field(default_factory=lambda: dict(INTERFACE_IMPORTS))
    functions: list[StageFunction] | None = None
    """The stage functions as the interface calls them, when it changed one (None: as laid out)."""


def interface_statements(name: str, **data: object) -> list[Stmt]:
    """Interface fragment `name` rendered with `data`, unread outputs bound to `_`.

    In `train` and `evaluate`, `rng, X, y = load_data()` becomes `_, X, y = load_data()` when
    nothing after reads `rng`.
    """
    return [_underscored(node) for node in fragment(name, **data)]


def _underscored(node: Stmt) -> Stmt:
    if not (isinstance(node, cst.FunctionDef) and node.name.value in UNDERSCORED):
        return node
    assert isinstance(node.body, cst.IndentedBlock)
    body = unread_as_underscore([n for n in node.body.body if isinstance(n, Stmt)])
    return node.with_changes(body=node.body.with_changes(body=body))


def header_data(code: StageCode, task: str, target: str | None) -> dict[str, object]:
    """The data of `interface_header.py.jinja`: TASK, and TARGET, REPRODUCIBLE when served.

    REPRODUCIBLE is False when a random step has no seed: evaluate() then only comes close.
    """
    return {
        "task": task,
        "served": code.servable,
        "target": target or "target",
        "reproducible": not code.unseeded,
    }


def shape_data(code: StageCode) -> dict[str, object]:
    """What every shape's fragment reads besides its own names."""
    return {
        "retrain_problem": code.retrain_problem or "",
        "estimator": code.estimator,
        "metrics": code.metrics_name,
        "evaluates": code.function("evaluate") is not None,
    }


def stage_calls(
    code: StageCode,
    stages: Sequence[str],
    *,
    then: Sequence[str] = (),
    arguments: Mapping[str, str] | None = None,
) -> list[StageCall]:
    """Calls of the stage functions; outputs nothing later uses (`then`) are bound to `_`.

    `arguments` passes another name for a parameter (`X_with_feedback` for `X`).
    """
    arguments = arguments or {}
    functions = [f for stage in stages if (f := code.function(stage)) is not None]
    calls: list[StageCall] = []
    for index, function in enumerate(functions):
        later = set(then) | {p for f in functions[index + 1 :] for p in f.signature.parameters}
        returns = tuple(
            name if name in later or not then else "_" for name in function.signature.returns
        )
        passed = tuple(arguments.get(name, name) for name in function.signature.parameters)
        calls.append(StageCall(function.signature.name, passed, returns))
    return calls


def evaluation_data(code: StageCode, fitted: str = "served_model.estimator") -> dict[str, object]:
    """The data of `_evaluation.jinja`: the stages the evaluation needs, then its call.

    The call passes the trained model's estimator (`fitted`); there is none when the notebook
    evaluates nothing.
    """
    if code.function("evaluate") is None:
        return {"evaluation_calls": [], "evaluation": None}
    inputs = evaluation_inputs(code)
    stages = ["load", "prepare", "split", *training_needed(code)] if inputs else []
    return {
        "evaluation_calls": stage_calls(code, stages, then=inputs),
        "evaluation": evaluation_call(code, fitted),
    }


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


def evaluation_call(code: StageCode, fitted: str = "served_model.estimator") -> StageCall | None:
    """`evaluate_model(...)` given the trained model's estimator (`fitted`), if it evaluates."""
    function = code.function("evaluate")
    if function is None:
        return None
    passed = tuple(
        fitted if name == code.estimator else name for name in function.signature.parameters
    )
    return StageCall(function.signature.name, passed)


def scored_on(code: StageCode) -> str:
    """What the evaluation scores: held-out rows, or (no split) what the notebook scored."""
    return "on the rows the notebook scored (it holds none out)" if code.all_rows else HELD_OUT


def run_only(code: StageCode, header: Mapping[str, object]) -> list[Stmt]:
    """`TASK` and `def run(settings) -> dict[str, float]` of a project without a service."""
    stages = ["load", "prepare", "split", "train", "evaluate"]
    return fragment(
        "run",
        **header,
        calls=stage_calls(code, stages, then=(code.metrics_name,)),
        metrics=code.metrics_name,
        evaluates=code.function("evaluate") is not None,
    )
