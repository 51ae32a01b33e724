"""Before/after tests of `rewrites/print_helpers.py`: a print helper's call as its prints."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst
import pytest

from scaffold.extract.rewrites.print_helpers import inlined_prints, print_helpers

HELPERS = dedent(
    '''
    def report(name, y, p):
        print(name, accuracy_score(y, p))


    def scores(y, p, digits=3):
        """Print the scores."""
        acc = accuracy_score(y, p)
        print(f"accuracy: {acc:.{digits}f}")
        print("f1", round(f1_score(y, p), digits))
        return


    def described(model, X):
        print(model.name, model.score(X, y=X))


    def labelled(y, p, *, label="r2"):
        print(label, r2_score(y, p))


    def tagged(y, *, tag):
        print(tag, y)
    '''
)


def helpers(source: str = HELPERS) -> dict[str, cst.FunctionDef]:
    return print_helpers(cst.parse_module(dedent(source)).body)


def inlined(call: str) -> list[str]:
    prints = inlined_prints(cst.parse_statement(call), helpers())
    return [cst.Module(body=[node]).code.strip() for node in prints]


def test_the_helpers_that_only_print_are_found() -> None:
    assert sorted(helpers()) == ["described", "labelled", "report", "scores", "tagged"]


@pytest.mark.parametrize(
    ("call", "prints"),
    [
        pytest.param(
            'report("lr", y_test, pred)',
            ['print("lr", accuracy_score(y_test, pred))'],
            id="positional",
        ),
        pytest.param(
            'report(name="lr", p=pred, y=y_test)',
            ['print("lr", accuracy_score(y_test, pred))'],
            id="keywords",
        ),
        pytest.param(
            "scores(y_test, pred)",
            [
                'print(f"accuracy: {accuracy_score(y_test, pred):.{3}f}")',
                'print("f1", round(f1_score(y_test, pred), 3))',
            ],
            id="default-and-local-value",
        ),
        pytest.param(
            "scores(y_test, pred, digits=2)",
            [
                'print(f"accuracy: {accuracy_score(y_test, pred):.{2}f}")',
                'print("f1", round(f1_score(y_test, pred), 2))',
            ],
            id="default-overridden",
        ),
        pytest.param(
            "scores(y_test, a + b)",
            [
                'print(f"accuracy: {accuracy_score(y_test, (a + b)):.{3}f}")',
                'print("f1", round(f1_score(y_test, (a + b)), 3))',
            ],
            id="operation-parenthesised",
        ),
        pytest.param(
            "scores(y_test, (a + b))",
            [
                'print(f"accuracy: {accuracy_score(y_test, (a + b)):.{3}f}")',
                'print("f1", round(f1_score(y_test, (a + b)), 3))',
            ],
            id="parentheses-not-doubled",
        ),
        pytest.param(
            "described(lr, X_test)",
            ["print(lr.name, lr.score(X_test, y=X_test))"],
            id="attribute-and-keyword-names-kept",
        ),
        pytest.param(
            "labelled(y_test, pred)",
            ['print("r2", r2_score(y_test, pred))'],
            id="keyword-only-default",
        ),
        pytest.param(
            'labelled(y_test, pred, label="mae")',
            ['print("mae", r2_score(y_test, pred))'],
            id="keyword-only-given",
        ),
        pytest.param('tagged(y_test, tag="t")', ['print("t", y_test)'], id="keyword-only-required"),
    ],
)
def test_a_call_becomes_the_helpers_prints(call: str, prints: list[str]) -> None:
    assert inlined(call) == prints


@pytest.mark.parametrize(
    ("twin", "kept"),
    [
        pytest.param('report("lr", y, p)', 'report("lr", y)', id="argument-missing"),
        pytest.param('report("lr", y, p)', 'report("lr", y, p, 4)', id="too-many-arguments"),
        pytest.param('report("lr", y, p)', "report(*arguments)", id="starred"),
        pytest.param('report("lr", y, p)', 'unknown("lr", y, p)', id="not-a-helper"),
        pytest.param('report("lr", y, p)', 'result = report("lr", y, p)', id="value-used"),
        pytest.param('report("lr", y, p)', 'tools.report("lr", y, p)', id="a-method"),
        pytest.param('report("lr", y, p)', 'report("a", y, p); report("b", y, p)', id="two-calls"),
        pytest.param(
            'labelled(y, p, label="mae")',
            'labelled(y, p, "mae")',
            id="keyword-only-passed-by-position",
        ),
        pytest.param('tagged(y, tag="t")', "tagged(y)", id="keyword-only-missing"),
    ],
)
def test_a_call_that_is_not_plainly_a_helpers_stays(twin: str, kept: str) -> None:
    assert inlined(twin)  # its near twin is inlined
    assert inlined(kept) == []


@pytest.mark.parametrize(
    ("twin", "kept"),
    [
        pytest.param(
            "def f(y, p):\n    print(y)",
            "def f(y, p):\n    results.append(p)\n    print(y)",
            id="another-effect",
        ),
        pytest.param(
            "def f(y, p):\n    print(y)", "def f(y, p):\n    print(y)\n    return p", id="returns"
        ),
        pytest.param(
            "def f(y, p):\n    print(y)", "def f(y, p):\n    acc = score(y, p)", id="no-print"
        ),
        pytest.param(
            "def f(y, p):\n    print(y)", "def f(*args):\n    print(*args)", id="star-args"
        ),
        pytest.param(
            "def f(y, *, p=1):\n    print(y)",
            "def f(y, *rest, p=1):\n    print(y)",
            id="star-args-before-keyword-only",
        ),
        pytest.param("def f(y, p):\n    print(y)", "def f(y, **kw):\n    print(y)", id="kwargs"),
        pytest.param(
            "def f(y, p):\n    print(y)", "@cache\ndef f(y, p):\n    print(y)", id="decorated"
        ),
        pytest.param(
            "def f(y, p):\n    print(y)",
            "def f(y, p):\n    if y:\n        print(y)",
            id="control-flow",
        ),
        pytest.param(
            "def f(y, p):\n    a = y\n    print(a)",
            "def f(y, p):\n    a, b = y, p\n    print(a)",
            id="tuple-local",
        ),
    ],
)
def test_a_function_that_does_more_than_print_is_no_helper(twin: str, kept: str) -> None:
    assert list(helpers(twin)) == ["f"]  # its near twin is a helper
    assert helpers(kept) == {}
