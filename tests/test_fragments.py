"""The generated helpers that are not the notebook's own come from the template's fragments."""

from __future__ import annotations

import jinja2
import libcst as cst
import pytest

from scaffold.extract.emit.fragments import fragment, fragment_source
from scaffold.render import template_dir


def defined(statements: list[cst.SimpleStatementLine | cst.BaseCompoundStatement]) -> list[str]:
    return [node.name.value for node in statements if isinstance(node, cst.FunctionDef)]


def test_the_fragments_ship_with_the_template() -> None:
    fragments = template_dir() / "fragments" / "pipeline"
    assert sorted(p.name for p in fragments.glob("*.jinja")) == [
        "array_helpers.py.jinja",
        "frame_helpers.py.jinja",
    ]


def test_frame_helpers_call_the_inputs_given() -> None:
    statements = fragment("frame_helpers", inputs_call="model_inputs(prepare(raw_frame(frame)))")
    assert defined(statements) == ["raw_frame", "feature_step"]
    assert "return model_inputs(prepare(raw_frame(frame)))" in fragment_source(
        "frame_helpers", inputs_call="model_inputs(prepare(raw_frame(frame)))"
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
