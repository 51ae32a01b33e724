"""Batch scoring: one pure function shared by the service, the CLI and distributed engines."""

from __future__ import annotations

import pandas as pd

from .model import Model


def predict_batch(model: Model, frame: pd.DataFrame) -> pd.Series:
    """Score `frame` and return a `prediction` series aligned with its index.

    Pure (no I/O, no global state), so Dask's `map_partitions`, Ray's `map_batches` or
    Spark's `mapInPandas` can call it on each partition.
    """
    return pd.Series(model.predict(frame), index=frame.index, name="prediction")
