"""`scaffold NOTEBOOK`: through typer's CliRunner, as a user runs it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from conftest import build_notebook
from typer.testing import CliRunner

import scaffold.project
from scaffold.cli import app
from scaffold.errors import ScaffoldError
from scaffold.extract import UNUSED

runner = CliRunner()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


STEPS = {"read", "analyse", "extract", "render", "format", "commit", "verify"}


def error_line(output: str) -> str:
    """The one error line; anything else may only be the steps shown as they started."""
    lines = output.strip().splitlines()
    errors = [line for line in lines if line.startswith("scaffold: error: ")]
    assert len(errors) == 1, output
    assert all(line.removeprefix("scaffold: ") in STEPS for line in lines if line not in errors)
    assert lines[-1] == errors[0], output
    return errors[0]


def test_scaffold_writes_the_project_and_prints_the_summary(notebook: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, [str(notebook), "-o", str(out), "--no-git"])
    assert result.exit_code == 0, result.output
    assert (out / "src" / "churn" / "pipeline" / "__init__.py").is_file()
    assert (out / "config" / "params.yaml").is_file()
    assert (out / "data" / "customer_churn.csv").is_file()
    assert not (out / ".git").exists()
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"wrote {out} (")
    assert "package churn" in lines[0]
    assert "task: classification, target: churn" in result.stdout
    assert "random_forest_classifier.n_estimators" in result.stdout
    assert "accuracy=0.7812" in result.stdout
    assert "cells left out: " in result.stdout
    assert "next:" in result.stdout
    # verification is on by default here (everything the pipeline imports is installed)
    assert "verify: match: 11 metrics match the notebook" in result.stdout
    steps = ["read", "analyse", "extract", "render", "format", "verify"]
    assert [line.removeprefix("scaffold: ") for line in result.stderr.splitlines()] == steps


def test_existing_non_empty_output_is_refused_then_forced(notebook: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    before = snapshot(tmp_path)
    result = runner.invoke(app, [str(notebook), "-o", str(out), "--no-git", "--no-verify"])
    assert result.exit_code == 1
    line = error_line(result.output)
    assert str(out) in line
    assert "--force" in line
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "out"]

    forced = runner.invoke(
        app, [str(notebook), "-o", str(out), "--no-git", "--force", "--no-verify"]
    )
    assert forced.exit_code == 0, forced.output
    assert not (out / "keep.txt").exists()
    assert (out / "src" / "churn" / "pipeline" / "__init__.py").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "out"]


def test_existing_empty_output_is_used(notebook: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(app, [str(notebook), "-o", str(out), "--no-git", "--no-verify"])
    assert result.exit_code == 0, result.output
    assert (out / "pyproject.toml").is_file()


def test_missing_notebook(tmp_path: Path) -> None:
    result = runner.invoke(app, [str(tmp_path / "nope.ipynb"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "nope.ipynb" in error_line(result.output)
    assert not (tmp_path / "out").exists()


def test_notebook_with_a_syntax_error(make_notebook: Callable[..., Path], tmp_path: Path) -> None:
    path = make_notebook(["import pandas as pd", 'df = pd.read_csv("d.csv")\nx = (1,'])
    result = runner.invoke(app, [str(path), "-o", str(tmp_path / "out"), "--no-git"])
    assert result.exit_code == 1
    assert error_line(result.output).startswith("scaffold: error: cell 2, line 2")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("force", [False, True], ids=["new", "force-over-existing"])
def test_failure_midway_leaves_nothing_behind(
    notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, force: bool
) -> None:
    out = tmp_path / "out"
    if force:
        out.mkdir()
        (out / "keep.txt").write_text("mine")
    before = snapshot(tmp_path)
    rendered: list[Path] = []

    def failing_tidy(root: Path) -> None:
        rendered.append(root)
        assert (root / "pyproject.toml").is_file()  # mid-way: the template is rendered
        raise ScaffoldError("ruff failed on the generated project: boom")

    monkeypatch.setattr(scaffold.project, "tidy", failing_tidy)
    args = [str(notebook), "-o", str(out), "--no-git", *(["--force"] if force else [])]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert (
        error_line(result.output) == "scaffold: error: ruff failed on the generated project: boom"
    )
    assert rendered
    assert not rendered[0].exists()  # the staging folder is gone
    assert snapshot(tmp_path) == before  # no partial project, no temp dir, old output intact
    assert sorted(p.name for p in tmp_path.iterdir()) == (["nb", "out"] if force else ["nb"])


def test_unexpected_error_midway_leaves_nothing_behind(
    notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(root: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(scaffold.project, "tidy", crash)
    result = runner.invoke(app, [str(notebook), "-o", str(tmp_path / "out"), "--no-git"])
    assert result.exit_code != 0
    assert isinstance(result.exception, OSError)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb"]


def test_the_summary_says_why_pipeline_cells_were_left_out(tmp_path: Path) -> None:
    """A prediction only printed reaches nothing the pipeline returns: the summary says so."""
    rows = "\n".join(f"{i},{i % 7},{(i * 3) % 5},{i % 2}" for i in range(60))
    (tmp_path / "data.csv").write_text("id,a,b,label\n" + rows + "\n")
    cells = [
        "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
        "from sklearn.model_selection import train_test_split",
        'df = pd.read_csv("data.csv")\nX = df[["a", "b"]]\ny = df["label"]',
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
        "model = LogisticRegression().fit(X_train, y_train)",
        "print(model.predict_proba(X_test.head()))",
    ]
    notebook = tmp_path / "nb.ipynb"
    nbformat.write(build_notebook(cells), notebook)
    out = tmp_path / "out"
    result = runner.invoke(app, [str(notebook), "-o", str(out), "--no-git", "--no-verify"])
    assert result.exit_code == 0, result.output
    assert f"  5: {UNUSED}" in result.stdout.splitlines()


def test_version_is_shown() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"scaffold {scaffold.__version__}"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o027, 0o750)])
def test_the_project_folder_has_the_users_normal_permissions(
    notebook: Path, tmp_path: Path, umask: int, mode: int
) -> None:
    """It was made with tempfile.mkdtemp, which makes private folders (0700) whatever the umask."""
    out = tmp_path / "out"
    previous = os.umask(umask)
    try:
        result = runner.invoke(app, [str(notebook), "-o", str(out), "--no-git", "--no-verify"])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert stat.S_IMODE((out / "src").stat().st_mode) == mode


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("scaffold upd", ["update"]),
        ("scaffold lint-templates --ru", ["--run-tests"]),
        ("scaffold notebook.ipynb --no-", ["--no-git", "--no-verify"]),  # `scaffold NOTEBOOK`
    ],
)
def test_shell_completion(words: str, expected: list[str]) -> None:
    """What bash asks through the script `scaffold --show-completion` prints, however scaffold
    is started (`python -m scaffold` named the script and its variable after python)."""
    environment = {
        **os.environ,
        "_SCAFFOLD_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    result = subprocess.run(
        [sys.executable, "-m", "scaffold"], env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected
