"""Expectations learnt from training inputs, and the check of new rows against them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

RANGE_MARGIN = 0.1  # fraction of the observed span allowed beyond the training range
MISSING_SLACK = 0.05  # absolute rise in the missing rate allowed over training


@dataclass(frozen=True)
class ColumnExpectation:
    """What one column looked like in training."""

    name: str
    dtype: str
    max_missing_rate: float
    minimum: float | None = None
    maximum: float | None = None
    categories: list[Any] | None = None


@dataclass(frozen=True)
class Expectations:
    """What the training inputs looked like, column by column."""

    columns: list[ColumnExpectation]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict."""
        return {"columns": [asdict(column) for column in self.columns]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Expectations:
        """Inverse of `to_dict`."""
        return cls([ColumnExpectation(**column) for column in data["columns"]])


@dataclass(frozen=True)
class ValidationReport:
    """The failed checks; empty when the rows meet every expectation."""

    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures

    def __str__(self) -> str:
        return "all checks passed" if self.ok else "\n".join(f"- {f}" for f in self.failures)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def learn_expectations(frame: pd.DataFrame) -> Expectations:
    """Learn each column's dtype, missing rate, range (with a margin) and category set."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        missing = float(series.isna().mean())
        expectation = ColumnExpectation(
            name=str(name),
            dtype=str(series.dtype),
            max_missing_rate=min(1.0, missing + MISSING_SLACK),
        )
        values = series.dropna()
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            if not values.empty:
                low, high = float(values.min()), float(values.max())
                margin = (high - low) * RANGE_MARGIN
                expectation = ColumnExpectation(
                    **{**asdict(expectation), "minimum": low - margin, "maximum": high + margin}
                )
        elif not pd.api.types.is_bool_dtype(series):
            categories = sorted({_plain(value) for value in values}, key=str)
            expectation = ColumnExpectation(**{**asdict(expectation), "categories": categories})
        columns.append(expectation)
    return Expectations(columns)


def _check_column(series: pd.Series, expected: ColumnExpectation) -> list[str]:
    failures = []
    name = expected.name
    if str(series.dtype) != expected.dtype:
        numeric_both = pd.api.types.is_numeric_dtype(series) and expected.minimum is not None
        if not numeric_both:
            failures.append(f"{name}: dtype {series.dtype}, expected {expected.dtype}")
    missing = float(series.isna().mean()) if len(series) else 0.0
    if missing > expected.max_missing_rate:
        failures.append(
            f"{name}: {missing:.1%} missing, at most {expected.max_missing_rate:.1%} expected"
        )
    values = series.dropna()
    if expected.minimum is not None and expected.maximum is not None and not values.empty:
        numbers = pd.to_numeric(values, errors="coerce")
        outside = int(((numbers < expected.minimum) | (numbers > expected.maximum)).sum())
        if outside:
            failures.append(
                f"{name}: {outside} values outside [{expected.minimum:.4g}, {expected.maximum:.4g}]"
            )
    if expected.categories is not None:
        unknown = sorted({str(_plain(v)) for v in values} - {str(c) for c in expected.categories})
        if unknown:
            failures.append(f"{name}: unknown categories {unknown[:10]}")
    return failures


def validate(frame: pd.DataFrame, expectations: Expectations) -> ValidationReport:
    """Check `frame` against `expectations`; report every failed check."""
    failures: list[str] = []
    if frame.empty:
        failures.append("no rows")
    expected_names = [column.name for column in expectations.columns]
    missing = [name for name in expected_names if name not in frame.columns]
    unexpected = [str(name) for name in frame.columns if name not in expected_names]
    if missing:
        failures.append(f"missing columns: {missing}")
    if unexpected:
        failures.append(f"unexpected columns: {unexpected}")
    for expected in expectations.columns:
        if expected.name in frame.columns:
            failures.extend(_check_column(frame[expected.name], expected))
    return ValidationReport(failures)
