"""The example notebook scaffolded with git, then checked the way its user would check it."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scaffold.api import scaffold_project
from scaffold.project import ruff_binary

EXAMPLES = Path(__file__).parent.parent / "examples"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    folder = tmp_path_factory.mktemp("e2e")
    for name in ("churn.ipynb", "customer_churn.csv"):
        shutil.copy2(EXAMPLES / name, folder / name)
    result = scaffold_project(folder / "churn.ipynb", folder / "churn-project", git=True)
    assert result.target == folder / "churn-project"
    return result.target


def run(command: list[str], cwd: Path, timeout: int = 240) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False, timeout=timeout, env=env
    )


def test_ruff_check(project: Path) -> None:
    result = run([ruff_binary(), "check", "."], project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_check(project: Path) -> None:
    result = run([ruff_binary(), "format", "--check", "."], project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_tests_pass(project: Path) -> None:
    result = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert "failed" not in result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _http(url: str, body: bytes | None = None) -> tuple[int, Any]:
    headers = {"content-type": "application/json"}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_installed_wheel_trains_evaluates_and_serves(project: Path, tmp_path: Path) -> None:
    """`pip install .` (not -e), as the Dockerfile does: the package lives in site-packages and
    finds config/ and data/ in the working folder, the project folder."""
    pytest.importorskip("hatchling")
    folder = tmp_path / "churn-project"
    shutil.copytree(project, folder, ignore=shutil.ignore_patterns(".git"))
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "wheels"), str(folder)],
        tmp_path,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = (tmp_path / "wheels").glob("churn-*.whl")
    venv = tmp_path / "venv"
    made = run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], tmp_path)
    assert made.returncode == 0, made.stderr
    python = str(venv / "bin" / "python")
    installed = run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], tmp_path
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    where = run([python, "-c", "import churn; print(churn.__file__)"], folder)
    assert str(venv) in where.stdout, where.stdout + where.stderr  # not the project's src/

    trained = run([python, "-m", "churn", "train"], folder)
    assert trained.returncode == 0, trained.stderr[-2000:]
    metrics = json.loads(trained.stdout)["metrics"]
    evaluated = run([python, "-m", "churn", "evaluate"], folder)
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    assert json.loads(evaluated.stdout) == metrics

    port = _free_port()
    server = subprocess.Popen(
        [python, "-m", "churn", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _ = _http(f"{base}/ready")
            except OSError:  # not listening yet
                status = 0
            if status == 200:
                break
            time.sleep(0.3)
        assert status == 200, f"/ready never answered 200 (last {status})"
        sample = (folder / "artifacts" / "sample_request.json").read_bytes()
        status, answer = _http(f"{base}/predict", sample)
        assert status == 200, answer
        assert len(answer["predictions"]) == len(json.loads(sample)["instances"])
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Traceback" not in errors, errors[-2000:]
    loggers = {json.loads(line)["logger"] for line in errors.splitlines() if line.strip()}
    assert "uvicorn.access" in loggers  # uvicorn's lines are JSON like the app's


def test_generated_slow_tests_pass_on_a_real_dask_cluster(project: Path) -> None:
    """The generated project's slow tests: batch scoring on a 2-worker LocalCluster."""
    pytest.importorskip("distributed", reason="the dask extra of the dev dependencies")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "slow"]
    result = run([*command, "tests/test_batch.py"], project)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout
    assert "skipped" not in result.stdout


def test_generated_service_matches_its_openapi_document(project: Path) -> None:
    """The generated slow test: schemathesis against the churn service, in process."""
    pytest.importorskip("schemathesis")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "slow"]
    result = run([*command, "tests/test_openapi.py"], project, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout  # valid and invalid requests
    assert "skipped" not in result.stdout


def test_every_acknowledged_prediction_survives_sigkill(project: Path) -> None:
    """The generated slow durability test on the churn service: `serve` SIGKILLed three times
    under 16 concurrent clients, each acknowledged request's rows found after each kill."""
    command = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-m", "slow"]
    result = run([*command, "tests/test_durability.py"], project, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
    figures = re.search(
        r"(\d+) requests \((\d+) rows\) acknowledged, (\d+) of their rows found", result.stdout
    )
    assert figures is not None, result.stdout[-2000:]
    assert int(figures[1]) >= 3 * 150
    assert figures[2] == figures[3]


def test_project_is_a_git_repo_with_one_commit(project: Path) -> None:
    assert (project / ".git").is_dir()
    count = run(["git", "rev-list", "--count", "HEAD"], project)
    assert count.returncode == 0, count.stderr
    assert count.stdout.strip() == "1"
    status = run(["git", "status", "--porcelain", "--untracked-files=all"], project)
    assert status.stdout == ""  # everything generated is committed, nothing changed since
    message = run(["git", "log", "-1", "--format=%s"], project)
    assert message.stdout.strip() == "Generated by scaffold from churn.ipynb"


def test_a_notebook_saved_without_outputs_is_run_to_verify(
    tmp_path: Path, make_notebook: Callable[..., Path]
) -> None:
    """--verify runs an unexecuted notebook first, then checks the project against its numbers."""
    from sklearn.datasets import load_iris

    load_iris(as_frame=True).frame.to_csv(tmp_path / "iris.csv", index=False)
    notebook = make_notebook(
        [
            "import pandas as pd\n"
            "from sklearn.linear_model import LogisticRegression\n"
            "from sklearn.metrics import accuracy_score\n"
            "from sklearn.model_selection import train_test_split",
            'df = pd.read_csv("iris.csv")',
            'X = df.drop(columns=["target"])\ny = df["target"]\n'
            "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, "
            "random_state=0)",
            "model = LogisticRegression(max_iter=500)\nmodel.fit(X_train, y_train)",
            'print(f"Accuracy: {accuracy_score(y_test, model.predict(X_test)):.4f}")',
        ]
    )
    result = scaffold_project(notebook, tmp_path / "project", git=False, verify=None)
    assert [metric.key for metric in result.printed] == ["accuracy"]
    assert result.verification is not None
    assert result.verification.outcome == "match", result.verification.message
    assert "PRINTED" in (tmp_path / "project" / "tests" / "test_reproduction.py").read_text()
