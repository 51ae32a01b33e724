"""CPU time of rendering the project template, and of `scaffold lint-templates`.

Not a test: prints figures. Each figure is the CPU time (user + system, git and ruff
subprocesses included) in a fresh Python process. `first render` is what a user's run pays:
importing the renderer and rendering once (`first render, cold cache`: with an empty cache of
compiled templates, `$SCAFFOLD_CACHE_DIR`); `render` is a second render in that process. With
`--against DIR` (another checkout of scaffold, say the main branch) the two run in interleaved
pairs under the same machine load, and the ratio is printed.

    python benchmarks/bench_render.py [--runs N] [--against ../main] [--lint]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RENDER = """
import json, resource, sys, time
from pathlib import Path
def cpu():
    usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)
start = cpu()
from scaffold.render import render_project
render_project(Path(sys.argv[1]) / "first", {"package_name": "demo"})
first = cpu() - start
start, wall = cpu(), time.perf_counter()
render_project(Path(sys.argv[1]) / "timed", {"package_name": "demo"})
print(json.dumps({"first": first, "cpu": cpu() - start, "wall": time.perf_counter() - wall}))
"""


def render_cpu(tree: Path, store: Path, cold: bool = False) -> dict[str, float]:
    """CPU seconds of a first render (imports included) and a second one by `tree`'s scaffold.

    The store already holds the template's tag (`prepare`); `cold`: no compiled template kept.
    """
    with tempfile.TemporaryDirectory() as scratch:
        environment = {**os.environ, "PYTHONPATH": str(tree), "SCAFFOLD_TEMPLATE_STORE": str(store)}
        if cold:
            environment["SCAFFOLD_CACHE_DIR"] = str(Path(scratch) / "cache")
        result = subprocess.run(
            [sys.executable, "-c", RENDER, scratch],
            env=environment, cwd=scratch, capture_output=True, text=True, check=True,
        )  # fmt: skip
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def lint_cpu(tree: Path, store: Path) -> dict[str, float]:
    """CPU and wall seconds of `python -m scaffold lint-templates` by the scaffold in `tree`."""
    code = (
        "import json, resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run([sys.executable, '-m', 'scaffold', 'lint-templates'], check=True,"
        " capture_output=True)\n"
        "c = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'cpu': c.ru_utime + c.ru_stime, 'wall': time.perf_counter() - start}))\n"
    )
    with tempfile.TemporaryDirectory() as scratch:
        environment = {**os.environ, "PYTHONPATH": str(tree), "SCAFFOLD_TEMPLATE_STORE": str(store)}
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=environment, cwd=scratch, capture_output=True, text=True, check=True,
        )  # fmt: skip
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--against", type=Path, help="another scaffold checkout to compare with")
    parser.add_argument("--lint", action="store_true", help="also time lint-templates (slow)")
    args = parser.parse_args()
    trees = [ROOT] + ([args.against.resolve()] if args.against else [])
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} CPU(s)")
    with tempfile.TemporaryDirectory() as stores:
        for tree in trees:  # the store's tag of the template, and compiled templates kept
            render_cpu(tree, Path(stores) / tree.name / "templates")
        kinds: list[tuple[str, Callable[[Path, Path], float]]] = [
            ("first render", lambda tree, store: render_cpu(tree, store)["first"]),
            ("first, cold", lambda tree, store: render_cpu(tree, store, cold=True)["first"]),
            ("render", lambda tree, store: render_cpu(tree, store)["cpu"]),
        ]
        if args.lint:
            kinds.append(("lint-templates", lambda tree, store: lint_cpu(tree, store)["cpu"]))
        for name, measure in kinds:
            runs = max(1, args.runs if name != "lint-templates" else min(args.runs, 2))
            figures: dict[Path, list[float]] = {tree: [] for tree in trees}
            for _ in range(runs):
                for tree in trees:  # interleaved: both see the same load
                    store = Path(stores) / tree.name / "templates"
                    figures[tree].append(measure(tree, store))
            for tree in trees:
                cpu = figures[tree]
                print(
                    f"{name:<15} {tree}: CPU median {statistics.median(cpu):.3f} s "
                    f"(min {min(cpu):.3f}, max {max(cpu):.3f}, {runs} runs)"
                )
            if args.against:
                ratio = statistics.median(figures[ROOT]) / statistics.median(figures[trees[1]])
                print(f"{name:<15} ratio this / against: {ratio:.2f}")


if __name__ == "__main__":
    main()
