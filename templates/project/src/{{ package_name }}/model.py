"""The model the service calls, and the result of one training run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .learnt import FeatureState

FeatureStep = Callable[[pd.DataFrame, FeatureState], pd.DataFrame]


@dataclass
class Model:
    """The one object the service calls: raw input rows in, predictions out."""

    estimator: Any
    features: FeatureStep | None
    state: FeatureState
    input_columns: list[str]

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Select the input columns, apply the feature step, then the estimator."""
        rows = frame[self.input_columns]
        if self.features is not None:
            rows = self.features(rows, self.state)
        return np.asarray(self.estimator.predict(rows))


@dataclass(frozen=True)
class TrainingRun:
    """What `pipeline.train` returns."""

    model: Model
    metrics: dict[str, float]
    inputs: pd.DataFrame
    target: pd.Series
