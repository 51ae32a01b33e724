"""Verify a generated project: its tests pass and its training gives the notebook's numbers.

Everything runs in subprocesses with the current interpreter; nothing is installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from scaffold.reproduction import PrintedMetric, relative_tolerance

TIMEOUT_S = 900
Outcome = Literal["match", "mismatch", "not comparable", "failed"]


@dataclass(frozen=True)
class Comparison:
    """One printed metric against what the project's training computed."""

    key: str
    printed: float
    computed: float | None
    matches: bool


@dataclass(frozen=True)
class Verification:
    """What verifying the project found."""

    outcome: Outcome
    message: str
    comparisons: tuple[Comparison, ...] = ()


def importable(modules: Iterable[str]) -> list[str]:
    """The top-level modules among `modules` that cannot be imported here."""
    missing = []
    for module in sorted({m.split(".", 1)[0] for m in modules if m and not m.startswith(".")}):
        if importlib.util.find_spec(module) is None:
            missing.append(module)
    return missing


def verify_project(
    project: Path,
    package: str,
    printed: Sequence[PrintedMetric],
    *,
    unseeded: bool,
    stage_hint: str,
    threaded: bool = False,
    unmatched: Sequence[str] = (),
) -> Verification:
    """Run the project's tests, then `train`, and compare the metrics with the notebook's.

    `unmatched`: printed lines that look like metrics, when none of them is in `printed`.
    """
    project = project.resolve()
    environment = {**os.environ, "PYTHONPATH": str(project / "src")}
    tests = _run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-rfE", "-p", "no:cacheprovider"], project
    )
    if tests.returncode != 0:
        last = (tests.stdout.strip().splitlines() or ["no output"])[-1]
        failing = first_failure(tests.stdout)
        which = f"{failing} fails" if failing else "the project's tests fail"
        return Verification("failed", f"{which} ({last}); run pytest in {project}")
    train = _run([sys.executable, "-m", package, "train"], project, environment)
    if train.returncode != 0:
        last = (train.stderr.strip().splitlines() or ["no output"])[-1]
        return Verification("failed", f"`python -m {package} train` failed: {last}")
    metrics_file = project / "artifacts" / "metrics.json"
    computed = (
        json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.is_file() else {}
    )
    if not printed and unmatched:
        return Verification(
            "not comparable",
            "the notebook printed numbers that look like metrics, but scaffold matched none of "
            f"them to the pipeline's metrics ({'; '.join(unmatched)}): compare them by hand",
        )
    if not printed:
        return Verification(
            "not comparable", "the notebook printed no metric scaffold could find to compare"
        )
    tolerance = relative_tolerance(unseeded=unseeded, threaded=threaded)
    comparisons = tuple(_compare(metric, computed.get(metric.key), tolerance) for metric in printed)
    wrong = [c for c in comparisons if not c.matches]
    if wrong:
        first = wrong[0]
        return Verification(
            "mismatch",
            f"{first.key}: the notebook printed {first.printed}, the pipeline computes "
            f"{first.computed}; {stage_hint}",
            comparisons,
        )
    return Verification("match", f"{len(comparisons)} metrics match the notebook", comparisons)


def first_failure(output: str) -> str | None:
    """The first failing test pytest's summary names (`tests/test_x.py::test_y[case]`)."""
    for line in output.splitlines():
        kind, _, rest = line.partition(" ")
        if kind in ("FAILED", "ERROR") and rest:
            return rest.split(" - ", 1)[0].strip()
    return None


def _compare(metric: PrintedMetric, computed: object, tolerance: float) -> Comparison:
    if not isinstance(computed, int | float) or isinstance(computed, bool):
        return Comparison(metric.key, metric.value, None, False)
    allowed = max(0.5 * 10**-metric.decimals, tolerance * abs(metric.value)) + 1e-12
    return Comparison(
        metric.key, metric.value, float(computed), abs(computed - metric.value) <= allowed
    )


def _run(
    command: list[str], cwd: Path, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", f"timed out after {TIMEOUT_S} s")
