"""CPU time of `scaffold` against `soorgeon refactor` and `jupyter nbconvert --to script`.

Not a test: prints figures. Every command runs in a subprocess and is measured in CPU time
(user + sys of the process and every child it waited for, from `getrusage(RUSAGE_CHILDREN)`),
not wall time, so other work on the machine barely moves the figures. Repetitions are
interleaved (scaffold, soorgeon, nbconvert, then again) so that a slow spell hits all three.

1. start-up: `python -c pass` (the interpreter's floor) and `scaffold --help` (aim < 0.3 s);
2. per notebook (the example and every `.ipynb` of the gallery folder): scaffold
   (`NB -o OUT --force --no-git --no-verify`), soorgeon 0.0.20 (`refactor NB`, or
   `--single-task` where soorgeon asks for it: a notebook without `##` headings) and the floor
   `nbconvert --to script`; the scaffold/soorgeon ratio per notebook and its median over the
   gallery (aim <= 0.2, scaffold 5x faster);
3. synthetic notebooks of 100, 500, 1,000 and 2,000 cells (loads, transforms, prints, plots,
   models; see `bench_analysis.synthetic`): scaffold's CPU time per cell, and per cell added
   from one size to the next, which stays flat when the growth is linear (aim: 2,000 cells
   < 5 s).

scaffold runs as `python -m scaffold` from the root of this checkout, so the figures are this
checkout's code whatever is installed (PYTHONPATH does not change that: the working folder comes
first on `sys.path`). soorgeon is installed on first use into its own venv under the cache folder
(`~/.cache/scaffold-bench` or `$XDG_CACHE_HOME/scaffold-bench`), never into this environment.

    python benchmarks/bench_scaffold.py [--corpus DIR] [--runs N] [--sizes 100,500,...]
        [--synthetic-runs N] [--no-soorgeon] [--no-synthetic]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_analysis import synthetic  # noqa: E402  (a sibling script, not a package)

EXAMPLE = ROOT / "examples" / "churn.ipynb"
SOORGEON = "soorgeon==0.0.20"
SIZES = (100, 500, 1000, 2000)
HELP_AIM_S = 0.3
RATIO_AIM = 0.2
LARGE_AIM_S = 5.0
TIMEOUT_S = 900
SINGLE_TASK_HINT = "--single-task"  # soorgeon's own advice when a notebook has no H2 headings


@dataclass
class Timings:
    """CPU seconds of each run of one command on one notebook; None marks a failed run."""

    runs: list[float] = field(default_factory=list)
    failure: str = ""
    options: list[str] = field(default_factory=list)
    """Options the command needed for this notebook (soorgeon's `--single-task`)."""

    @property
    def median(self) -> float | None:
        """The median of the runs, None if the command failed."""
        return statistics.median(self.runs) if self.runs and not self.failure else None


def cpu_run(
    command: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run `command` to its end; the CPU seconds it and its children used, and its result."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        list(command), cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, done


def cache_folder() -> Path:
    """Where the soorgeon venv lives between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "scaffold-bench"


def soorgeon_program() -> Path:
    """The `soorgeon` executable of the side venv, installed there first if it is missing."""
    venv = cache_folder() / ("soorgeon-" + SOORGEON.split("==")[1])
    program = venv / "bin" / "soorgeon"
    if program.exists():
        return program
    print(f"installing {SOORGEON} into {venv} (once)...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", SOORGEON],
        check=True,
    )
    return program


def scaffold_command(notebook: Path, output: Path) -> list[str]:
    """`scaffold NB -o OUT` without git and verification: the generation alone."""
    return [
        sys.executable, "-m", "scaffold", str(notebook), "-o", str(output),
        "--force", "--no-git", "--no-verify",
    ]  # fmt: skip


def nbconvert_command(notebook: Path, output: Path) -> list[str]:
    """The floor: a notebook written out as a plain script."""
    return [
        sys.executable, "-m", "jupyter", "nbconvert", "--to", "script", str(notebook),
        "--output-dir", str(output), "--log-level", "ERROR",
    ]  # fmt: skip


def run_scaffold(notebook: Path, work: Path, timings: Timings) -> None:
    """One timed scaffold run into a fresh folder."""
    output = work / "scaffold-out"
    shutil.rmtree(output, ignore_errors=True)
    seconds, done = cpu_run(scaffold_command(notebook, output), ROOT)
    record(timings, seconds, done)


def run_nbconvert(notebook: Path, work: Path, timings: Timings) -> None:
    """One timed nbconvert run."""
    output = work / "nbconvert-out"
    shutil.rmtree(output, ignore_errors=True)
    seconds, done = cpu_run(nbconvert_command(notebook, output), work)
    record(timings, seconds, done)


def run_soorgeon(program: Path, notebook: Path, work: Path, timings: Timings) -> None:
    """One timed `soorgeon refactor` on a fresh copy (it writes beside the notebook)."""
    folder = work / "soorgeon-in"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    copy = folder / notebook.name
    shutil.copy2(notebook, copy)
    for data in notebook.parent.glob("*.csv"):
        shutil.copy2(data, folder / data.name)
    command = [str(program), "refactor", copy.name, *timings.options]
    seconds, done = cpu_run(command, folder)
    asks = SINGLE_TASK_HINT in done.stdout + done.stderr
    if done.returncode != 0 and asks and not timings.options:
        timings.options.append(SINGLE_TASK_HINT)  # soorgeon's advice: redo this run that way
        run_soorgeon(program, notebook, work, timings)
        return
    record(timings, seconds, done)


def record(timings: Timings, seconds: float, done: subprocess.CompletedProcess[str]) -> None:
    """Keep the run's time, or the reason it failed."""
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip()).splitlines()
        timings.failure = f"exit {done.returncode}: {said[-1][:60] if said else ''}"
        return
    timings.runs.append(seconds)


def figure(value: float | None, width: int = 8) -> str:
    """Seconds or a ratio with 3 decimals, `-` when missing."""
    return f"{value:>{width}.3f}" if value is not None else f"{'-':>{width}}"


def startup(runs: int) -> None:
    """The interpreter's floor and `scaffold --help`."""
    bare, helps = Timings(), Timings()
    for _ in range(runs):
        record(bare, *cpu_run([sys.executable, "-c", "pass"], ROOT))
        record(helps, *cpu_run([sys.executable, "-m", "scaffold", "--help"], ROOT))
    print("start-up (CPU s, median)")
    print(f"  python -c pass         {figure(bare.median)}")
    verdict = "ok" if (helps.median or 99) < HELP_AIM_S else "SLOW"
    print(f"  scaffold --help        {figure(helps.median)}  aim < {HELP_AIM_S} s: {verdict}")
    print(flush=True)


def compare(notebooks: Sequence[Path], runs: int, soorgeon: Path | None) -> None:
    """scaffold vs soorgeon vs nbconvert per notebook, interleaved, and the median ratio."""
    print(f"per notebook (CPU s, median of {runs} interleaved runs)")
    print(
        f"  {'notebook':<32} {'scaffold':>8} {'soorgeon':>8} {'ratio':>8} {'nbconv':>8} "
        f"{'x floor':>8}"
    )
    ratios: dict[Path, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scaffold-") as folder:
        work = Path(folder)
        for notebook in notebooks:
            ours, theirs, floor = Timings(), Timings(), Timings()
            for _ in range(runs):
                run_scaffold(notebook, work, ours)
                if soorgeon is not None:
                    run_soorgeon(soorgeon, notebook, work, theirs)
                run_nbconvert(notebook, work, floor)
            ratio = _ratio(ours.median, theirs.median)
            if ratio is not None:
                ratios[notebook] = ratio
            named = {"scaffold": ours, "soorgeon": theirs, "nbconvert": floor}
            notes = [f"{name}: {t.failure}" for name, t in named.items() if t.failure]
            notes += [f"soorgeon {' '.join(theirs.options)}"] if theirs.options else []
            print(
                f"  {notebook.stem[:32]:<32} {figure(ours.median)} {figure(theirs.median)} "
                f"{figure(ratio)} {figure(floor.median)} "
                f"{figure(_ratio(ours.median, floor.median))}"
                + (f"  ({'; '.join(notes)})" if notes else ""),
                flush=True,
            )
    gallery = [ratio for notebook, ratio in ratios.items() if notebook != EXAMPLE]
    if gallery:
        median = statistics.median(gallery)
        verdict = "ok" if median <= RATIO_AIM else "MISSED"
        print(
            f"  median scaffold/soorgeon ratio over {len(gallery)} gallery notebooks: "
            f"{median:.3f} (min {min(gallery):.3f}, max {max(gallery):.3f}); "
            f"aim <= {RATIO_AIM}: {verdict}"
        )
    print(flush=True)


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return ours / theirs if ours is not None and theirs else None


def scaling(sizes: Sequence[int], runs: int) -> None:
    """scaffold's CPU time per cell on synthetic notebooks of growing size."""
    print(f"synthetic notebooks (CPU s, median of {runs} interleaved runs)")
    print(f"  {'cells':>6} {'seconds':>8} {'ms/cell':>8} {'ms/added cell':>14}")
    with tempfile.TemporaryDirectory(prefix="bench-scaffold-synthetic-") as folder:
        work = Path(folder)
        paths = {}
        for size in sizes:
            paths[size] = work / f"synthetic_{size}.ipynb"
            nbformat.write(synthetic(size), paths[size])
        timings = {size: Timings() for size in sizes}
        for _ in range(runs):
            for size in sizes:
                run_scaffold(paths[size], work, timings[size])
        added: dict[int, float] = {}  # the cost of the cells added since the size before
        previous: tuple[int, float] | None = None
        for size in sizes:
            median = timings[size].median
            if median is not None and previous is not None:
                added[size] = 1000 * (median - previous[1]) / (size - previous[0])
            if median is not None:
                previous = (size, median)
            aim = ""
            if size == max(sizes) and median is not None and size >= 2000:
                aim = f"  aim < {LARGE_AIM_S} s: " + ("ok" if median < LARGE_AIM_S else "SLOW")
            note = f"  ({timings[size].failure})" if timings[size].failure else ""
            per_cell = 1000 * median / size if median is not None else None
            print(
                f"  {size:>6} {figure(median)} {figure(per_cell)} {figure(added.get(size), 14)}"
                f"{aim}{note}",
                flush=True,
            )
    if len(added) >= 2:
        first, last = min(added), max(added)
        print(
            f"  ms per added cell, last step / first step: {added[last] / added[first]:.2f} "
            "(about 1: linear; above: each cell costs more as the notebook grows)"
        )
    print(flush=True)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        help="a folder of notebooks (the built gallery corpus); default: the example only",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per notebook (default 3)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="synthetic sizes")
    parser.add_argument("--synthetic-runs", type=int, default=2, help="runs per size")
    parser.add_argument("--no-soorgeon", action="store_true", help="skip soorgeon")
    parser.add_argument("--no-synthetic", action="store_true", help="skip synthetic notebooks")
    parser.add_argument("--only", help="only notebooks whose stem contains this text")
    args = parser.parse_args()
    runs = max(1, args.runs)
    notebooks = [EXAMPLE, *(sorted(args.corpus.glob("*.ipynb")) if args.corpus else [])]
    if args.only:
        notebooks = [notebook for notebook in notebooks if args.only in notebook.stem]
    soorgeon = None if args.no_soorgeon else soorgeon_program()
    startup(max(3, runs))
    compare(notebooks, runs, soorgeon)
    if not args.no_synthetic:
        sizes = sorted(int(size) for size in args.sizes.split(",") if size.strip())
        scaling(sizes, max(1, args.synthetic_runs))


if __name__ == "__main__":
    main()
