"""`scaffold inspect` through typer's CliRunner: the plan, JSON, and one-line user errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from scaffold.cli import app

runner = CliRunner()
Make = Callable[..., Path]

CELLS = [
    ("markdown", "# Churn"),
    "!pip install pandas scikit-learn",
    "import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\n"
    "from sklearn.model_selection import train_test_split",
    'df = pd.read_csv("churn.csv")',
    'X = df.drop(columns=["churn"])\ny = df["churn"]\n'
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25)",
    "model = RandomForestClassifier(n_estimators=50)\nmodel.fit(X_train, y_train)",
]


def test_inspect_prints_the_plan_and_writes_nothing(make_notebook: Make) -> None:
    path = make_notebook(CELLS)
    before = sorted(path.parent.iterdir())
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "target churn" in result.output
    assert "Requirements from !pip/%pip lines: pandas, scikit-learn" in result.output
    assert 'data.churn_path = "churn.csv"' in result.output
    assert sorted(path.parent.iterdir()) == before


def test_inspect_json(make_notebook: Make) -> None:
    result = runner.invoke(app, ["inspect", "--json", str(make_notebook(CELLS))])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["task"] == "classification"
    assert plan["target"] == "churn"
    assert [cell["role"] for cell in plan["cells"]] == [
        "markdown",
        "skip",
        "imports",
        "load",
        "split",
        "train",
    ]
    assert plan["cells"][1]["ipython"][0]["kind"] == "shell"
    assert {"from": 4, "to": 5, "name": "df"} in plan["flows"]
    assert "random_forest_classifier.n_estimators" in {s["key"] for s in plan["settings"]}


def _bad(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", "hi", "not a notebook"),
        ("broken.ipynb", "{", "not JSON"),
        ("other.ipynb", "{}", "JSON but not a Jupyter notebook"),
        ("old.ipynb", '{"nbformat": 2}', "nbformat 2 is not supported"),
        ("invalid.ipynb", '{"nbformat": 4, "nbformat_minor": 5, "cells": 3}', "invalid notebook"),
        ("plain.py", "x = 1\n", "without '# %%' cell markers"),
    ],
)
def test_bad_file_is_one_line_and_exit_1(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    result = runner.invoke(app, ["inspect", str(_bad(tmp_path, name, content))])
    _assert_user_error(result, message)


@pytest.mark.parametrize(
    ("cells", "options", "message"),
    [
        ([("markdown", "# Prose only")], {}, "has no code to scaffold"),
        (["x <- 1"], {"language": "R"}, "its kernel runs R, not Python"),
        (["import os", "x = 1\ny = (2 +"], {}, "cell 2, line 2: does not parse"),
        (["# scaffold: fit\nx = 1"], {}, "cell 1, line 1: unknown directive"),
    ],
)
def test_bad_notebook_is_one_line_and_exit_1(
    make_notebook: Make, cells: list[object], options: dict[str, str], message: str
) -> None:
    result = runner.invoke(app, ["inspect", str(make_notebook(cells, **options))])
    _assert_user_error(result, message)


def test_missing_notebook(tmp_path: Path) -> None:
    _assert_user_error(runner.invoke(app, ["inspect", str(tmp_path / "x.ipynb")]), "no such file")


def test_directory_is_not_a_notebook(tmp_path: Path) -> None:
    _assert_user_error(runner.invoke(app, ["inspect", str(tmp_path)]), "not a file")


def test_syntax_error_skipped_by_directive(make_notebook: Make) -> None:
    path = make_notebook(["import os", "# scaffold: skip\nx = (2 +"])
    assert runner.invoke(app, ["inspect", str(path)]).exit_code == 0


def _assert_user_error(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # not an uncaught exception
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("scaffold: error: ")
    assert message in lines[0]
