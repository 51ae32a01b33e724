"""Each cell's role: from directives first, then the code, headings as hints, then the flow."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scaffold.analysis import Analysis
from scaffold.notebook import Role

Analyse = Callable[..., Analysis]

SETUP = (
    "import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.preprocessing import StandardScaler\n"
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.metrics import accuracy_score\n"
    "X = np.zeros((4, 2))\ny = np.zeros(4)\nmodel = LogisticRegression()\ndf = pd.DataFrame()"
)
"""A first cell that binds what the cell under test reads (it is itself `prepare`)."""

USE = "model.fit(X, y)\nmodel.predict(df)"
"""A last cell that reads the usual names, so that prepare cells feed the pipeline."""


@pytest.mark.parametrize(
    ("code", "role"),
    [
        ("import os\nfrom pathlib import Path", Role.IMPORTS),
        ("%matplotlib inline\nimport seaborn as sns\nsns.set_theme()", Role.IMPORTS),
        ("N_ESTIMATORS = 100\nDATA = 'data.csv'", Role.CONFIG),
        ("np.random.seed(0)", Role.CONFIG),
        ("def clean(frame):\n    return frame.dropna()\nclass Box:\n    pass", Role.DEFINITIONS),
        ("df = pd.read_csv('data.csv')", Role.LOAD),
        ("df = df.dropna()\nX = df.values", Role.PREPARE),
        ("df.fillna(0, inplace=True)", Role.PREPARE),
        ("df['ratio'] = df.a / df.b", Role.PREPARE),
        ("scaler = StandardScaler()\nX = scaler.fit_transform(X)", Role.PREPARE),
        ("X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2)", Role.SPLIT),
        ("model.fit(X, y)", Role.TRAIN),
        ("print(accuracy_score(y, model.predict(X)))", Role.EVALUATE),
        ("predictions = model.predict(X)\npredictions", Role.PREDICT),
        ("df.describe()", Role.EXPLORE),
        ("df.a.hist()\nplt.show()", Role.EXPLORE),
        ("# only a comment", Role.SKIP),
        ("!ls data", Role.SKIP),
    ],
)
def test_role_from_the_code(analyse_cells: Analyse, code: str, role: Role) -> None:
    analysis = analyse_cells([SETUP, code, USE])
    assert analysis.cell(2).role is role, analysis.cell(2).reason


def test_markdown_cells(analyse_cells: Analyse) -> None:
    assert analyse_cells([("markdown", "# Hi"), "x = 1"]).cell(1).role is Role.MARKDOWN


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.MARKDOWN}))
def test_directive_overrules_the_code(analyse_cells: Analyse, role: Role) -> None:
    analysis = analyse_cells([SETUP, f"# scaffold: {role.value}\ndf = pd.read_csv('d.csv')"])
    assert analysis.cell(2).role is role
    assert analysis.cell(2).reason == "directive or tag"


def test_tag_overrules_the_code(analyse_cells: Analyse) -> None:
    analysis = analyse_cells([SETUP, ("code", "df.describe()", ["scaffold:prepare"]), USE])
    assert analysis.cell(2).role is Role.PREPARE


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("## Load the data", Role.LOAD),
        ("## Feature engineering", Role.PREPARE),
        ("## Train/test split", Role.SPLIT),
        ("## Model training", Role.TRAIN),
        ("## Evaluation", Role.EVALUATE),
        ("## Inference", Role.PREDICT),
    ],
)
def test_heading_is_a_hint_when_the_code_says_nothing(
    analyse_cells: Analyse, heading: str, role: Role
) -> None:
    analysis = analyse_cells([SETUP, ("markdown", heading), "z = helper(df)", "model.fit(z, y)"])
    assert analysis.cell(3).role is role
    assert "heading" in analysis.cell(3).reason


def test_code_beats_the_heading(analyse_cells: Analyse) -> None:
    analysis = analyse_cells([SETUP, ("markdown", "## Evaluation"), "df = pd.read_csv('d.csv')"])
    assert analysis.cell(3).role is Role.LOAD


def test_exploration_that_the_pipeline_reads_becomes_prepare(analyse_cells: Analyse) -> None:
    analysis = analyse_cells(
        [SETUP, "keep = df.columns[:2]\nprint(keep)", "model.fit(df[keep], y)"]
    )
    assert analysis.cell(2).role is Role.PREPARE
    assert "cell 3 uses what it binds" in analysis.cell(2).reason


def test_prepare_that_only_exploration_reads_becomes_explore(analyse_cells: Analyse) -> None:
    analysis = analyse_cells([SETUP, "shares = df.a / df.a.sum()", "shares.plot()", USE])
    assert analysis.cell(2).role is Role.EXPLORE
    assert analysis.cell(2).reason == "only exploration uses what it computes"


def test_values_a_pipeline_function_reads_are_pipeline(analyse_cells: Analyse) -> None:
    # The training cell calls `centre`, whose body reads `mean_a`: cell 2 must stay in.
    analysis = analyse_cells(
        [
            SETUP,
            "mean_a = df.a.mean()",
            "def centre(frame):\n    return frame - mean_a",
            "model.fit(centre(X), y)",
        ]
    )
    assert analysis.cell(3).role is Role.DEFINITIONS
    assert analysis.cell(2).role is Role.PREPARE


def test_a_function_nothing_uses_does_not_keep_its_reads(analyse_cells: Analyse) -> None:
    analysis = analyse_cells(
        [SETUP, "mean_a = df.a.mean()", "def centre(frame):\n    return frame - mean_a", USE]
    )
    assert analysis.cell(2).role is Role.EXPLORE
