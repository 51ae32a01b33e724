"""`python -m scaffold.cli` runs the command line as `python -m scaffold` does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def run(*words: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *words], capture_output=True, text=True, env=ENV, timeout=120
    )


@pytest.mark.parametrize(
    "words",
    [
        pytest.param(("--version",), id="version"),
        pytest.param(("inspect", "no-such.ipynb"), id="user-error"),
    ],
)
def test_python_m_scaffold_cli_answers_as_python_m_scaffold(words: tuple[str, ...]) -> None:
    through_cli = run("scaffold.cli", *words)
    through_package = run("scaffold", *words)
    assert through_cli.stdout.strip() or through_cli.stderr.strip()  # it did something
    assert (through_cli.returncode, through_cli.stdout, through_cli.stderr) == (
        through_package.returncode,
        through_package.stdout,
        through_package.stderr,
    )


def test_python_m_scaffold_cli_runs_a_command() -> None:
    result = run("scaffold.cli", "inspect", str(ROOT / "examples" / "churn.ipynb"))
    assert result.returncode == 0, result.stderr
    assert "train" in result.stdout


def test_a_user_error_is_one_line_and_exit_1() -> None:
    result = run("scaffold.cli", "inspect", "no-such.ipynb")
    assert result.returncode == 1
    assert result.stderr.strip() == "scaffold: error: no-such.ipynb: no such file; check the path"


def test_ctrl_c_while_it_starts_is_one_line_and_exit_130() -> None:
    """SIGINT once typer is imported: the entry module's start-up handler is already there."""
    command = [sys.executable, "-X", "importtime", "-m", "scaffold.cli", "--version"]
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV
    )
    assert child.stderr is not None
    assert child.stdout is not None
    for line in child.stderr:
        if line.rsplit("|", 1)[-1].strip() == "typer":
            child.send_signal(signal.SIGINT)
            break
    else:
        pytest.fail("typer was never imported")
    with child.stderr, child.stdout:
        stderr = child.stderr.read()
        stdout = child.stdout.read()
    assert child.wait(timeout=60) == 130, stderr[-2000:]
    assert stdout == ""
    report = [line for line in stderr.splitlines() if not line.startswith("import time:")]
    assert report == ["scaffold: interrupted"]
