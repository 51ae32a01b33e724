"""Live figures from the prediction log: input drift and quality from feedback."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .drift import DRIFT_THRESHOLD, MIN_ROWS, drift_report
from .prediction_log import PredictionLog


def _same(predicted: Any, actual: Any) -> bool:
    """Equal as numbers when both are numbers (1 == 1.0), else as text."""
    try:
        return float(predicted) == float(actual)
    except (TypeError, ValueError):
        return str(predicted) == str(actual)


def live_quality(task: str, logged: pd.DataFrame) -> dict[str, float]:
    """Accuracy (classification) or MAE/RMSE (regression) of rows that received feedback."""
    if logged.empty:
        return {}
    pairs = logged.dropna(subset=["outcome"])
    if pairs.empty:
        return {}
    if task == "classification":
        correct = [_same(p, o) for p, o in zip(pairs["prediction"], pairs["outcome"], strict=True)]
        return {"accuracy": sum(correct) / len(correct), "feedback_rows": float(len(correct))}
    errors = pd.to_numeric(pairs["prediction"]) - pd.to_numeric(pairs["outcome"])
    return {
        "mae": float(errors.abs().mean()),
        "rmse": float((errors**2).mean() ** 0.5),
        "feedback_rows": float(len(errors)),
    }


def monitoring_report(
    log: PredictionLog, reference: dict[str, Any], task: str, window: int
) -> dict[str, Any]:
    """Drift (PSI per feature) of the last `window` logged rows, and live quality."""
    logged = log.recent(window)
    inputs = pd.DataFrame(list(logged["inputs"])) if not logged.empty else pd.DataFrame()
    psi = drift_report(reference, inputs) if not inputs.empty else {}
    return {
        "rows": len(inputs),
        "psi": psi,
        "drifted_features": sorted(name for name, value in psi.items() if value > DRIFT_THRESHOLD),
        "drift_threshold": DRIFT_THRESHOLD,
        "drift_min_rows": MIN_ROWS,
        "live_quality": live_quality(task, log.recent(window, with_feedback=True)),
    }
