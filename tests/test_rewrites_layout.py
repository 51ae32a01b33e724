"""Before/after tests of the rewrites that had none (several were written inside the layout)."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst
import pytest

from scaffold.extract.rewrites.after_split import transformers_after_split
from scaffold.extract.rewrites.dead_targets import (
    unused_targets_as_underscore,
    without_assignment,
    without_dead_targets,
)
from scaffold.extract.rewrites.pass_state import pass_state
from scaffold.extract.rewrites.settings_inlined import with_setting_values
from scaffold.extract.rewrites.settings_recorded import record_settings
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


def statements_of(source: str) -> list[Statement]:
    return [
        statement_of(1, line, node)
        for line, node in enumerate(cst.parse_module(dedent(source).lstrip("\n")).body, 1)
    ]


def test_transformers_after_split_are_kept_and_applied() -> None:
    found = transformers_after_split(
        statements_of(
            """
            X_tr = scaler.fit_transform(X_train)
            X_te = scaler.transform(X_test)
            model.fit(X_tr, y_train)
            """
        ),
        "X_train",
        "X_test",
    )
    assert found is not None
    assert {i: module_code(node) for i, node in found.nodes.items()} == {
        0: 'X_tr = state.transformer("scaler", scaler, X_train)\n',
        1: 'X_te = state.apply("scaler", X_test)\n',
    }
    assert (found.steps, found.train_rows, found.test_rows) == (("scaler",), "X_tr", "X_te")


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("X_train = X_train * 2\n", id="another-change-of-the-rows"),
        pytest.param("model.fit(X_train, y_train)\n", id="no-transformer"),
        pytest.param("X_te = scaler.transform(X_test)\n", id="transform-without-fit"),
    ],
)
def test_transformers_after_split_refused(source: str) -> None:
    assert transformers_after_split(statements_of(source), "X_train", "X_test") is None


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "df = df[df.age < settings.filter.max_age]\n",
            'df = df[df.age < state.statistic("settings.filter.max_age", lambda: '
            "settings.filter.max_age)]\n",
            id="recorded",
        ),
        pytest.param("df = df[df.age < limits.max_age]\n", None, id="not-a-setting"),
    ],
)
def test_record_settings(before: str, after: str | None) -> None:
    assert module_code(record_settings(cst.parse_statement(before))) == (after or before)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "X = df[settings.features.columns] * settings.model.scale\n",
            "X = df[['a', 'b']] * 2.5\n",  # repr: ruff format writes the quotes later
            id="values",
        ),
        pytest.param("name = settings.data.label\n", 'name = "churn"\n', id="string-as-json"),
        pytest.param("x = settings.other.value\n", "x = settings.other.value\n", id="unknown-kept"),
    ],
)
def test_with_setting_values(before: str, after: str) -> None:
    values = {"features.columns": ["a", "b"], "model.scale": 2.5, "data.label": "churn"}
    assert module_code(with_setting_values(cst.parse_statement(before), values)) == after
