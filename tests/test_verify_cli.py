"""`scaffold NOTEBOOK --verify` through typer's CliRunner: its exit code and what it says."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

import scaffold.api
from scaffold import verify
from scaffold.cli import app

runner = CliRunner()

IRIS_CELLS = [
    "import pandas as pd\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.metrics import accuracy_score\n"
    "from sklearn.model_selection import train_test_split",
    'df = pd.read_csv("iris.csv")',
    'X = df.drop(columns=["target"])\ny = df["target"]\n'
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)",
    "model = LogisticRegression(max_iter=500)\nmodel.fit(X_train, y_train)",
]


def iris_notebook(folder: Path, last: str, printed: str) -> Path:
    """The iris pipeline, then `last`, saved as if it had printed `printed`."""
    from sklearn.datasets import load_iris

    load_iris(as_frame=True).frame.to_csv(folder / "iris.csv", index=False)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in [*IRIS_CELLS, last]]
    notebook.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
    path = folder / "iris.ipynb"
    nbformat.write(notebook, path)
    return path


def passing_runs(monkeypatch: pytest.MonkeyPatch, metrics: dict[str, float]) -> None:
    """The project's tests pass and `train` writes `metrics` (nothing is run)."""

    def run(command: list[str], cwd: Path, environment: object = None) -> object:
        if "train" in command:
            (cwd / "artifacts").mkdir(exist_ok=True)
            (cwd / "artifacts" / "metrics.json").write_text(json.dumps(metrics))
        return subprocess.CompletedProcess(command, 0, "5 passed\n", "")

    monkeypatch.setattr(verify, "_run", run)


@pytest.mark.slow
def test_failing_generated_tests_exit_non_zero_and_name_the_first(tmp_path: Path) -> None:
    """The notebook's stored output says 0.1234: the generated reproduction test fails."""
    notebook = iris_notebook(
        tmp_path,
        'print(f"Accuracy: {accuracy_score(y_test, model.predict(X_test)):.4f}")',
        "Accuracy: 0.1234\n",
    )
    out = tmp_path / "out"
    result = runner.invoke(app, [str(notebook), "-o", str(out), "--no-git", "--verify"])
    assert result.exit_code == 1, result.output
    verdict = result.stdout.strip().splitlines()[-1]
    assert verdict.startswith("verify: failed: tests/test_reproduction.py::"), verdict
    assert "test_training_reproduces_the_notebook[accuracy] fails (1 failed" in verdict


def test_verify_asked_for_but_impossible_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--verify with a module the pipeline imports missing: nothing ran, so no exit 0."""
    notebook = iris_notebook(
        tmp_path,
        'print(f"Accuracy: {accuracy_score(y_test, model.predict(X_test)):.4f}")',
        "Accuracy: 0.9778\n",
    )
    monkeypatch.setattr(scaffold.api, "importable", lambda modules: ["sklearn"])
    out = tmp_path / "out"
    result = runner.invoke(app, [str(notebook), "-o", str(out), "--no-git", "--verify"])
    assert result.exit_code == 1, result.output
    assert "verify: failed: the project's tests cannot run here (not installed: sklearn)" in (
        result.stdout
    )


def test_metrics_printed_but_none_matched_are_not_comparable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An accuracy computed by hand: the summary says scaffold matched none of the numbers."""
    notebook = iris_notebook(
        tmp_path,
        "pred = model.predict(X_test)\n"
        'print("accuracy of the model is", round(float((pred == y_test).mean()), 3))',
        "accuracy of the model is 0.978\n",
    )
    passing_runs(monkeypatch, {"accuracy": 0.9777})
    out = tmp_path / "out"
    result = runner.invoke(app, [str(notebook), "-o", str(out), "--no-git", "--verify"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "metrics the reproduction test checks: none found" in lines
    assert "    cell 5: accuracy of the model is 0.978" in lines
    assert lines[-1].startswith(
        "verify: not comparable: the notebook printed numbers that look like metrics"
    )
    assert "match" not in lines[-1].replace("matched", "")
