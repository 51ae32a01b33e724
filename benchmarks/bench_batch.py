"""Wall time and peak memory of the generated project's batch scoring, by engine and input size.

Not a test: prints a table. Renders the example notebook, trains it, resamples its rows to
each size (a CSV file), then scores each file with:

- pandas-in-memory: the whole file read, scored with `score_batch` and written at once;
- pandas-streamed: `python -m churn predict IN OUT.parquet` (chunks of 100k rows);
- dask: `python -m churn predict IN OUT --engine dask --scheduler ADDR` against a LocalCluster
  of 2 worker processes (1 thread each) started beforehand.

Peak memory is the largest sum of the resident set sizes of every process involved (the
command and its children; for dask also the scheduler and the workers), sampled every 50 ms
with psutil. Streaming passes when its peak at the largest size is within 1.5x of the smallest.

    python benchmarks/bench_batch.py [--sizes 100000 1000000] [--project DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "churn.ipynb"
PACKAGE = "churn"
FLAT = 1.5  # streamed peak memory at the largest size / at the smallest, at most

IN_MEMORY = """
import sys
from pathlib import Path
import pandas as pd
from churn.artifacts import load_artifact
from churn.predict import score_batch
model = load_artifact(Path("artifacts")).model
frame = pd.read_csv(sys.argv[1])
pd.concat([frame, score_batch(model, frame)], axis=1).to_parquet(sys.argv[2], index=False)
"""

CLUSTER = """
import sys
from distributed import LocalCluster
cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
)
print(cluster.scheduler_address, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
cluster.close()
"""


def tree_rss(processes: Sequence[psutil.Process]) -> int:
    """Bytes resident in `processes` and all their descendants."""
    total = 0
    for process in processes:
        try:
            for member in [process, *process.children(recursive=True)]:
                total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def measured(
    command: list[str], cwd: Path, env: dict[str, str], also: Sequence[int] = ()
) -> tuple[float, int]:
    """Run `command`; return (seconds, peak bytes of it, its children and the `also` pids)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, text=True)
    watched = [psutil.Process(child.pid), *(psutil.Process(pid) for pid in also)]
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(watched))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    output, _ = child.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return seconds, peak


def prepare(project: Path | None, work: Path) -> Path:
    """A trained project of the example notebook (rendered into `work` unless given)."""
    if project is None:
        sys.path.insert(0, str(ROOT))
        from scaffold.api import scaffold_project

        project = scaffold_project(EXAMPLE, work / PACKAGE, force=True, git=False).target
    env = {**os.environ, "PYTHONPATH": "src"}
    subprocess.run(
        [sys.executable, "-m", PACKAGE, "train"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    return project


def rows_file(project: Path, work: Path, size: int) -> Path:
    """`size` rows resampled from the example's data, as CSV."""
    data = pd.read_csv(project / "data" / "customer_churn.csv").drop(columns="churn")
    path = work / f"rows-{size}.csv"
    data.sample(size, replace=True, random_state=0).to_csv(path, index=False)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--project", type=Path, help="an already rendered example project")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    project = prepare(options.project, work)
    env = {
        **os.environ,
        "PYTHONPATH": "src",
        "ARTIFACTS_DIR": "artifacts",
        "PREDICTION_LOG_URL": f"sqlite:///{work / 'predictions.db'}",
    }
    cluster = subprocess.Popen(
        [sys.executable, "-c", CLUSTER],
        cwd=project,
        env=env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert cluster.stdout is not None
    assert cluster.stdin is not None
    address = cluster.stdout.readline().strip()
    results: dict[tuple[str, int], tuple[float, int]] = {}
    try:
        for size in options.sizes:
            source = rows_file(project, work, size)
            runs = {
                "pandas-in-memory": (
                    [sys.executable, "-c", IN_MEMORY, str(source), str(work / "mem.parquet")],
                    (),
                ),
                "pandas-streamed": (
                    [
                        sys.executable,
                        "-m",
                        PACKAGE,
                        "predict",
                        str(source),
                        str(work / "streamed.parquet"),
                    ],
                    (),
                ),
                "dask (2 workers)": (
                    [
                        sys.executable,
                        "-m",
                        PACKAGE,
                        "predict",
                        str(source),
                        str(work / "dask-out"),
                        "--engine",
                        "dask",
                        "--scheduler",
                        address,
                    ],
                    (cluster.pid,),
                ),
            }
            for engine, (command, also) in runs.items():
                results[engine, size] = measured(command, project, env, also)
                seconds, peak = results[engine, size]
                print(
                    f"{engine:18} {size:>9,} rows  {seconds:7.1f} s  {peak / 2**20:7.0f} MiB",
                    file=sys.stderr,
                )
    finally:
        cluster.stdin.close()
        cluster.wait(timeout=60)
    print(f"\n| engine | {' | '.join(f'{size:,} rows' for size in options.sizes)} |")
    print(f"|---|{'---|' * len(options.sizes)}")
    for engine in dict.fromkeys(name for name, _ in results):
        cells = [
            f"{results[engine, size][0]:.1f} s, {results[engine, size][1] / 2**20:.0f} MiB"
            for size in options.sizes
        ]
        print(f"| {engine} | {' | '.join(cells)} |")
    small, large = min(options.sizes), max(options.sizes)
    ratio = results["pandas-streamed", large][1] / results["pandas-streamed", small][1]
    verdict = "flat" if ratio <= FLAT else "GROWS"
    print(f"\nstreamed peak memory, {large:,} / {small:,} rows: {ratio:.2f}x ({verdict})")
    if ratio > FLAT:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
