"""Which literals become settings, how they are named, and where they were found."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scaffold.analysis import Analysis

Analyse = Callable[..., Analysis]

IMPORTS = (
    "import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
    "from sklearn.ensemble import RandomForestClassifier\n"
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.metrics import fbeta_score"
)


def settings(analyse_cells: Analyse, *cells: str) -> dict[str, tuple[object, str, int, int]]:
    analysis = analyse_cells([IMPORTS, *cells])
    return {s.key: (s.value, s.kind, s.cell, s.line) for s in analysis.settings}


@pytest.mark.parametrize(
    ("cell", "key", "value", "kind"),
    [
        (
            "model = RandomForestClassifier(n_estimators=200, max_depth=5)\nmodel.fit(X, y)",
            "random_forest_classifier.n_estimators",
            200,
            "hyperparameter",
        ),
        (
            "model = RandomForestClassifier(random_state=7)\nmodel.fit(X, y)",
            "random_forest_classifier.random_state",
            7,
            "seed",
        ),
        ("df = pd.read_csv('data/churn.csv')", "data.churn_path", "data/churn.csv", "path"),
        (
            "X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3)",
            "split.test_size",
            0.3,
            "split",
        ),
        (
            "X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=1)",
            "split.random_state",
            1,
            "seed",
        ),
        ("np.random.seed(42)", "seed.seed", 42, "seed"),
        ("LEARNING_RATE = 0.1", "params.learning_rate", 0.1, "hyperparameter"),
        ("DATA_FILE = 'x.csv'", "params.data_file", "x.csv", "path"),
        ("TEST_SIZE = 0.2", "params.test_size", 0.2, "split"),
        ("RANDOM_SEED = 3", "params.random_seed", 3, "seed"),
    ],
)
def test_settings_found(
    analyse_cells: Analyse, cell: str, key: str, value: object, kind: str
) -> None:
    found = settings(analyse_cells, "X = 1\ny = 2", cell)
    assert found[key][:2] == (value, kind)
    assert found[key][2] == 3  # the cell


def test_line_of_a_setting(analyse_cells: Analyse) -> None:
    found = settings(
        analyse_cells,
        "X = 1\ny = 2",
        "m = RandomForestClassifier(\n    max_depth=4,\n)\nm.fit(X, y)",
    )
    assert found["random_forest_classifier.max_depth"] == (4, "hyperparameter", 3, 2)


@pytest.mark.parametrize(
    "cell",
    [
        "plt.figure(figsize=(4, 3))\nplt.title('x', fontsize=12)",  # plots
        "print('n =', 3)",
        "df = pd.read_csv('a.csv')\ndf.head(10)",  # exploration values
        "score = fbeta_score(y, p, beta=2)",  # a metric's argument
        "df = pd.DataFrame({'a': [1]})\ndf = df.drop(columns=['a'], axis=1)",  # not settings
    ],
)
def test_not_settings(analyse_cells: Analyse, cell: str) -> None:
    found = settings(analyse_cells, "y = 1\np = 2", cell)
    assert [key for key, (*_, number, _) in found.items() if number == 3] in ([], ["data.a_path"])


def test_repeated_names_get_their_own_keys(analyse_cells: Analyse) -> None:
    found = settings(
        analyse_cells,
        "X = 1\ny = 2",
        "a = RandomForestClassifier(max_depth=2).fit(X, y)\n"
        "b = RandomForestClassifier(max_depth=3).fit(X, y)",
        "X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=1)\n"
        "X_a, X_b, y_a, y_b = train_test_split(X_tr, y_tr, random_state=2)",
    )
    assert found["random_forest_classifier.max_depth"][0] == 2
    assert found["random_forest_classifier_2.max_depth"][0] == 3
    assert found["split.random_state"][0] == 1
    assert found["split.random_state_2"][0] == 2


def test_settings_only_from_pipeline_cells(analyse_cells: Analyse) -> None:
    found = settings(
        analyse_cells,
        "X = 1\ny = 2",
        "# scaffold: explore\nm = RandomForestClassifier(max_depth=9)",
    )
    assert [value for value, _, number, _ in found.values() if number == 3] == []
