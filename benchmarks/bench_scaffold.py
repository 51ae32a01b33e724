"""Time a whole `scaffold` run on the example notebook, in subprocesses and in-process.

Not a test: prints figures. The aim is a median under 1.5 s for the command.

    python benchmarks/bench_scaffold.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "churn.ipynb"
AIM_S = 1.5


def timed(action: Callable[[], None], runs: int) -> list[float]:
    """Seconds of each of `runs` calls of `action`."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def command_run(target: Path) -> Callable[[], None]:
    """One `scaffold examples/churn.ipynb -o TARGET --force --no-git` in a subprocess."""
    program = shutil.which("scaffold")
    command = [program] if program else [sys.executable, "-m", "scaffold"]
    command += [str(EXAMPLE), "-o", str(target)]

    def action() -> None:
        subprocess.run(
            [*command, "--force", "--no-git", "--no-verify"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    return action


def in_process_run(target: Path) -> Callable[[], None]:
    """One `scaffold.api.scaffold_project(...)` call in this process."""
    from scaffold.api import scaffold_project

    def action() -> None:
        scaffold_project(EXAMPLE, target, force=True, git=False)

    return action


def import_run() -> None:
    """`python -c "import scaffold.cli"`: the start-up and import overhead of the command."""
    subprocess.run([sys.executable, "-c", "import scaffold.cli"], check=True)


def line(label: str, times: list[float], aim: float | None = None) -> str:
    """min / median / max of `times`, and the verdict against `aim` if given."""
    median = statistics.median(times)
    verdict = "" if aim is None else f"  < {aim} s " + ("ok" if median < aim else "SLOW")
    return (
        f"{label:<32} {min(times):>7.3f} {median:>8.3f} {max(times):>7.3f}  ({len(times)} runs)"
        f"{verdict}"
    )


def main() -> None:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each kind (default 7)")
    args = parser.parse_args()
    runs = max(1, args.runs)
    print(f"{'seconds':<32} {'min':>7} {'median':>8} {'max':>7}")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "churn"
        print(line("scaffold (subprocess)", timed(command_run(target), runs), AIM_S), flush=True)
        start = time.perf_counter()
        action = in_process_run(target)
        action()  # the first call also pays for importing scaffold and its lazy imports
        cold = time.perf_counter() - start
        print(line("scaffold_project (in-process)", timed(action, runs)), flush=True)
        print(f"{'  first call, with imports':<32} {cold:>7.3f}")
    print(line("python -c 'import scaffold.cli'", timed(import_run, runs)))


if __name__ == "__main__":
    main()
