"""The stage routing and the service decision, each a pure function of what it is given."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scaffold.analysis import Analysis, parse_cell
from scaffold.api import inspect_notebook
from scaffold.extract.layout import build_stages
from scaffold.extract.plan import PIPELINE_ROLES
from scaffold.extract.routing import route
from scaffold.extract.service import ServiceDecision, service_decision
from scaffold.extract.statements import Statement, split_statements

IMPORTS = (
    "import pandas as pd\n"
    "from sklearn.linear_model import Ridge\n"
    "from sklearn.model_selection import cross_val_score, train_test_split"
)
LOAD = 'df = pd.read_csv("data.csv")'
SPLIT = (
    'X = df.drop(columns=["target"])\ny = df["target"]\n'
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)"
)
FIT = "model = Ridge()\nmodel.fit(X_train, y_train)"
SCORE = 'print(f"R2: {model.score(X_test, y_test):.4f}")'


@pytest.fixture
def analyse_cells(make_notebook: Callable[..., Path]) -> Callable[[list[str]], Analysis]:
    return lambda cells: inspect_notebook(make_notebook(cells))


def pipeline(analysis: Analysis) -> list[int]:
    return [cell.number for cell in analysis.cells if cell.role in PIPELINE_ROLES]


def statements(analysis: Analysis) -> list[Statement]:
    return [
        statement
        for number in pipeline(analysis)
        for statement in split_statements(number, parse_cell(analysis.cell(number).cell))
    ]


def test_route_puts_each_statement_where_it_runs(
    analyse_cells: Callable[[list[str]], Analysis],
) -> None:
    analysis = analyse_cells(
        [IMPORTS, LOAD, "df.head()", 'df["a2"] = df["a"] * 2', SPLIT, FIT, SCORE]
    )
    routed = route(analysis, statements(analysis))
    assert len(routed.imports) == 3
    where = {stage: [s.code.strip() for s in found] for stage, found in routed.stages.items()}
    assert where["load"] == [LOAD]
    # features and outcome are made while preparing; joining the stages moves them to the split
    assert where["prepare"] == ['df["a2"] = df["a"] * 2', *SPLIT.split("\n")[:2]]
    assert where["split"] == [SPLIT.split("\n")[2]]
    assert "df.head()" not in [code for found in where.values() for code in found]
    assert where["train"] == ["model = Ridge()", "model.fit(X_train, y_train)"]
    assert where["evaluate"] == [SCORE]


def test_route_moves_cross_validation_before_training_to_the_evaluation(
    analyse_cells: Callable[[list[str]], Analysis],
) -> None:
    validate = "scores = cross_val_score(Ridge(), X_train, y_train)"
    analysis = analyse_cells([IMPORTS, LOAD, SPLIT, validate, FIT, SCORE])
    routed = route(analysis, statements(analysis))
    assert routed.stages["evaluate"][0].code.strip() == validate
    assert validate not in [s.code.strip() for s in routed.stages["split"]]


@pytest.mark.parametrize(
    ("cells", "served", "words"),
    [
        pytest.param([IMPORTS, LOAD, SPLIT, FIT, SCORE], True, "", id="split-and-fit"),
        pytest.param(
            [
                IMPORTS,
                LOAD,
                SPLIT,
                "for a in [0.1, 1.0]:\n    m = Ridge(alpha=a)\n    m.fit(X_train, y_train)",
            ],
            False,
            "fitted in a loop",
            id="sweep",
        ),
        pytest.param(
            [IMPORTS, LOAD, SPLIT, "print(cross_val_score(Ridge(), X, y).mean())"],
            False,
            "only cross-validates",
            id="cross-validation-only",
        ),
    ],
)
def test_service_decision(
    analyse_cells: Callable[[list[str]], Analysis], cells: list[str], served: bool, words: str
) -> None:
    analysis = analyse_cells(cells)
    code = build_stages(analysis, pipeline(analysis))
    decision = service_decision(code)
    assert decision.served is served
    assert words in decision.reason
    assert bool(decision.reason) is not served
    assert service_decision(code) == decision  # the same stages, the same decision
    assert (code.servable, code.no_service_reason) == (decision.served, decision.reason)
    assert isinstance(decision, ServiceDecision)
