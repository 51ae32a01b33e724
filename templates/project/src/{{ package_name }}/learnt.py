"""Statistics learnt once in training and replayed, never recomputed, when serving."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")


class FeatureState:
    """What the feature step learns from data: fill values, column sets, fitted transformers.

    While fitting, each call computes and records; once frozen, each call returns what was
    recorded, so a row scored alone gets the same features as in a batch.
    """

    def __init__(self) -> None:
        self.statistics: dict[str, Any] = {}
        self.column_sets: dict[str, list[str]] = {}
        self.transformers: dict[str, Any] = {}
        self.category_sets: dict[str, dict[str, list[Any]]] = {}
        self._frozen = False

    @property
    def frozen(self) -> bool:
        """Whether the state replays recorded values instead of learning."""
        return self._frozen

    @property
    def fitting(self) -> bool:
        """Whether the state is learning (training) rather than replaying (serving)."""
        return not self._frozen

    def statistic(self, name: str, compute: Callable[[], T]) -> T:
        """Return statistic `name`; `compute` runs only while fitting."""
        if not self._frozen:
            self.statistics[name] = compute()
        return self._recorded(self.statistics, name)

    def columns(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Record `frame`'s columns while fitting; afterwards reindex to them (missing -> 0)."""
        if not self._frozen:
            self.column_sets[name] = [str(column) for column in frame.columns]
            return frame
        return frame.reindex(columns=self._recorded(self.column_sets, name), fill_value=0)

    def categories(
        self, name: str, data: pd.DataFrame, columns: list[str] | None = None
    ) -> pd.DataFrame:
        """Give categorical columns the levels seen in training, so dummies match.

        While fitting, records the sorted levels of `columns` (default: the text and
        categorical columns); afterwards the recorded levels are applied, and a level never
        seen in training becomes missing (all its dummy columns 0).
        """
        if not self._frozen:
            chosen = columns if columns is not None else _categorical_columns(data)
            self.category_sets[name] = {
                str(column): pd.Categorical(data[column].dropna()).categories.tolist()
                for column in chosen
            }
        levels = self._recorded(self.category_sets, name)
        return data.astype(
            {column: pd.CategoricalDtype(values) for column, values in levels.items()}
        )

    def transformer(self, name: str, transformer: Any, frame: pd.DataFrame) -> Any:
        """Fit and keep `transformer` while fitting; afterwards transform with the kept one."""
        if not self._frozen:
            self.transformers[name] = transformer
            return transformer.fit_transform(frame)
        return self._recorded(self.transformers, name).transform(frame)

    def freeze(self) -> FeatureState:
        """Return a frozen copy for serving."""
        frozen = copy.deepcopy(self)
        frozen._frozen = True
        return frozen

    def _recorded(self, store: dict[str, Any], name: str) -> Any:
        if name not in store:
            raise KeyError(
                f"feature state has no recorded value {name!r}; was it learnt in training?"
            )
        return store[name]

    def __repr__(self) -> str:
        return (
            f"FeatureState(frozen={self._frozen}, statistics={sorted(self.statistics)}, "
            f"column_sets={sorted(self.column_sets)}, category_sets={sorted(self.category_sets)}, "
            f"transformers={sorted(self.transformers)})"
        )


def _categorical_columns(data: pd.DataFrame) -> list[str]:
    """The columns `pd.get_dummies` encodes when it is given none: text and categories."""
    chosen = data.select_dtypes(include=["object", "category", "string"]).columns
    return [str(column) for column in chosen]
