"""Before/after tests of the rewrites that were written inside the stage layout and interface."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst
import pytest

from scaffold.extract.rewrites.dead_targets import (
    unused_targets_as_underscore,
    without_assignment,
    without_dead_targets,
)
from scaffold.extract.rewrites.pass_state import pass_state
from scaffold.extract.rewrites.unread_as_underscore import unread_as_underscore
from scaffold.extract.statements import Statement, statement_of


def statement(source: str) -> Statement:
    return statement_of(1, 1, cst.parse_statement(dedent(source).lstrip("\n")))


def code(found: Statement | None) -> str | None:
    return None if found is None else cst.Module(body=[]).code_for_node(found.node).strip()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("unused = model.fit(X, y)", "model.fit(X, y)", id="call-kept"),
        pytest.param("a, b = fit(X)", "fit(X)", id="tuple-of-names"),
        pytest.param("r = sm.OLS(y, X).fit().fittedvalues", "sm.OLS(y, X).fit()", id="attribute"),
        pytest.param("col = f(x)[:, None]", "f(x)", id="subscript"),
        pytest.param("total = a + b", None, id="no-call-nothing-left"),
        pytest.param("df['a'] = f(x)", "df['a'] = f(x)", id="subscript-target-kept"),
        pytest.param("a = b = f(x)", "a = b = f(x)", id="chained-kept"),
    ],
)
def test_without_assignment(before: str, after: str | None) -> None:
    assert code(without_assignment(statement(before))) == after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("a[0] = unused = f()", "a[0] = f()", id="dead-name"),
        pytest.param("kept = unused = f()", "kept = f()", id="kept-name"),
        pytest.param("unused = other = f()", "unused = other = f()", id="all-dead-unchanged"),
        pytest.param("kept = f()", "kept = f()", id="single-target"),
    ],
)
def test_without_dead_targets(before: str, after: str) -> None:
    assert code(without_dead_targets(statement(before), {"kept"})) == after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("kept, unused = f()", "kept, _ = f()", id="unused-name"),
        pytest.param("kept, x = f(x)", "kept, x = f(x)", id="read-by-itself"),
        pytest.param("unused, other = f()", "unused, other = f()", id="all-unused-unchanged"),
        pytest.param("kept = f()", "kept = f()", id="no-tuple"),
    ],
)
def test_unused_targets_as_underscore(before: str, after: str) -> None:
    assert code(unused_targets_as_underscore(statement(before), {"kept"})) == after


def module_code(nodes: list[cst.BaseStatement] | cst.BaseStatement) -> str:
    body = nodes if isinstance(nodes, list) else [nodes]
    return cst.Module(body=body).code


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            """
            def split_data(df):
                X = model_inputs(df)
                return X
            """,
            """
            def split_data(df, state):
                X = model_inputs(df, state)
                return X
            """,
            id="parameter-and-argument",
        ),
        pytest.param(
            """
            def split_data(df, state):
                X = model_inputs(df)
                y = other(df)
                return X, y
            """,
            """
            def split_data(df, state):
                X = model_inputs(df, state)
                y = other(df)
                return X, y
            """,
            id="has-the-parameter",
        ),
    ],
)
def test_pass_state(before: str, after: str) -> None:
    node = cst.parse_statement(dedent(before).lstrip("\n"))
    assert isinstance(node, cst.FunctionDef)
    assert module_code(pass_state(node)) == dedent(after).lstrip("\n")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "rng, X, y = load_data()\nmodel = fit(X, y)\n",
            "_, X, y = load_data()\nmodel = fit(X, y)\n",
            id="unread-first",
        ),
        pytest.param(
            "rng, X = load_data()\nX = prepare(X, rng)\n",
            "rng, X = load_data()\nX = prepare(X, rng)\n",
            id="all-read",
        ),
        pytest.param("a, b = f()\n", "_, _ = f()\n", id="last-statement"),
        pytest.param("a = f()\n", "a = f()\n", id="not-a-tuple"),
    ],
)
def test_unread_as_underscore(before: str, after: str) -> None:
    body = list(cst.parse_module(before).body)
    assert module_code(unread_as_underscore(body)) == after
