"""Find the numbers the notebook printed for its metrics, and write the test that compares them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scaffold.extract import MetricSpec
from scaffold.extract.rewrites.metrics import REPORT_ROWS
from scaffold.notebook import Notebook

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class PrintedMetric:
    """A metric's value as the notebook printed it, and how many decimals it showed."""

    key: str
    value: float
    decimals: int


def printed_values(notebook: Notebook, specs: Sequence[MetricSpec]) -> tuple[PrintedMetric, ...]:
    """The printed value of each metric, read from its cell's stored output.

    Metrics of one cell are found in the order they were printed: a labelled one on the next
    line that starts with its label, an unlabelled one on the next line that holds only a number
    (its label having been printed on a line of its own).
    """
    found = []
    cursors: dict[int, int] = {}
    for spec in specs:
        lines = notebook.cells[spec.cell - 1].output_text.splitlines()
        start = cursors.get(spec.cell, 0)
        for index in range(start, len(lines)):
            value = _value_on(lines[index], spec.label.strip(), spec.column)
            if value is not None:
                found.append(PrintedMetric(spec.key, *value))
                # the other numbers of a report row are read from the same line
                cursors[spec.cell] = index if _row_continues(spec) else index + 1
                break
    return tuple(found)


def _row_continues(spec: MetricSpec) -> bool:
    """Whether more metrics are printed on the line of `spec` (a report row's columns)."""
    columns = {label: len(fields) for label, _, fields in REPORT_ROWS}
    return spec.column + 1 < columns.get(spec.label.strip(), 0)


def _value_on(line: str, label: str, column: int = 0) -> tuple[float, int] | None:
    text = line.strip().strip("'\"")  # a displayed string result shows its quotes
    if label:
        if not text.startswith(label):
            return None
        text = text[len(label) :].strip()
    for _ in range(column):  # skip the numbers before this column of a report row
        skipped = _NUMBER.match(text)
        if skipped is None:
            return None
        text = text[skipped.end() :].strip()
    match = _NUMBER.match(text)
    if match is None or (not label and text[match.end() :].strip() not in ("", "%")):
        return None
    number = match.group(0)
    mantissa = re.split(r"[eE]", number)[0]
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    if text[match.end() :].startswith("%"):
        return float(number) / 100, decimals + 2
    return float(number), decimals


UNSEEDED_TOLERANCE = 0.1
"""Relative tolerance when a random step has no seed: the notebook's own reruns differ."""


def reproduction_test(
    package: str,
    printed: Sequence[PrintedMetric],
    notebook_name: str,
    *,
    unseeded: bool = False,
    service: bool = True,
) -> str:
    """`tests/test_reproduction.py`: training must give the numbers the notebook printed."""
    tolerance = UNSEEDED_TOLERANCE if unseeded else 0.0
    why = (
        "# A random step of the notebook has no seed (see scaffold's warnings), so its numbers\n"
        "# change from run to run: they are compared within this relative tolerance.\n"
        if unseeded
        else "# Every random step is seeded: the numbers must match to the printed precision.\n"
    )
    fixture_import = f"\nfrom {package}.training import Trained\n" if service else ""
    fixture = "trained: Trained" if service else "metrics: dict[str, float]"
    metrics_expression = "trained.run.metrics" if service else "metrics"
    rows = "\n".join(
        f'    "{metric.key}": ({metric.value!r}, {metric.decimals}),' for metric in printed
    )
    return (
        f'''"""Training reproduces the metrics the notebook printed ({notebook_name}).

Each number is compared to the precision the notebook printed it with.
"""

import pytest
{fixture_import}
# metric -> (value printed by the notebook, decimals printed)
PRINTED = {{
{rows}
}}
{why}RELATIVE_TOLERANCE = {tolerance}


@pytest.mark.parametrize("metric", sorted(PRINTED))
def test_training_reproduces_the_notebook({fixture}, metric: str) -> None:
    printed, decimals = PRINTED[metric]
    actual = {metrics_expression}[metric]
    allowed = max(0.5 * 10**-decimals, RELATIVE_TOLERANCE * abs(printed)) + 1e-12
    assert abs(actual - printed) <= allowed, (
        f"{{metric}}: the pipeline computes {{actual:.{{decimals + 2}}f}}, "
        f"the notebook printed {{printed}}"
    )
'''
        if printed
        else f'''"""The notebook printed no metric scaffold could find ({notebook_name})."""

import math
{fixture_import}

def test_metrics_are_finite_numbers({fixture}) -> None:
    values = {metrics_expression}.values()
    assert all(isinstance(v, float) and math.isfinite(v) for v in values)
'''
    )
