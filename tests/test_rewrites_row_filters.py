"""Before/after tests of `rewrites/row_filters.py`: per-row filters become served filters."""

from __future__ import annotations

import libcst as cst
import pytest

from scaffold.extract.rewrites.row_filters import MAX_CONDITION, served_filter


def served(source: str, cell: int = 7) -> str | None:
    node = served_filter(cst.parse_statement(source), cell)
    return None if node is None else cst.Module(body=[node]).code.strip()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            'df = df.dropna(subset=["age"])',
            'df = state.keep_rows(df, df.dropna(subset=["age"]), '
            "'cell 7: df.dropna(subset=[\"age\"])', ['age'])",
            id="dropna-subset-list",
        ),
        pytest.param(
            'df = df.dropna(subset="age")',
            'df = state.keep_rows(df, df.dropna(subset="age"), '
            "'cell 7: df.dropna(subset=\"age\")', ['age'])",
            id="dropna-subset-string",
        ),
        pytest.param(
            "df = df.dropna()",
            "df = state.keep_rows(df, df.dropna(), 'cell 7: df.dropna()')",
            id="dropna-any-column",
        ),
        pytest.param(
            'df = df.dropna(axis="index", how="any")',
            'df = state.keep_rows(df, df.dropna(axis="index", how="any"), '
            '\'cell 7: df.dropna(axis="index", how="any")\')',
            id="dropna-rows-axis",
        ),
        pytest.param(
            "df = df[df.age < 90]",
            "df = state.keep_rows(df, df[df.age < 90], 'cell 7: df[df.age < 90]', ['age'])",
            id="mask-attribute",
        ),
        pytest.param(
            'adults = df.loc[(df["age"] >= 18) & (df.income.notna())]',
            'adults = state.keep_rows(df, df.loc[(df["age"] >= 18) & (df.income.notna())], '
            "'cell 7: df.loc[(df[\"age\"] >= 18) & (df.income.notna())]', ['age', 'income'])",
            id="loc-mask-into-another-name",
        ),
        pytest.param(
            'df = df[~df["city"].isin(["x", "y"])]',
            'df = state.keep_rows(df, df[~df["city"].isin(["x", "y"])], '
            '\'cell 7: df[~df["city"].isin(["x", "y"])]\', [\'city\'])',
            id="negated-per-value-test",
        ),
        pytest.param(
            'df = df.query("age < 90")',
            'df = state.keep_rows(df, df.query("age < 90"), \'cell 7: df.query("age < 90")\')',
            id="query",
        ),
        pytest.param(
            "df = df.drop(df[df.age > 90].index)",
            "df = state.keep_rows(df, df.drop(df[df.age > 90].index), "
            "'cell 7: df.drop(df[df.age > 90].index)', ['age'])",
            id="drop-by-mask",
        ),
        pytest.param(
            "df = df.drop(index=df.loc[df.age > 90].index)",
            "df = state.keep_rows(df, df.drop(index=df.loc[df.age > 90].index), "
            "'cell 7: df.drop(index=df.loc[df.age > 90].index)', ['age'])",
            id="drop-index-keyword",
        ),
        pytest.param(
            'df = df[df.fare < state.statistic("q", lambda: df.fare.quantile(0.99))]',
            'df = state.keep_rows(df, df[df.fare < state.statistic("q", lambda: '
            'df.fare.quantile(0.99))], \'cell 7: df[df.fare < state.statistic("q", lambda: '
            "df.fare.quantile(0.99))]', ['fare'])",
            id="learnt-threshold",
        ),
    ],
)
def test_a_per_row_filter_is_served(before: str, after: str) -> None:
    assert served(before) == after


@pytest.mark.parametrize(
    ("twin", "kept"),
    [
        pytest.param("df = df.dropna(axis=0)", "df = df.dropna(axis=1)", id="dropna-columns"),
        pytest.param(
            "df = df.dropna(axis=0)", 'df = df.dropna(axis="columns")', id="dropna-columns-named"
        ),
        pytest.param("df = df.dropna(how='all')", "df = df.dropna(thresh=3)", id="dropna-thresh"),
        pytest.param(
            'df = df.dropna(subset=["a"])', "df = df.dropna(subset=cols)", id="subset-unknown"
        ),
        pytest.param(
            "df = df[df.age < 90]", "df = df[df.age < df.age.mean()]", id="threshold-of-the-batch"
        ),
        pytest.param("df = df[df.age < 90]", "df = df[df.index > 3]", id="positions"),
        pytest.param("df = df[df.age < 90]", 'df = df[["a", "b"]]', id="column-selection"),
        pytest.param("df = df[df.age < 90]", "df = df[1:10]", id="slice"),
        pytest.param("df = df[df.age < 90]", "df = df[mask]", id="mask-from-elsewhere"),
        pytest.param("df = df[df.age < 90]", "df = other[df.age < 90]", id="mask-of-another-frame"),
        pytest.param("df = df.dropna()", "df = df.drop_duplicates()", id="duplicates"),
        pytest.param("df = df.dropna()", "df = df.sample(frac=0.5)", id="sampling"),
        pytest.param('df = df.query("a > 1")', "df = df.query(condition)", id="query-unknown"),
        pytest.param(
            "df = df.drop(df[df.age > 90].index)",
            "df = df.drop(df[df.age > 90].index, inplace=False)",
            id="drop-more-arguments",
        ),
        pytest.param(
            "df = df.drop(df[df.age > 90].index)", 'df = df.drop(columns=["a"])', id="drop-columns"
        ),
        pytest.param("df = df.dropna()", "df, n = df.dropna(), 1", id="tuple-target"),
        pytest.param("df = df.dropna()", "data.frame = df.dropna()", id="attribute-target"),
        pytest.param("df = df.dropna()", "df = df.dropna(); x = 1", id="two-statements"),
        pytest.param("df = df.dropna()", "df.dropna(inplace=True)", id="not-an-assignment"),
    ],
)
def test_a_filter_that_reads_other_rows_stays_training_only(twin: str, kept: str) -> None:
    assert served(twin) is not None  # its near twin is served
    assert served(kept) is None


def test_the_rejection_names_the_cell_and_quotes_a_long_condition_shortened() -> None:
    columns = [f"a_rather_long_column_name_{n}" for n in range(4)]
    mask = " & ".join(f'(df["{column}"] > {n})' for n, column in enumerate(columns))
    source = f"df = df[{mask}]"
    node = served_filter(cst.parse_statement(source), 12)
    assert isinstance(node, cst.SimpleStatementLine)
    assign = node.body[0]
    assert isinstance(assign, cst.Assign)
    assert isinstance(assign.value, cst.Call)
    condition, listed = assign.value.args[2].value, assign.value.args[3].value
    assert isinstance(condition, cst.SimpleString)
    text = condition.evaluated_value
    assert isinstance(text, str)
    assert text.startswith("cell 12: df[(df[")
    assert text.endswith("...")
    assert len(text) == len("cell 12: ") + MAX_CONDITION
    assert isinstance(listed, cst.List)
    assert [e.value.evaluated_value for e in listed.elements] == columns  # type: ignore[attr-defined]
