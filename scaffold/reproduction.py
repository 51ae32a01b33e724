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


def reproduction_test(package: str, printed: Sequence[PrintedMetric], notebook_name: str) -> str:
    """`tests/test_reproduction.py`: training must give the numbers the notebook printed."""
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


@pytest.mark.parametrize("metric", sorted(PRINTED))
def test_training_reproduces_the_notebook(trained: Trained, metric: str) -> None:
    printed, decimals = PRINTED[metric]
    actual = trained.run.metrics[metric]
    assert abs(actual - printed) <= 0.5 * 10**-decimals + 1e-12, (
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
