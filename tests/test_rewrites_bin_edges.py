"""Before/after tests of `rewrites/bin_edges.py`: data-driven bins learn their edges once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst
import numpy as np
import pandas as pd
import pytest

from scaffold.extract.rewrites.bin_edges import learn_bin_edges


def rewritten(source: str, taken: set[str] | None = None) -> str:
    node = learn_bin_edges(cst.parse_statement(source), set() if taken is None else taken)
    return cst.Module(body=[node]).code.strip()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], 4, labels=False)',
            'df["band"] = pd.cut(df["fare"], state.statistic(\'fare_bins\', lambda: '
            'pd.qcut(df["fare"], 4, retbins=True)[1]), labels=False, include_lowest=True)',
            id="qcut-positional",
        ),
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], q=[0, .5, 1], duplicates="drop")',
            'df["band"] = pd.cut(df["fare"], state.statistic(\'fare_bins\', lambda: '
            'pd.qcut(df["fare"], q=[0, .5, 1], duplicates="drop", retbins=True)[1]), '
            'duplicates="drop", include_lowest=True)',
            id="qcut-keywords",
        ),
        pytest.param(
            'df["band"] = pd.cut(df["age"], 5)',
            'df["band"] = pd.cut(df["age"], state.statistic(\'age_bins\', lambda: '
            'pd.cut(df["age"], 5, retbins=True)[1]), include_lowest=True)',
            id="cut-number-of-bins",
        ),
        pytest.param(
            'df["band"] = pd.cut(df["age"], bins=5, labels=False)',
            'df["band"] = pd.cut(df["age"], state.statistic(\'age_bins\', lambda: '
            'pd.cut(df["age"], bins=5, retbins=True)[1]), labels=False, include_lowest=True)',
            id="cut-bins-keyword",
        ),
        pytest.param(
            "df['b'] = pd.qcut(df.fare, 4, retbins=False, include_lowest=False)",
            "df['b'] = pd.cut(df.fare, state.statistic('binned_bins', lambda: "
            "pd.qcut(df.fare, 4, retbins=True)[1]), include_lowest=True)",
            id="edge-arguments-replaced",
        ),
        pytest.param(
            'df["Fare Band"] = pd.qcut(df["Fare Band"], 4)',
            'df["Fare Band"] = pd.cut(df["Fare Band"], state.statistic(\'fare_band_bins\', '
            'lambda: pd.qcut(df["Fare Band"], 4, retbins=True)[1]), include_lowest=True)',
            id="column-named-as-identifier",
        ),
    ],
)
def test_data_driven_bins_learn_their_edges(before: str, after: str) -> None:
    assert rewritten(before) == after


def test_a_taken_name_gets_a_suffix() -> None:
    taken = {"fare_bins"}
    assert "state.statistic('fare_bins_2'," in rewritten('x = pd.qcut(df["fare"], 4)', taken)
    assert taken == {"fare_bins", "fare_bins_2"}


@pytest.mark.parametrize(
    ("learnt", "kept"),
    [
        pytest.param(
            'df["band"] = pd.cut(df["age"], 3)',
            'df["band"] = pd.cut(df["age"], [0, 18, 65, 120])',
            id="cut-with-explicit-edges",
        ),
        pytest.param(
            'df["band"] = pd.cut(df["age"], bins=3)',
            'df["band"] = pd.cut(df["age"], bins=[0, 18, 65])',
            id="cut-with-explicit-edges-keyword",
        ),
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], 4)',
            "for column in columns:\n    df[column] = pd.qcut(df[column], 4)",
            id="in-a-loop",
        ),
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], 4)',
            "to_bands = lambda s: pd.qcut(s, 4)",
            id="in-a-lambda",
        ),
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], 4)',
            "def to_bands(s):\n    return pd.qcut(s, 4)",
            id="in-a-function",
        ),
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], 4)',
            'df["band"] = pd.qcut(x=df["fare"], q=4)',
            id="values-by-keyword",
        ),
    ],
)
def test_the_rewrite_stops_where_edges_are_given_or_unclear(learnt: str, kept: str) -> None:
    assert "state.statistic(" in rewritten(learnt)  # its near twin is rewritten
    assert rewritten(kept) == kept


class TrainedState:
    """The generated `FeatureState.statistic`: computed while fitting, then recorded."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.frozen = False

    def statistic(self, name: str, compute: Callable[[], Any]) -> Any:
        if not self.frozen:
            self.values[name] = compute()
        return self.values[name]


@pytest.mark.parametrize(
    "source",
    [
        'df["band"] = pd.qcut(df["fare"], 4, labels=False)',
        'df["band"] = pd.cut(df["fare"], 3, labels=False)',
    ],
)
def test_training_gets_the_notebooks_bins_and_a_single_row_the_learnt_ones(source: str) -> None:
    rows = pd.DataFrame({"fare": np.random.default_rng(0).gamma(2.0, 10.0, 200)})
    notebook: dict[str, Any] = {"pd": pd, "df": rows.copy()}
    exec(source, notebook)
    state = TrainedState()
    generated: dict[str, Any] = {"pd": pd, "df": rows.copy(), "state": state}
    exec(rewritten(source), generated)
    assert generated["df"]["band"].tolist() == notebook["df"]["band"].tolist()

    state.frozen = True
    one = rows.iloc[[17]].copy()
    served: dict[str, Any] = {"pd": pd, "df": one, "state": state}
    exec(rewritten(source), served)
    assert served["df"]["band"].tolist() == notebook["df"]["band"].iloc[[17]].tolist()
