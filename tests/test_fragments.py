"""The generated code that is not the notebook's own comes from the template's fragments."""

from __future__ import annotations

from typing import Any

import jinja2
import libcst as cst
import pytest

from scaffold.extract.emit.calls import StageCall, interface_statements
from scaffold.extract.emit.fragments import fragment, fragment_source
from scaffold.render import template_dir


def defined(statements: list[cst.SimpleStatementLine | cst.BaseCompoundStatement]) -> list[str]:
    return [node.name.value for node in statements if isinstance(node, cst.FunctionDef)]


def function(statements: list[Any], name: str) -> str:
    """The source of the function `name` among `statements`."""
    (node,) = [s for s in statements if isinstance(s, cst.FunctionDef) and s.name.value == name]
    return cst.Module(body=[node]).code


def body_lines(source: str) -> list[str]:
    """A function's statements after its docstring, as written, one string each."""
    tree = cst.parse_module(source).body[0]
    assert isinstance(tree, cst.FunctionDef)
    return [cst.Module(body=[node]).code.strip() for node in tree.body.body[1:]]


def test_the_fragments_ship_with_the_template() -> None:
    fragments = template_dir() / "fragments" / "pipeline"
    assert sorted(p.name for p in fragments.glob("*.jinja")) == [
        "_check_inputs.jinja",
        "_evaluation.jinja",
        "_feedback_guard.jinja",
        "_interface.jinja",
        "_no_evaluation.jinja",
        "array_helpers.py.jinja",
        "array_interface.py.jinja",
        "forecast_interface.py.jinja",
        "formula_interface.py.jinja",
        "frame_helpers.py.jinja",
        "frame_interface.py.jinja",
        "interface_header.py.jinja",
        "run.py.jinja",
    ]


def feature_step(**data: Any) -> str:
    """The return line of the frame helpers' `feature_step`, rendered with `data`."""
    statements = fragment("frame_helpers", **data)
    assert defined(statements) == ["raw_frame", "feature_step"]
    return body_lines(function(statements, "feature_step"))[-1]


@pytest.mark.parametrize(
    ("data", "returned"),
    [
        pytest.param(
            {"prepare": "", "prepare_arguments": [], "learns": False, "after_split": []},
            "return model_inputs(raw_frame(frame, state))",
            id="no-prepare",
        ),
        pytest.param(
            {
                "prepare": "prepare",
                "prepare_arguments": ["frame", "state", "settings"],
                "learns": True,
                "after_split": [],
            },
            "return model_inputs(prepare(raw_frame(frame, state), state, None), state)",
            id="prepare-served-with-the-state-settings-recorded",
        ),
        pytest.param(
            {
                "prepare": "prepare",
                "prepare_arguments": ["frame"],
                "learns": False,
                "after_split": ["scaler", "pca"],
            },
            'return state.apply("pca", state.apply("scaler", '
            "model_inputs(prepare(raw_frame(frame, state)))))",
            id="transformers-after-the-split-in-order",
        ),
    ],
)
def test_frame_helpers_replay_prepare_and_the_model_inputs(
    data: dict[str, Any], returned: str
) -> None:
    assert feature_step(**data) == returned


def test_frame_helpers_refuse_a_prepare_argument_they_cannot_serve() -> None:
    with pytest.raises(jinja2.UndefinedError):
        fragment_source(
            "frame_helpers",
            prepare="prepare",
            prepare_arguments=["frame", "other_table"],
            learns=False,
            after_split=[],
        )


@pytest.mark.parametrize(
    ("outcomes", "functions", "joined_by"),
    [
        ("plain", ["as_outcomes"], "np.concatenate([np.asarray(y).reshape"),
        ("records", ["as_outcomes", "join_outcomes"], "join_outcomes(y, extra_rows[TARGET])"),
        ("survival", ["as_outcomes", "join_outcomes"], "join_outcomes(y, extra_rows[TARGET])"),
    ],
)
def test_array_helpers_per_kind_of_outcome(
    outcomes: str, functions: list[str], joined_by: str
) -> None:
    source = fragment_source("array_helpers", outcomes=outcomes)
    assert defined(fragment("array_helpers", outcomes=outcomes)) == [
        "feature_step",
        "as_frame",
        "with_extra_rows",
        *functions,
    ]
    assert f"return X, {joined_by}" in source


def test_a_missing_value_fails_loudly() -> None:
    with pytest.raises(jinja2.UndefinedError):
        fragment_source("frame_helpers")


# ------------------------------------------------------------------ the interface fragments

LOAD = StageCall("load_data", ("settings",), ("rng", "df"))
SPLIT = StageCall("split_data", ("df", "settings"), ("X_train", "X_test", "y_train", "y_test"))
TRAIN = StageCall("train_model", ("X_train", "y_train"), ("model",))
EVALUATE = StageCall("evaluate_model", ("model", "X_test", "y_test"), ("metrics",))
SCORED = StageCall("evaluate_model", ("served_model.estimator", "X_test", "y_test"))
HEADER: dict[str, Any] = {
    "task": "classification",
    "served": True,
    "target": "churn",
    "reproducible": True,
}
SHAPE: dict[str, Any] = {
    "retrain_problem": "",
    "estimator": "model",
    "metrics": "metrics",
    "evaluates": True,
}


def frame_statements(**changes: Any) -> list[Any]:
    data = {
        **HEADER,
        **SHAPE,
        "frame": "df",
        "load": [LOAD],
        "fitting": [SPLIT, TRAIN, EVALUATE],
        "evaluation_calls": [
            StageCall("split_data", ("df", "settings"), ("_", "X_test", "_", "y_test"))
        ],
        "evaluation": SCORED,
        "scored": "on the held-out rows",
        **changes,
    }
    return interface_statements("frame_interface", **data)


def test_frame_interface_trains_on_the_raw_frame_with_feedback_joined() -> None:
    statements = frame_statements()
    assert body_lines(function(statements, "train")) == [
        "_, df = load_data(settings)",  # rng is read by nothing after: bound to _
        "if extra_rows is not None:\n    df = pd.concat([df, extra_rows], ignore_index=True)",
        "raw_inputs = df.drop(columns=[TARGET])",
        "raw_target = df[TARGET]",
        "if check is not None:\n    check(raw_inputs, raw_target)",
        "state = FeatureState()",
        "df = raw_frame(df, state)",
        "X_train, X_test, y_train, y_test = split_data(df, settings)",
        "model = train_model(X_train, y_train)",
        "metrics = evaluate_model(model, X_test, y_test)",
        "served_model = Model(model, feature_step, state.freeze(), list(raw_inputs.columns))",
        "return TrainingRun(served_model, metrics, raw_inputs, raw_target)",
    ]
    assert body_lines(function(statements, "evaluate"))[-2:] == [
        "_, X_test, _, y_test = split_data(df, settings)",
        "return evaluate_model(served_model.estimator, X_test, y_test)",
    ]
    header = [cst.Module(body=[s]).code.strip() for s in statements[:4]]
    assert header == [
        'TASK = "classification"',
        'TARGET = "churn"',
        "REPRODUCIBLE = True",
        '__all__ = ["REPRODUCIBLE", "TARGET", "TASK", "evaluate", "train"]',
    ]


def test_refused_feedback_raises_and_says_why_in_the_docstring() -> None:
    problem = "a forecaster learns from its series: feedback rows have no place in it"
    source = function(frame_statements(retrain_problem=problem), "train")
    lines = body_lines(source)
    assert lines[0] == (
        "if extra_rows is not None and not extra_rows.empty:\n"
        f"    raise FeedbackRefused({problem!r})"
    )
    assert not any(line.startswith("if extra_rows is not None:") for line in lines)
    assert "are refused: a forecaster learns from its series;" in source


def test_a_target_with_quotes_stays_one_string() -> None:
    target = 'it\'s "the" outcome'
    statements = frame_statements(target=target)
    namespace: dict[str, Any] = {}
    exec(cst.Module(body=statements[1:2]).code, namespace)
    assert namespace["TARGET"] == target


def shared_data(**changes: Any) -> dict[str, Any]:
    return {
        **HEADER,
        **SHAPE,
        "prepared": [LOAD, SPLIT],
        "evaluation_calls": [],
        "evaluation": SCORED,
        "scored": "on the held-out rows",
        **changes,
    }


@pytest.mark.parametrize(
    ("renamed", "fit_lines"),
    [
        pytest.param(
            False,
            [
                "if extra_rows is not None:\n"
                "    X_train, y_train = with_extra_rows(X_train, y_train, extra_rows)"
            ],
            id="split",
        ),
        pytest.param(
            True,
            [
                "X_fit, y_fit = X_train, y_train",
                "if extra_rows is not None:\n"
                "    X_fit, y_fit = with_extra_rows(X_train, y_train, extra_rows)",
            ],
            id="fitted-on-every-row",
        ),
    ],
)
def test_array_interface_joins_feedback_to_what_is_fitted(
    renamed: bool, fit_lines: list[str]
) -> None:
    fit = ("X_fit", "y_fit") if renamed else ("X_train", "y_train")
    statements = interface_statements(
        "array_interface",
        **shared_data(
            fitting=[TRAIN],
            evaluates=False,
            x_train="X_train",
            y_train="y_train",
            x_fit=fit[0],
            y_fit=fit[1],
        ),
    )
    lines = body_lines(function(statements, "train"))
    assert lines[2 : 2 + len(fit_lines)] == fit_lines
    assert f"raw_inputs = as_frame({fit[0]})" in lines
    assert "metrics: dict[str, float] = {}" in lines  # the notebook evaluates nothing
    assert body_lines(function(statements, "evaluate")) == [
        "return evaluate_model(served_model.estimator, X_test, y_test)"
    ]


@pytest.mark.parametrize(
    ("held_out", "order"),
    [
        pytest.param("test", ["raw_inputs", "check", "train_model", "served_model"], id="held-out"),
        pytest.param(None, ["train_model", "served_model", "raw_inputs", "check"], id="in-sample"),
    ],
)
def test_forecast_interface_serves_steps(held_out: str | None, order: list[str]) -> None:
    statements = interface_statements(
        "forecast_interface",
        **shared_data(
            training=[StageCall("train_model", ("train",), ("model",))],
            evaluating=[],
            evaluates=False,
            held_out=held_out,
            history="series",
        ),
    )
    lines = body_lines(function(statements, "train"))
    found = [next(i for i, line in enumerate(lines) if word in line) for word in order]
    assert found == sorted(found)
    assert (
        'served_model = Model(StepForecaster(model), None, FeatureState().freeze(), ["step"])'
        in lines
    )
    inputs = next(line for line in lines if line.startswith("raw_inputs"))
    expected = "np.arange(1, len(test) + 1)" if held_out else "in_sample_steps()"
    assert expected in inputs


@pytest.mark.parametrize(
    ("shared", "inputs"),
    [
        pytest.param(False, 'raw_inputs = df[["age", "income"]]', id="named-columns"),
        pytest.param(
            True,
            "raw_inputs = df[[column for column in df.columns if column != TARGET]]",
            id="shared",
        ),
    ],
)
def test_formula_interface_serves_the_formula_columns(shared: bool, inputs: str) -> None:
    statements = interface_statements(
        "formula_interface",
        **shared_data(fitting=[TRAIN], table="df", shared=shared, inputs=["age", "income"]),
    )
    lines = body_lines(function(statements, "train"))
    assert inputs in lines
    assert (
        "served_model = Model(model, None, FeatureState().freeze(), list(raw_inputs.columns))"
        in lines
    )


def test_run_without_a_service_calls_every_stage() -> None:
    statements = fragment(
        "run",
        **{**HEADER, "served": False},
        calls=[LOAD, SPLIT, TRAIN, EVALUATE],
        metrics="metrics",
        evaluates=True,
    )
    assert cst.Module(body=statements[1:2]).code.strip() == '__all__ = ["TASK", "run"]'
    assert body_lines(function(statements, "run")) == [
        "rng, df = load_data(settings)",  # run's calls name their unread outputs already
        "X_train, X_test, y_train, y_test = split_data(df, settings)",
        "model = train_model(X_train, y_train)",
        "metrics = evaluate_model(model, X_test, y_test)",
        "return metrics",
    ]
