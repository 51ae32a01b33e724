"""Find the numbers the notebook printed for its metrics, and write the test that compares them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scaffold.extract import MetricSpec
from scaffold.notebook import Notebook

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class PrintedMetric:
    """A metric's value as the notebook printed it, and how many decimals it showed."""

    key: str
    value: float
    decimals: int


def printed_values(notebook: Notebook, specs: Sequence[MetricSpec]) -> tuple[PrintedMetric, ...]:
    """The printed value of each metric found in its cell's stored output."""
    found = []
    for spec in specs:
        cell = notebook.cells[spec.cell - 1]
        text = cell.output_text
        label = spec.label.strip()
        for line in text.splitlines():
            if label and not line.strip().startswith(label):
                continue
            match = _NUMBER.search(line[line.find(label) + len(label) :] if label else line)
            if match:
                number = match.group(0)
                decimals = (
                    len(number.split(".", 1)[1].split("e")[0].split("E")[0]) if "." in number else 0
                )
                found.append(PrintedMetric(spec.key, float(number), decimals))
                break
    return tuple(found)


UNSEEDED_TOLERANCE = 0.1
"""Relative tolerance when a random step has no seed: the notebook's own reruns differ."""


def reproduction_test(
    package: str, printed: Sequence[PrintedMetric], notebook_name: str, *, unseeded: bool = False
) -> str:
    """`tests/test_reproduction.py`: training must give the numbers the notebook printed."""
    tolerance = UNSEEDED_TOLERANCE if unseeded else 0.0
    why = (
        "# A random step of the notebook has no seed (see scaffold's warnings), so its numbers\n"
        "# change from run to run: they are compared within this relative tolerance.\n"
        if unseeded
        else "# Every random step is seeded: the numbers must match to the printed precision.\n"
    )
    rows = "\n".join(
        f'    "{metric.key}": ({metric.value!r}, {metric.decimals}),' for metric in printed
    )
    return (
        f'''"""Training reproduces the metrics the notebook printed ({notebook_name}).

Each number is compared to the precision the notebook printed it with.
"""

import pytest

from {package}.training import Trained

# metric -> (value printed by the notebook, decimals printed)
PRINTED = {{
{rows}
}}
{why}RELATIVE_TOLERANCE = {tolerance}


@pytest.mark.parametrize("metric", sorted(PRINTED))
def test_training_reproduces_the_notebook(trained: Trained, metric: str) -> None:
    printed, decimals = PRINTED[metric]
    actual = trained.run.metrics[metric]
    allowed = max(0.5 * 10**-decimals, RELATIVE_TOLERANCE * abs(printed)) + 1e-12
    assert abs(actual - printed) <= allowed, (
        f"{{metric}}: the pipeline computes {{actual:.{{decimals + 2}}f}}, "
        f"the notebook printed {{printed}}"
    )
'''
        if printed
        else f'''"""The notebook printed no metric scaffold could find ({notebook_name})."""

import math

from {package}.training import Trained


def test_metrics_are_finite_numbers(trained: Trained) -> None:
    metrics = trained.run.metrics
    assert all(isinstance(v, float) and math.isfinite(v) for v in metrics.values())
'''
    )
