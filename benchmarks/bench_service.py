"""Measure the generated prediction service against a bare FastAPI app serving the same model.

Not a test: prints figures. Renders the example churn project into a temporary directory,
trains it, then starts each server as one uvicorn worker on 127.0.0.1 and drives it with the
same bounded load generator (httpx clients on a thread pool: N requests, K in flight).

1. throughput: the generated service vs a bare app whose sync `def` endpoint calls
   `artifact.model.predict(frame)`, with 1-row and 100-row bodies (requests/s, p50, p99);
2. the per-request cost of `/predict` and `/feedback` with 0, 10k and 100k rows already in the
   prediction log (it should stay flat);
3. the per-request cost of `/predict` with drift windows of 100 and 10,000 rows, the window
   filled first (it should not grow with the window).

    python benchmarks/bench_service.py [--requests N] [--in-flight K] [--rounds R]
        [--only throughput|log|drift] [--keep DIR | --project DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "churn.ipynb"
PACKAGE = "churn"
HOST = "127.0.0.1"
FLAGS = ["--force", "--no-git", "--no-verify"]
SECTIONS = ("throughput", "log", "drift")

GENERATED = """
import uvicorn
from pathlib import Path
from {package}.runtime import Runtime
from {package}.service import create_app

runtime = Runtime(
    artifacts_dir=Path("artifacts"),
    prediction_log_url="sqlite:///{log}",
    drift_window={window},
)
uvicorn.run(create_app(runtime), host="{host}", port={port}, workers=1, log_level="warning")
"""

BARE = """
from pathlib import Path
from typing import Any

import pandas as pd
import uvicorn
from fastapi import FastAPI

from {package}.artifacts import load_artifact

artifact = load_artifact(Path("artifacts"))
app = FastAPI()


@app.get("/ready")
def ready() -> dict[str, str]:
    return {{"status": "ready"}}


@app.post("/predict")
def predict(body: dict[str, Any]) -> dict[str, Any]:
    frame = pd.DataFrame(body["instances"])
    return {{"predictions": artifact.model.predict(frame).tolist()}}


uvicorn.run(app, host="{host}", port={port}, workers=1, log_level="warning")
"""

PREFILL = """
import json, sys
from {package}.prediction_log import PredictionLog

rows = json.loads(sys.stdin.read())
log = PredictionLog("sqlite:///{log}")
for start in range(0, {count}, 1000):
    batch = [rows[(start + i) % len(rows)] for i in range(min(1000, {count} - start))]
    log.record(f"prefill-{{start}}", "prefill", batch, [0] * len(batch))
log.close()
"""


@dataclass(frozen=True)
class Figures:
    """Latencies (seconds) of one run and its wall time."""

    latencies: list[float]
    wall: float

    @property
    def rate(self) -> float:
        """Requests per second."""
        return len(self.latencies) / self.wall

    def quantile(self, q: float) -> float:
        """Latency quantile in milliseconds."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self, label: str) -> str:
        """One printed row."""
        return (
            f"  {label:<34} {self.rate:8.1f} req/s   p50 {self.quantile(0.5):7.2f} ms"
            f"   p99 {self.quantile(0.99):7.2f} ms"
        )


def free_port() -> int:
    """A port nobody listens on, on the loopback interface."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def project_env() -> dict[str, str]:
    """The environment the generated project runs in (its src on the path)."""
    return {**os.environ, "PYTHONPATH": "src"}


def render_and_train(target: Path) -> None:
    """Render the example notebook into `target` and train the model there."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "scaffold", str(EXAMPLE), "-o", str(target), *FLAGS],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-m", PACKAGE, "train"],
        cwd=target,
        env=project_env(),
        check=True,
        capture_output=True,
    )


@dataclass(frozen=True)
class Running:
    """A server process started by `server`."""

    url: str
    pid: int

    def cpu(self) -> float | None:
        """CPU seconds the process has used so far (user + system; Linux only, else None)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(project: Path, code: str) -> Iterator[Running]:
    """Run `code` (a uvicorn server) in a subprocess; yield it once it is ready."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", code.replace("{port}", str(port))],
        cwd=project,
        env=project_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {code}")
            time.sleep(0.1)
        yield Running(url, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def drive(url: str, bodies: list[tuple[str, Any]], in_flight: int) -> Figures:
    """Send every (path, body) with `in_flight` workers; every answer must be 200."""
    local = threading.local()
    latencies: list[float] = []

    def send(item: tuple[str, Any]) -> float:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=url, timeout=60)
        path, body = item
        start = time.perf_counter()
        response = client.post(path, json=body)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
        return elapsed

    start = time.perf_counter()
    with ThreadPoolExecutor(in_flight) as pool:
        latencies = list(pool.map(send, bodies))
    return Figures(latencies, time.perf_counter() - start)


def predictions(rows: list[dict[str, Any]], size: int, count: int) -> list[tuple[str, Any]]:
    """`count` /predict bodies of `size` rows each, cycling through `rows`."""
    return [
        ("/predict", {"instances": [rows[(n * size + i) % len(rows)] for i in range(size)]})
        for n in range(count)
    ]


def throughput(
    project: Path, rows: list[dict[str, Any]], requests: int, in_flight: int, rounds: int
) -> None:
    """The generated service against the bare app, single-row and 100-row bodies.

    Both servers run side by side and are driven in many short rounds, in the order bare,
    generated, then generated, bare, and so on, so that the load of other processes on the
    machine falls on both alike. Besides requests/s and latency, each server's CPU time per
    request (from /proc) shows the work per request whatever the load.
    """
    print(
        f"throughput: {requests} requests per server (1-row), {requests // 5} (100-row), "
        f"{in_flight} in flight, {rounds} rounds"
    )
    codes = {
        "bare": BARE,
        "generated": GENERATED.replace("{log}", str(project / "var" / "bench.db")),
    }
    for size in (1, 100):
        count = requests if size == 1 else max(requests // 5, 50)
        bodies = predictions(rows, size, max(count // rounds, in_flight))
        (project / "var" / "bench.db").unlink(missing_ok=True)
        sources = {
            name: code.format_map(_Keep(package=PACKAGE, host=HOST, window=500))
            for name, code in codes.items()
        }
        with server(project, sources["bare"]) as bare, server(project, sources["generated"]) as gen:
            servers = {"bare": bare, "generated": gen}
            runs: dict[str, list[Figures]] = {name: [] for name in servers}
            cpu: dict[str, list[float]] = {name: [] for name in servers}
            for running in servers.values():
                drive(running.url, bodies[: max(len(bodies) // 2, in_flight)], in_flight)  # warm up
            for index in range(rounds):
                for name in list(servers)[:: 1 if index % 2 == 0 else -1]:
                    before = servers[name].cpu()
                    runs[name].append(drive(servers[name].url, bodies, in_flight))
                    after = servers[name].cpu()
                    if before is not None and after is not None:
                        cpu[name].append(after - before)
        results = {
            name: Figures(
                [latency for run in figures for latency in run.latencies],
                sum(run.wall for run in figures),
            )
            for name, figures in runs.items()
        }
        for name, figures in results.items():
            line = figures.line(f"{name}, {size}-row bodies ({len(figures.latencies)})")
            if cpu[name]:
                line += f"   CPU {1000 * sum(cpu[name]) / len(figures.latencies):6.2f} ms/request"
            print(line)
        ratio = results["generated"].rate / results["bare"].rate
        p50 = results["generated"].quantile(0.5) / results["bare"].quantile(0.5)
        p99 = results["generated"].quantile(0.99) / results["bare"].quantile(0.99)
        per_round = [
            mine.rate / theirs.rate
            for mine, theirs in zip(runs["generated"], runs["bare"], strict=True)
        ]
        print(
            f"  generated / bare, {size}-row bodies: requests/s {ratio:.2f}, "
            f"median of the {rounds} rounds {statistics.median(per_round):.2f}; "
            f"p50 {p50:.2f}x, p99 {p99:.2f}x"
        )


def log_growth(project: Path, rows: list[dict[str, Any]], requests: int) -> None:
    """Sequential /predict and /feedback latency with the log already holding many rows."""
    print(f"prediction log: {requests} sequential requests of each kind")
    for count in (0, 10_000, 100_000):
        log = project / "var" / f"log-{count}.db"
        log.unlink(missing_ok=True)
        start = time.perf_counter()
        if count:
            code = PREFILL.format(package=PACKAGE, log=log, count=count)
            subprocess.run(
                [sys.executable, "-c", code],
                cwd=project,
                env=project_env(),
                input=json.dumps(rows),
                text=True,
                check=True,
            )
        filled = time.perf_counter() - start
        source = GENERATED.replace("{log}", str(log)).format_map(
            _Keep(package=PACKAGE, host=HOST, window=500)
        )
        with server(project, source) as running:
            url = running.url
            drive(url, predictions(rows, 1, 20), 1)  # warm up
            predicted = drive(url, predictions(rows, 1, requests), 1)
            if count:  # feedback on prefilled rows, spread over the log
                keys = [
                    (f"prefill-{1000 * (n % (count // 1000))}", n % 1000) for n in range(requests)
                ]
            else:  # give the feedback something to find
                answer = httpx.post(f"{url}/predict", json={"instances": rows[:1]}).json()
                keys = [(answer["request_id"], 0)] * requests
            bodies = [
                ("/feedback", {"request_id": request_id, "row": row, "outcome": 0})
                for request_id, row in keys
            ]
            answered = drive(url, bodies, 1)
        print(predicted.line(f"/predict, {count:>7} rows logged"))
        print(answered.line(f"/feedback, {count:>7} rows logged"))
        if count:
            print(f"  (prefilled {count} rows in {filled:.1f} s)")


def drift_windows(project: Path, rows: list[dict[str, Any]], requests: int) -> None:
    """Sequential /predict latency with a full drift window of 100 and of 10,000 rows."""
    print(f"drift window: {requests} sequential requests after filling the window")
    for window in (100, 10_000):
        log = project / "var" / f"window-{window}.db"
        log.unlink(missing_ok=True)
        source = GENERATED.replace("{log}", str(log)).format_map(
            _Keep(package=PACKAGE, host=HOST, window=window)
        )
        with server(project, source) as running:
            url = running.url
            drive(url, predictions(rows, 100, window // 100 + 1), 2)  # fill the window
            for size in (1, 100):
                figures = drive(url, predictions(rows, size, requests), 1)
                print(figures.line(f"window {window:>6}, {size}-row bodies"))
            scrape = []
            with httpx.Client(base_url=url) as client:
                for _ in range(20):
                    start = time.perf_counter()
                    assert client.get("/metrics").status_code == 200
                    scrape.append(time.perf_counter() - start)
            print(
                f"  window {window:>6}, GET /metrics p50 {1000 * statistics.median(scrape):.2f} ms"
            )


class _Keep(dict[str, Any]):
    """format_map mapping that leaves unknown fields (such as {port}) as they are."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def main() -> None:
    """Render, train, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per throughput run")
    parser.add_argument("--in-flight", type=int, default=4, help="concurrent requests")
    parser.add_argument("--sequential", type=int, default=300, help="requests per latency run")
    parser.add_argument("--rounds", type=int, default=20, help="alternating throughput rounds")
    parser.add_argument(
        "--only", choices=SECTIONS, action="append", help="run this part only (repeatable)"
    )
    parser.add_argument("--keep", type=Path, help="render here and keep it (default: a temp dir)")
    parser.add_argument(
        "--project", type=Path, help="measure this rendered, trained project instead of rendering"
    )
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-service-"))
    project = args.project or workdir / PACKAGE
    try:
        if args.project is None:
            start = time.perf_counter()
            render_and_train(project)
            print(f"rendered and trained {project} in {time.perf_counter() - start:.1f} s")
        (project / "var").mkdir(exist_ok=True)
        sample = json.loads((project / "artifacts" / "sample_request.json").read_text())
        rows: list[dict[str, Any]] = sample["instances"]
        only = set(args.only or SECTIONS)
        if "throughput" in only:
            throughput(project, rows, args.requests, args.in_flight, args.rounds)
        if "log" in only:
            log_growth(project, rows, args.sequential)
        if "drift" in only:
            drift_windows(project, rows, args.sequential)
    finally:
        if args.keep is None and args.project is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
