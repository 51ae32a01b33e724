"""Reference statistics of the training inputs, and the population stability index (PSI)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

BINS = 10
EPSILON = 1e-4  # floor for empty bins, so the logarithm stays finite
DRIFT_THRESHOLD = 0.2  # PSI above this is commonly read as a significant shift
MIN_ROWS = 100  # below this, sampling noise alone gives a PSI near the threshold


def reference_statistics(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per column: quantile bin edges and proportions (numbers) or category proportions."""
    reference: dict[str, dict[str, Any]] = {}
    for name in frame.columns:
        series = frame[name].dropna()
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            edges = np.unique(np.quantile(series.astype(float), np.linspace(0, 1, BINS + 1)))
            inner = [float(edge) for edge in edges[1:-1]]
            reference[str(name)] = {
                "kind": "numeric",
                "edges": inner,
                "proportions": _numeric_proportions(series, inner),
            }
        else:
            shares = series.astype(str).value_counts(normalize=True)
            reference[str(name)] = {
                "kind": "categorical",
                "proportions": {str(key): float(value) for key, value in shares.items()},
            }
    return reference


def _numeric_proportions(series: pd.Series, inner_edges: list[float]) -> list[float]:
    counts = np.bincount(
        np.searchsorted(inner_edges, series.astype(float), side="right"),
        minlength=len(inner_edges) + 1,
    )
    return [float(count) / max(len(series), 1) for count in counts]


def _psi(expected: list[float], actual: list[float]) -> float:
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        e, a = max(e, EPSILON), max(a, EPSILON)
        total += (a - e) * math.log(a / e)
    return total


def psi(reference: dict[str, Any], series: pd.Series) -> float | None:
    """PSI of `series` against one column's reference; None when there is nothing to compare."""
    values = series.dropna()
    if values.empty:
        return None
    if reference["kind"] == "numeric":
        numbers = pd.to_numeric(values, errors="coerce").dropna()
        if numbers.empty:
            return None
        actual = _numeric_proportions(numbers, reference["edges"])
        return _psi(reference["proportions"], actual)
    expected_shares: dict[str, float] = reference["proportions"]
    shares = values.astype(str).value_counts(normalize=True)
    keys = sorted(set(expected_shares) | set(shares.index))
    return _psi(
        [expected_shares.get(key, 0.0) for key in keys],
        [float(shares.get(key, 0.0)) for key in keys],
    )


def drift_report(
    reference: dict[str, dict[str, Any]], frame: pd.DataFrame, min_rows: int = MIN_ROWS
) -> dict[str, float]:
    """PSI per feature of `frame` against the training reference; empty below `min_rows`."""
    report: dict[str, float] = {}
    if len(frame) < min_rows:
        return report
    for name, column_reference in reference.items():
        if name in frame.columns:
            value = psi(column_reference, frame[name])
            if value is not None:
                report[name] = round(value, 6)
    return report
