"""IPython syntax is neutralised line by line, recorded, and can be put back."""

from __future__ import annotations

import libcst as cst
import pytest

from scaffold.reading.magics import MARKER, neutralise, pip_requirements, restore

FORMS = [
    # (source, neutralised code, kinds recorded)
    ("%matplotlib inline\nx = 1", f"{MARKER}%matplotlib inline\nx = 1", ["line_magic"]),
    ("%load_ext autoreload", f"{MARKER}%load_ext autoreload", ["line_magic"]),
    ("%timeit -n 10 -r 3 f(x)", "f(x)", ["line_magic"]),
    ("%time y = f(x)", "y = f(x)", ["line_magic"]),
    ("env = %env HOME", f"{MARKER}env = %env HOME", ["line_magic"]),
    ("!ls -la", f"{MARKER}!ls -la", ["shell"]),
    ("files = !ls", f"{MARKER}files = !ls", ["shell"]),
    ("df?", f"{MARKER}df?", ["help"]),
    ("??df", f"{MARKER}??df", ["help"]),
    ("df.head??", f"{MARKER}df.head??", ["help"]),
    ("if ok:\n    !ls\n    x = 1", f"if ok:\n    pass  {MARKER}!ls\n    x = 1", ["shell"]),
    ("%%time\nx = 1\ny = 2", f"{MARKER}%%time\nx = 1\ny = 2", ["cell_magic"]),
    ("%%bash\nls -l\necho hi", f"{MARKER}%%bash\n{MARKER}ls -l\n{MARKER}echo hi", ["cell_magic"]),
    (
        "%%capture out\n!pip install foo\nimport foo",
        f"{MARKER}%%capture out\n{MARKER}!pip install foo\nimport foo",
        ["cell_magic", "shell"],
    ),
    ("!pip install a \\\n  b", f"{MARKER}!pip install a \\\n{MARKER}  b", ["shell"]),
]


@pytest.mark.parametrize(("source", "code", "kinds"), FORMS)
def test_neutralise(source: str, code: str, kinds: list[str]) -> None:
    result = neutralise(source)
    assert result.code == code
    assert [magic.kind for magic in result.magics] == kinds


@pytest.mark.parametrize(("source", "code", "kinds"), FORMS)
def test_neutralised_code_parses_and_keeps_line_numbers(
    source: str, code: str, kinds: list[str]
) -> None:
    result = neutralise(source)
    cst.parse_module(result.code)
    assert result.code.count("\n") == source.count("\n")


@pytest.mark.parametrize(("source", "code", "kinds"), FORMS)
def test_restore_gives_the_original_back(source: str, code: str, kinds: list[str]) -> None:
    result = neutralise(source)
    assert restore(result.code, result.magics) == source


def test_magic_records_line_and_original() -> None:
    magics = neutralise("x = 1\n%matplotlib inline\n!ls").magics
    assert [(m.line, m.original) for m in magics] == [(2, "%matplotlib inline"), (3, "!ls")]


@pytest.mark.parametrize(
    "source",
    [
        "x = a % b",
        "a != b",
        "print('100%')",
        "x = 1  # !not shell",
        "s = 'df?'",
        # an `=` inside a string key, then `%` formatting: Python, not `name = %magic`
        'metrics["pbl=%1.2f" % alpha] = loss(y, p)',
        "scores['a=%s' % k] = 1",
    ],
)
def test_python_is_left_alone(source: str) -> None:
    result = neutralise(source)
    assert (result.code, result.magics) == (source, ())


@pytest.mark.parametrize(
    ("line", "requirements"),
    [
        ("!pip install pandas", ["pandas"]),
        ("%pip install pandas scikit-learn", ["pandas", "scikit-learn"]),
        ("!pip install -q 'numpy>=1.26' pandas==2.2", ["numpy>=1.26", "pandas==2.2"]),
        ("%pip install -r requirements.txt lightgbm", ["lightgbm"]),
        ("!python -m pip install xgboost", ["xgboost"]),
        ("!{sys.executable} -m pip install shap", ["shap"]),
        ("!pip3 install --upgrade seaborn", ["seaborn"]),
        ("!pip list", []),
        ("!ls", []),
    ],
)
def test_pip_requirements(line: str, requirements: list[str]) -> None:
    assert pip_requirements(line) == requirements


def test_neutralise_collects_requirements() -> None:
    assert neutralise("!pip install a\n%pip install b").requirements == ("a", "b")
