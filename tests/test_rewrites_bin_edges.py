"""Before/after tests of `rewrites/bin_edges.py`: data-driven bins learn their edges once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst
import numpy as np
import pandas as pd
import pytest

from scaffold.analysis import Analysis
from scaffold.extract import extract
from scaffold.extract.rewrites.bin_edges import (
    DataBinning,
    PandasCut,
    binning_from_data,
    learn_bin_edges,
    pandas_cut,
)

PD = {"pd": "pandas"}
"""`import pandas as pd`: the import table (alias -> qualified name) of most notebooks."""
BARE_QCUT = {"qcut": "pandas.qcut"}  # `from pandas import qcut`


def rewritten(
    source: str,
    taken: set[str] | None = None,
    imports: dict[str, str] | None = None,
    cut: str = "pd.cut",
) -> str:
    node = learn_bin_edges(
        cst.parse_statement(source),
        set() if taken is None else taken,
        PD if imports is None else imports,
        cut,
    )
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
            "df['b'] = pd.qcut(df.fare, 4, retbins=False)",
            "df['b'] = pd.cut(df.fare, state.statistic('fare_bins', lambda: "
            "pd.qcut(df.fare, 4, retbins=True)[1]), retbins=False, include_lowest=True)",
            id="attribute-column-and-retbins-as-written",
        ),
        pytest.param(
            "df['b'], edges = pd.qcut(df.fare, 4, retbins=True)",
            "df['b'], edges = pd.cut(df.fare, state.statistic('fare_bins', lambda: "
            "pd.qcut(df.fare, 4, retbins=True)[1]), retbins=True, include_lowest=True)",
            id="edges-returned-too",
        ),
        pytest.param(
            "df['b'] = pd.cut(df.age, 4, include_lowest=False)",
            "df['b'] = pd.cut(df.age, state.statistic('age_bins', lambda: "
            "pd.cut(df.age, 4, retbins=True)[1]), include_lowest=True)",
            id="include-lowest-replaced",
        ),
        pytest.param(
            "df['b'] = pd.qcut(frame_of(df)['fare'], 4)",
            "df['b'] = pd.cut(frame_of(df)['fare'], state.statistic('fare_bins', lambda: "
            "pd.qcut(frame_of(df)['fare'], 4, retbins=True)[1]), include_lowest=True)",
            id="column-of-an-expression",
        ),
        pytest.param(
            "df['b'] = pd.qcut(df.fare * 2, 4)",
            "df['b'] = pd.cut(df.fare * 2, state.statistic('binned_bins', lambda: "
            "pd.qcut(df.fare * 2, 4, retbins=True)[1]), include_lowest=True)",
            id="no-column-named",
        ),
        pytest.param(
            'df["band"] = pd.qcut(x=df["fare"], q=4)',
            'df["band"] = pd.cut(x=df["fare"], bins=state.statistic(\'fare_bins\', lambda: '
            'pd.qcut(x=df["fare"], q=4, retbins=True)[1]), include_lowest=True)',
            id="qcut-values-by-keyword",
        ),
        pytest.param(
            'df["band"] = pd.cut(bins=5, x=df["age"], labels=False)',
            'df["band"] = pd.cut(x=df["age"], bins=state.statistic(\'age_bins\', lambda: '
            'pd.cut(x=df["age"], bins=5, retbins=True)[1]), labels=False, include_lowest=True)',
            id="cut-values-by-keyword",
        ),
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], 4, False)',
            'df["band"] = pd.cut(df["fare"], state.statistic(\'fare_bins\', lambda: '
            'pd.qcut(df["fare"], 4, retbins=True)[1]), labels=False, include_lowest=True)',
            id="qcut-labels-by-position",  # third for qcut, `right` for cut
        ),
        pytest.param(
            'df["band"] = pd.cut(df["age"], 4, False, [1, 2, 3, 4])',
            'df["band"] = pd.cut(df["age"], state.statistic(\'age_bins\', lambda: '
            'pd.cut(df["age"], 4, right=False, retbins=True)[1]), right=False, '
            "labels=[1, 2, 3, 4], include_lowest=True)",
            id="cut-right-learns-its-edges-too",
        ),
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], 4, None, False, 3, "drop")',
            'df["band"] = pd.cut(df["fare"], state.statistic(\'fare_bins\', lambda: '
            'pd.qcut(df["fare"], 4, duplicates="drop", retbins=True)[1]), labels=None, '
            'retbins=False, precision=3, duplicates="drop", include_lowest=True)',
            id="every-argument-by-position",
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


@pytest.mark.parametrize(
    ("before", "imports", "cut", "after"),
    [
        pytest.param(
            'df["band"] = qcut(df.fare, 4)',
            BARE_QCUT,
            "cut",
            "df[\"band\"] = cut(df.fare, state.statistic('fare_bins', lambda: "
            "qcut(df.fare, 4, retbins=True)[1]), include_lowest=True)",
            id="from-pandas-import-qcut",
        ),
        pytest.param(
            'df["band"] = q(df["fare"], 4, labels=False)',
            {"q": "pandas.qcut", "pd": "pandas"},
            "pd.cut",
            'df["band"] = pd.cut(df["fare"], state.statistic(\'fare_bins\', lambda: '
            'q(df["fare"], 4, retbins=True)[1]), labels=False, include_lowest=True)',
            id="qcut-as-an-alias",
        ),
        pytest.param(
            'df["band"] = cut(df.age, 5)',
            {"cut": "pandas.cut"},
            "cut",
            "df[\"band\"] = cut(df.age, state.statistic('age_bins', lambda: "
            "cut(df.age, 5, retbins=True)[1]), include_lowest=True)",
            id="from-pandas-import-cut",
        ),
        pytest.param(
            'df["band"] = c(x=df.age, bins=5)',
            {"c": "pandas.cut"},
            "c",
            "df[\"band\"] = c(x=df.age, bins=state.statistic('age_bins', lambda: "
            "c(x=df.age, bins=5, retbins=True)[1]), include_lowest=True)",
            id="cut-as-an-alias-values-by-keyword",
        ),
        pytest.param(
            'df["band"] = pandas.qcut(df.fare, 4)',
            {"pandas": "pandas"},
            "pandas.cut",
            "df[\"band\"] = pandas.cut(df.fare, state.statistic('fare_bins', lambda: "
            "pandas.qcut(df.fare, 4, retbins=True)[1]), include_lowest=True)",
            id="import-pandas",
        ),
    ],
)
def test_qcut_and_cut_are_known_however_imported(
    before: str, imports: dict[str, str], cut: str, after: str
) -> None:
    assert rewritten(before, imports=imports, cut=cut) == after


@pytest.mark.parametrize(
    ("imports", "names", "expected"),
    [
        pytest.param({"pd": "pandas"}, set(), PandasCut("pd.cut", None), id="pandas-alias"),
        pytest.param(
            {"pd": "pandas", "c": "pandas.cut"}, set(), PandasCut("c", None), id="cut-imported"
        ),
        pytest.param(BARE_QCUT, set(), PandasCut("cut", "from pandas import cut"), id="no-cut"),
        pytest.param(
            BARE_QCUT,
            {"cut"},
            PandasCut("pandas_cut", "from pandas import cut as pandas_cut"),
            id="cut-is-a-notebook-name",
        ),
    ],
)
def test_pandas_cut_is_called_through_the_notebooks_imports(
    imports: dict[str, str], names: set[str], expected: PandasCut
) -> None:
    assert pandas_cut(imports, names) == expected


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
            'df["band"] = pd.qcut(*columns, 4)',
            id="starred",
        ),
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], 4)',
            'df["band"] = pd.qcut(df["fare"], 4, include_lowest=True)',
            id="not-a-qcut-argument",
        ),
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], 4)',
            'df["band"] = pd.qcut(df["fare"])',
            id="no-quantiles",
        ),
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], 4)',
            'df["band"] = df["fare"].qcut(4)',
            id="a-method-of-another-library",
        ),
        pytest.param(
            'df["band"] = pd.qcut(df["fare"], 4)',
            'df["band"] = qcut(df["fare"], 4)',
            id="a-qcut-not-from-pandas",
        ),
    ],
)
def test_the_rewrite_stops_where_edges_are_given_or_unclear(learnt: str, kept: str) -> None:
    assert "state.statistic(" in rewritten(learnt)  # its near twin is rewritten
    assert rewritten(kept) == kept


@pytest.mark.parametrize(
    ("source", "imports", "found"),
    [
        pytest.param(
            "for c in cols:\n    df[c] = qcut(df[c], 4)", BARE_QCUT, "qcut()", id="bare-in-a-loop"
        ),
        pytest.param(
            'df["b"] = df.groupby("g")["fare"].transform(lambda s: pd.qcut(s, 4))',
            PD,
            "qcut()",
            id="in-a-lambda",
        ),
        pytest.param(
            'df["b"] = df["fare"].pipe(pd.qcut, 4)', PD, "qcut()", id="passed-as-a-function"
        ),
        pytest.param(
            'df["b"] = df["fare"].pipe(q, 4)',
            {"q": "pandas.qcut"},
            "qcut()",
            id="an-alias-passed-as-a-function",
        ),
        pytest.param(
            'df["b"] = pd.cut(df["age"], n_bins)', PD, "cut() with a number of bins", id="cut-n"
        ),
        pytest.param(
            'df["b"] = cut(x=df["age"], bins=settings.bins)',
            {"cut": "pandas.cut"},
            "cut() with a number of bins",
            id="bare-cut-by-keyword",
        ),
    ],
)
def test_binning_the_rewrite_leaves_is_found(
    source: str, imports: dict[str, str], found: str
) -> None:
    node = learn_bin_edges(cst.parse_statement(source), set(), imports, "pd.cut")
    assert binning_from_data(node, imports) == DataBinning(found, source.count("\n") + 1)


@pytest.mark.parametrize(
    ("source", "imports"),
    [
        pytest.param('df["b"] = qcut(df["fare"], 4)', BARE_QCUT, id="learnt"),
        pytest.param('df["b"] = pd.qcut(x=df["fare"], q=4)', PD, id="learnt-by-keyword"),
        pytest.param('df["b"] = pd.cut(df["age"], [0, 18, 65])', PD, id="explicit-edges"),
        pytest.param('df["b"] = pd.cut(df["age"], edges)', PD, id="edges-bound-to-a-list"),
        pytest.param('df["b"] = df["fare"].qcut(4)', PD, id="another-librarys-method"),
        pytest.param('df["b"] = qcut(df["fare"], 4)', {"qcut": "mylib.qcut"}, id="not-pandas"),
        pytest.param('df["b"] = pd.qcut', {}, id="pd-is-not-pandas"),
        pytest.param('df["b"] = f(qcut=4)', BARE_QCUT, id="a-keyword-named-qcut"),
    ],
)
def test_binning_with_known_edges_is_not_found(source: str, imports: dict[str, str]) -> None:
    node = learn_bin_edges(cst.parse_statement(source), set(), imports, "pd.cut")
    assert binning_from_data(node, imports, edges={"edges"}) is None


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
    ("source", "imports", "cut"),
    [
        pytest.param('df["band"] = pd.qcut(df["fare"], 4, labels=False)', PD, "pd.cut", id="qcut"),
        pytest.param('df["band"] = pd.cut(df["fare"], 3, labels=False)', PD, "pd.cut", id="cut"),
        pytest.param('df["band"] = qcut(df.fare, 4)', BARE_QCUT, "cut", id="bare-qcut"),
        pytest.param(
            'df["band"] = q(df.fare, 5, labels=False)', {"q": "pandas.qcut"}, "cut", id="alias"
        ),
        pytest.param(
            'df["band"] = pd.qcut(x=df["fare"], q=[0, 0.1, 0.5, 0.9, 1])',
            PD,
            "pd.cut",
            id="qcut-by-keyword",
        ),
        pytest.param(
            'df["band"] = cut(x=df["fare"], bins=4, labels=False)',
            {"cut": "pandas.cut"},
            "cut",
            id="bare-cut-by-keyword",
        ),
        pytest.param(
            'df["band"] = pd.cut(df["fare"], 4, False, labels=False)', PD, "pd.cut", id="cut-left"
        ),
        pytest.param(
            'df["band"], edges = pd.qcut(df["fare"], 4, labels=False, retbins=True)',
            PD,
            "pd.cut",
            id="edges-returned",
        ),
    ],
)
def test_training_gets_the_notebooks_bins_and_a_single_row_the_learnt_ones(
    source: str, imports: dict[str, str], cut: str
) -> None:
    rows = pd.DataFrame({"fare": np.random.default_rng(0).gamma(2.0, 10.0, 200)})
    functions = {"pd": pd, "qcut": pd.qcut, "q": pd.qcut, "cut": pd.cut}
    notebook: dict[str, Any] = {**functions, "df": rows.copy()}
    exec(source, notebook)
    code = rewritten(source, imports=imports, cut=cut)
    assert "state.statistic(" in code
    state = TrainedState()
    generated: dict[str, Any] = {**functions, "df": rows.copy(), "state": state}
    exec(code, generated)
    assert generated["df"]["band"].tolist() == notebook["df"]["band"].tolist()
    assert generated.get("edges", []) == pytest.approx(notebook.get("edges", []))

    state.frozen = True
    for row in (17, int(rows["fare"].idxmin()), int(rows["fare"].idxmax())):
        served: dict[str, Any] = {**functions, "df": rows.iloc[[row]].copy(), "state": state}
        exec(code, served)
        assert served["df"]["band"].tolist() == notebook["df"]["band"].iloc[[row]].tolist()


NOTEBOOK = [
    "import pandas as pd\nfrom sklearn.linear_model import Ridge\n"
    "from sklearn.metrics import r2_score\nfrom sklearn.model_selection import train_test_split",
    'df = pd.read_csv("data.csv")',
    "{binning}",
    'X = df.drop(columns=["target"])\ny = df["target"]\n'
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
    "model = Ridge()\nmodel.fit(X_train, y_train)",
    'print(f"R2: {r2_score(y_test, model.predict(X_test)):.4f}")',
]


def extracted(analyse_cells: Callable[..., Analysis], binning: str, imports: str = "") -> Any:
    cells = [cell.replace("{binning}", binning) for cell in NOTEBOOK]
    cells[0] += imports
    return extract(analyse_cells(cells))


@pytest.mark.parametrize(
    ("binning", "imports"),
    [
        pytest.param('df["band"] = qcut(df["fare"], 4)', "\nfrom pandas import qcut", id="bare"),
        pytest.param('df["band"] = pd.qcut(x=df["fare"], q=4)', "", id="by-keyword"),
    ],
)
def test_the_forms_learnt_are_served(
    analyse_cells: Callable[..., Analysis], binning: str, imports: str
) -> None:
    extraction = extracted(analyse_cells, binning, imports)
    assert extraction.servable, extraction.no_service_reason
    features = extraction.files["src/{package}/pipeline/features.py"]
    assert "state.statistic('fare_bins'" in features.replace('"', "'")


def test_a_bare_qcut_without_pandas_imported_gets_cut_imported(
    analyse_cells: Callable[..., Analysis],
) -> None:
    cells = [
        NOTEBOOK[0].replace("import pandas as pd", "from pandas import qcut, read_csv"),
        'df = read_csv("data.csv")',
        'cut = 0.5\ndf["band"] = qcut(df["fare"], 4)\ndf["high"] = df["fare"] > cut',
        *NOTEBOOK[3:],
    ]
    extraction = extract(analyse_cells(cells))
    assert extraction.servable, extraction.no_service_reason
    features = extraction.files["src/{package}/pipeline/features.py"]
    assert "from pandas import cut as pandas_cut" in features  # `cut` is the notebook's own
    assert "pandas_cut(" in features
    assert "def prepare(df, state):" in features  # an import, no parameter


@pytest.mark.parametrize(
    ("binning", "reason"),
    [
        pytest.param(
            'for c in ["fare"]:\n    df[c] = qcut(df[c], 4)',
            "cell 3, line 2: qcut() learns its bin edges",
            id="bare-in-a-loop",
        ),
        pytest.param(
            'def bands(s):\n    return pd.qcut(s, 4)\n\n\ndf["band"] = bands(df["fare"])',
            "cell 3, line 2: qcut() in 'bands', which the feature step calls, learns its bin edges",
            id="in-a-helper",
        ),
        pytest.param(
            'def bands(s):\n    return q(s, 4)\n\n\ndf["band"] = df["fare"].pipe(bands)',
            "cell 3, line 2: qcut() in 'bands', which the feature step calls, learns its bin edges",
            id="in-a-helper-passed-by-name",
        ),
    ],
)
def test_binning_not_carried_over_is_not_served_naming_the_cell_and_line(
    analyse_cells: Callable[..., Analysis], binning: str, reason: str
) -> None:
    extraction = extracted(analyse_cells, binning, "\nfrom pandas import qcut, qcut as q")
    assert not extraction.servable
    assert extraction.no_service_reason.startswith(reason)
