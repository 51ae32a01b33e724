"""Several replicas, one prediction log: the churn project served twice on one PostgreSQL.

A throw-away cluster (tests/postgres_cluster.py) holds the log. Two `serve` processes of the
generated project start together on one empty database; a prediction made by one gets its
feedback through the other, and a third process (`monitor`) sees both.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from postgres_cluster import Cluster, PostgresUnavailableError, postgres_cluster

from scaffold.api import scaffold_project

EXAMPLES = Path(__file__).parent.parent / "examples"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    pytest.importorskip("psycopg", reason="psycopg (the generated postgres extra) is not installed")
    try:
        with postgres_cluster() as running:
            yield running
    except PostgresUnavailableError as exc:
        pytest.skip(f"no PostgreSQL server for this test: {exc}")


def environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    return {**env, "PYTHONPATH": "src", **values}


def python_in(
    project: Path, *arguments: str, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python ARGUMENTS` in the generated project, its `src` importable, `env` set."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=project,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pg")
    for name in ("churn.ipynb", "customer_churn.csv"):
        shutil.copy2(EXAMPLES / name, folder / name)
    target = scaffold_project(folder / "churn.ipynb", folder / "churn", git=False).target
    trained = python_in(target, "-m", "churn", "train", timeout=300)
    assert trained.returncode == 0, trained.stderr[-2000:]
    return target


def http(url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(stack: ExitStack, project: Path, url: str) -> str:
    """Start `serve` on the log `url`; return its base URL (stopped when `stack` closes)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "churn", "serve", "--port", str(port)],
        cwd=project,
        env=environment(PREDICTION_LOG_URL=url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def stop() -> None:
        server.terminate()
        _, errors = server.communicate(timeout=30)
        assert "Traceback" not in errors, errors[-3000:]

    stack.callback(stop)
    return f"http://127.0.0.1:{port}"


def wait_ready(base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if http(f"{base}/ready")[0] == 200:
                return
        except OSError:  # not listening yet
            pass
        time.sleep(0.3)
    raise AssertionError(f"{base}/ready never answered 200")


def test_two_replicas_share_one_prediction_log(cluster: Cluster, project: Path) -> None:
    url = cluster.create_database("churn_log")  # empty: both replicas create the tables
    sample = json.loads((project / "artifacts" / "sample_request.json").read_text())
    instances = sample["instances"][:3]
    with ExitStack() as stack:
        first, second = serve(stack, project, url), serve(stack, project, url)
        wait_ready(first)
        wait_ready(second)

        status, made = http(f"{first}/predict", {"instances": instances})
        assert status == 200, made
        feedback = {"request_id": made["request_id"], "row": 0, "outcome": made["predictions"][0]}
        status, answer = http(f"{second}/feedback", feedback)
        assert status == 200, answer
        assert answer["prediction"] == made["predictions"][0]

        status, other = http(f"{second}/predict", {"instances": instances})
        assert status == 200, other
        feedback = {"request_id": other["request_id"], "row": 2, "outcome": 1}
        status, answer = http(f"{first}/feedback", feedback)
        assert status == 200, answer
        assert answer["prediction"] == other["predictions"][2]

        unknown = {"request_id": "never-made", "row": 0, "outcome": 1}
        assert http(f"{first}/feedback", unknown)[0] == 404

    # a batch run: one summary row in the same log
    batch_run = ("-m", "churn", "predict", "data/customer_churn.csv", "scored.csv")
    scored = python_in(project, *batch_run, PREDICTION_LOG_URL=url)
    assert scored.returncode == 0, scored.stderr[-2000:]
    monitored = python_in(project, "-m", "churn", "monitor", PREDICTION_LOG_URL=url)
    assert monitored.returncode == 0, monitored.stderr[-2000:]
    report = json.loads(monitored.stdout)
    assert report["rows"] == 2 * len(instances)  # every replica's predictions
    assert report["live_quality"]["feedback_rows"] == 2  # feedback through either replica
    (batch,) = report["batch_runs"]
    assert batch["rows"] == len((project / "data/customer_churn.csv").read_text().splitlines()) - 1


def test_generated_log_tests_pass_on_postgresql(cluster: Cluster, project: Path) -> None:
    url = cluster.create_database("churn_tests")
    tests = ["tests/test_log_database.py", "tests/test_prediction_log.py"]
    pytest_run = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *tests)
    result = python_in(project, *pytest_run, timeout=300, PREDICTION_LOG_TEST_URL=url)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "skipped" not in result.stdout, result.stdout[-2000:]


OPEN_TOGETHER = """
import sys, threading
from churn.prediction_log import PredictionLog

url, count = sys.argv[1], int(sys.argv[2])
barrier, failures = threading.Barrier(count), []

def start():
    barrier.wait()
    try:
        PredictionLog(url).close()
    except Exception as exc:
        failures.append(f"{type(exc).__name__}: {exc}")

threads = [threading.Thread(target=start) for _ in range(count)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("\\n".join(failures))
"""


def test_replicas_starting_together_on_an_empty_database_do_not_race(
    cluster: Cluster, project: Path
) -> None:
    """Unlocked, CREATE TABLE from 4 starts at once fails with a duplicate pg_type row."""
    for attempt in range(3):
        url = cluster.create_database(f"churn_race_{attempt}")
        result = python_in(project, "-c", OPEN_TOGETHER, url, "4")
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.strip() == "", result.stdout[-2000:]
