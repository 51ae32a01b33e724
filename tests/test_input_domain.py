"""Row filters served as the model's input domain, learnt encoders, loops over several frames.

Before/after tests of the rewrites (`served_filter`, transformers keyed per loop iteration,
`unroll_frame_loops`); the equivalence of the generated projects is in
test_extract_equivalence.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import libcst as cst
import pytest

from scaffold.analysis import analyse
from scaffold.analysis.unroll import unroll_frame_loops
from scaffold.extract.rewrites.bin_edges import learn_bin_edges
from scaffold.extract.rewrites.row_filters import served_filter
from scaffold.extract.rewrites.training_only import is_training_only, uses_outcome
from scaffold.extract.rewrites.transformers import fit_transformers_once
from scaffold.notebook import Notebook
from scaffold.reading import read_notebook


def code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            'df = df.dropna(subset=["age"])',
            'df = state.keep_rows(df, df.dropna(subset=["age"]), '
            "'cell 4: df.dropna(subset=[\"age\"])', ['age'])",
            id="dropna-subset",
        ),
        pytest.param(
            "df = df.dropna()",
            "df = state.keep_rows(df, df.dropna(), 'cell 4: df.dropna()')",
            id="dropna-all-columns",
        ),
        pytest.param(
            'clean = df[df["age"] < 90]',
            'clean = state.keep_rows(df, df[df["age"] < 90], \'cell 4: df[df["age"] < 90]\', '
            "['age'])",
            id="boolean-filter-new-name",
        ),
        pytest.param(
            "df = df.loc[(df.age > 0) & df.fare.notna()]",
            "df = state.keep_rows(df, df.loc[(df.age > 0) & df.fare.notna()], "
            "'cell 4: df.loc[(df.age > 0) & df.fare.notna()]', ['age', 'fare'])",
            id="loc-mask-attributes",
        ),
        pytest.param(
            'df = df.drop(df[df["fare"] > 500].index)',
            'df = state.keep_rows(df, df.drop(df[df["fare"] > 500].index), '
            "'cell 4: df.drop(df[df[\"fare\"] > 500].index)', ['fare'])",
            id="drop-by-mask",
        ),
        pytest.param(
            'df = df.query("age < 90")',
            'df = state.keep_rows(df, df.query("age < 90"), \'cell 4: df.query("age < 90")\')',
            id="query",
        ),
    ],
)
def test_served_filter(before: str, after: str) -> None:
    node = served_filter(cst.parse_statement(before), 4)
    assert node is not None
    assert code(node) == after + "\n"


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("df = df.drop_duplicates()", id="duplicates-depend-on-other-rows"),
        pytest.param("df = df[~df.duplicated()]", id="duplicated-mask"),
        pytest.param("df = df.dropna(axis=1)", id="drops-columns"),
        pytest.param("df = df.sample(frac=0.5)", id="sample"),
        pytest.param("df = df[:100]", id="positions"),
        pytest.param("df = df[(np.abs(stats.zscore(df[cols])) < 3).all(axis=1)]", id="zscore"),
        pytest.param("df = df[df.index > 5]", id="index"),
        pytest.param("df = other[other.age > 0]", id="another-frame-s-mask-on-itself-only"),
    ],
)
def test_filters_that_depend_on_the_batch_stay_training_only(statement: str) -> None:
    node = cst.parse_statement(statement)
    if statement.startswith("df = other"):
        node = cst.parse_statement("df = df[other.age > 0]")
    assert served_filter(node, 4) is None


def test_a_learnt_threshold_is_served() -> None:
    statement = 'df = df[df["fare"] < state.statistic("q", lambda: df["fare"].quantile(0.99))]'
    assert served_filter(cst.parse_statement(statement), 2) is not None


def test_a_filter_on_the_outcome_is_training_only() -> None:
    node = cst.parse_statement('df = df[df["churn"].notna()]')
    assert uses_outcome(node, "churn")
    assert not uses_outcome(cst.parse_statement('df = df[df["age"] > 0]'), "churn")


def test_drop_by_a_mask_s_index_is_a_row_filter() -> None:
    node = cst.parse_statement('df = df.drop(df[df["a"] > 5].index)')
    assert is_training_only(node, None) == "drops rows (.drop(frame[...].index))"


def test_a_transformer_fitted_in_a_loop_is_kept_per_iteration() -> None:
    before = 'for col in ["sex", "port"]:\n    df[col] = encoder.fit_transform(df[col])\n'
    node = fit_transformers_once(cst.parse_statement(before), set())
    assert code(node) == (
        'for col in ["sex", "port"]:\n'
        '    df[col] = state.transformer(f"encoder_{col}", encoder, df[col])\n'
    )


# --- loops over several frames -----------------------------------------------------------


def notebook_of(make_notebook: Callable[..., Path], cells: list[str]) -> tuple[Notebook, list[str]]:
    notebook = unroll_frame_loops(read_notebook(make_notebook(cells)))
    return notebook, [cell.code for cell in notebook.code_cells]


def test_a_loop_over_a_list_of_frames_is_written_out_per_frame(
    make_notebook: Callable[..., Path],
) -> None:
    _, codes = notebook_of(
        make_notebook,
        [
            "combine = [train, test]",
            'for dataset in combine:\n    dataset["t"] = dataset.Name.str.len()\n'
            '    if "x" in dataset.columns:\n        dataset["x"] = 1',
            'for d in (train, test):\n    d.drop(columns=["y"], inplace=True)',
        ],
    )
    assert codes[1] == (
        'train["t"] = train.Name.str.len()\n'
        'if "x" in train.columns:\n    train["x"] = 1\n'
        'test["t"] = test.Name.str.len()\n'
        'if "x" in test.columns:\n    test["x"] = 1'
    )
    assert codes[2] == (
        'train.drop(columns=["y"], inplace=True)\ntest.drop(columns=["y"], inplace=True)'
    )


@pytest.mark.parametrize(
    "cells",
    [
        pytest.param(
            [
                "combine = [train, test]",
                "train = train.dropna()",
                "for d in combine:\n    d['a'] = 1",
            ],
            id="a-frame-rebound-since",
        ),
        pytest.param(["for d in [train, test]:\n    d = d.dropna()"], id="variable-rebound"),
        pytest.param(["for d in [train, test]:\n    if d.empty:\n        break"], id="break"),
        pytest.param(["for d in frames:\n    d['a'] = 1"], id="unknown-container"),
        pytest.param(["for i in [1, 2]:\n    print(i)"], id="not-names"),
    ],
)
def test_loops_that_are_not_equivalent_written_out_stay(
    make_notebook: Callable[..., Path], cells: list[str]
) -> None:
    notebook = read_notebook(make_notebook(cells))
    assert unroll_frame_loops(notebook) is notebook


def test_the_analysis_sees_frames_changed_through_the_loop(
    make_notebook: Callable[..., Path],
) -> None:
    path = make_notebook(
        [
            "import pandas as pd",
            'train = pd.read_csv("a.csv")\ntest = pd.read_csv("b.csv")',
            'combine = [train, test]\nfor dataset in combine:\n    dataset["t"] = 1',
        ]
    )
    cell = analyse(read_notebook(path)).cell(3)
    assert cell.symbols is not None
    assert {"train", "test"} <= cell.symbols.mutated_names


# --- bin edges learnt in training ----------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], 4, labels=[1, 2, 3, 4])',
            'df["band"] = pd.cut(df["fare"], state.statistic(\'fare_bins\', lambda: '
            'pd.qcut(df["fare"], 4, retbins=True)[1]), labels=[1, 2, 3, 4], '
            "include_lowest=True)",
            id="qcut",
        ),
        pytest.param(
            'df["band"] = pd.cut(df["age"], 5)',
            'df["band"] = pd.cut(df["age"], state.statistic(\'age_bins\', lambda: '
            'pd.cut(df["age"], 5, retbins=True)[1]), include_lowest=True)',
            id="cut-by-count",
        ),
        pytest.param(
            'df["band"] = pd.cut(df["age"], [0, 18, 65, 120])',
            'df["band"] = pd.cut(df["age"], [0, 18, 65, 120])',
            id="explicit-edges-unchanged",
        ),
    ],
)
def test_learn_bin_edges(before: str, after: str) -> None:
    node = learn_bin_edges(cst.parse_statement(before), set(), {"pd": "pandas"}, "pd.cut")
    assert code(node) == after + "\n"


@pytest.mark.parametrize(
    "statement",
    [
        'x = df.drop("churn", axis=1)',
        'x = df.drop(columns=["churn", "id"])',
        "x = df.drop(['churn'], axis='columns')",
    ],
)
def test_dropping_the_outcome_column_works_on_a_request_too(statement: str) -> None:
    """A request's outcome comes back empty: dropping it is no training-only step."""
    node = cst.parse_statement(statement)
    assert is_training_only(node, "churn") is None
    assert not uses_outcome(node, "churn")


def test_selecting_rows_by_the_outcome_stays_training_only() -> None:
    node = cst.parse_statement('df = df.drop(df[df["churn"] > 1].index)')
    assert is_training_only(node, "churn") is not None
    assert uses_outcome(node, "churn")
