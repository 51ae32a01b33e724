"""Which model a notebook that fits several on different data gets served, and with which cells.

`tests/test_other_shapes.py` trains such projects and compares them with the notebook; these
tests look at the choice itself: the cells kept, the cells left out, and what the summary says.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

import pytest

from scaffold.analysis import Analysis
from scaffold.extract import extract, sections
from scaffold.extract.cell_code import PipelineCells, pipeline_cells
from scaffold.extract.layout import lay_out
from scaffold.extract.plan import PIPELINE_ROLES
from scaffold.extract.sections import Narrowed, narrow_to_one_model
from scaffold.extract.stage_code import StageCode
from scaffold.extract.stage_plan import Plan, plan_stages

IMPORTS = "import numpy as np\nimport pandas as pd\nimport statsmodels.api as sm"
FIRST_EXAMPLE = [
    'first = pd.read_csv("first.csv")',
    'X = sm.add_constant(first[["a"]])\ny = first["t"]',
    "res_a = sm.OLS(y, X).fit()\nprint(res_a.summary())",
]
SECOND_DATA = (
    'second = pd.read_csv("second.csv")\nX = sm.add_constant(second[["b"]])\ny = second["t"]'
)


def narrowed(analysis: Analysis) -> Narrowed | None:
    pipeline = [cell.number for cell in analysis.cells if cell.role in PIPELINE_ROLES]
    plan = plan_stages(analysis, pipeline)
    return narrow_to_one_model(analysis, plan, lay_out(analysis, plan))


def test_the_last_model_is_served_with_the_cells_it_needs_and_what_looks_at_it(
    analyse_cells: Callable[..., Analysis],
) -> None:
    analysis = analyse_cells(
        [
            IMPORTS,
            *FIRST_EXAMPLE,
            SECOND_DATA,
            "res_b = sm.OLS(y, X).fit()",
            "fitted_b = res_b.predict(X)\nresiduals = y - fitted_b",
        ]
    )
    result = narrowed(analysis)
    assert result is not None
    assert result.pipeline == (1, 5, 6, 7)
    assert set(result.left_out) == {2, 3, 4}
    assert result.stages.estimator == "res_b"
    assert "This project serves res_b (cell 6)" in result.choice
    assert "cells (2-4) are left out" in result.choice


def test_an_earlier_model_is_served_when_the_last_one_cannot_be(
    analyse_cells: Callable[..., Analysis],
) -> None:
    analysis = analyse_cells(
        [
            IMPORTS,
            *FIRST_EXAMPLE,
            SECOND_DATA,  # reads only modules: new data, not a look at res_a
            'mn = sm.MNLogit(second["c"], X)\nres_mn = mn.fit(disp=0)',
        ]
    )
    result = narrowed(analysis)
    assert result is not None
    assert result.pipeline == (1, 2, 3, 4)
    assert result.stages.estimator == "res_a"
    assert "Cell 6's model is not served: MNLogit predicts a probability" in result.choice
    extraction = extract(analysis)
    assert extraction.servable
    assert extraction.model_choice == result.choice
    assert {(number, role) for number, role, _ in extraction.left_out} == {
        (5, "another model"),
        (6, "another model"),
    }


def test_the_served_model_takes_the_task_of_its_own_cells(
    analyse_cells: Callable[..., Analysis],
) -> None:
    """A regression example, then a classifier on new data: the project is a classifier's."""
    analysis = analyse_cells(
        [
            "import pandas as pd\n"
            "from sklearn.linear_model import Lasso, LogisticRegression, Ridge",
            'houses = pd.read_csv("houses.csv")\nX = houses[["rooms"]]\ny = houses["price"]',
            "ridge = Ridge().fit(X, y)\nlasso = Lasso().fit(X, y)",
            'flowers = pd.read_csv("flowers.csv")\nX = flowers[["petal"]]\ny = flowers["kind"]',
            "classifier = LogisticRegression().fit(X, y)",
        ]
    )
    assert analysis.task == "regression"  # the whole notebook's votes
    extraction = extract(analysis)
    assert extraction.servable
    assert extraction.task == "classification"
    assert 'TASK = "classification"' in extraction.files["src/{package}/pipeline/__init__.py"]


@pytest.mark.parametrize(
    ("setup", "draw"),
    [
        ("np.random.seed(1)", "np.random.normal"),  # the global random state
        ("rng = np.random.default_rng(1)", "rng.normal"),  # one generator, read by both
    ],
)
def test_random_draws_keep_every_earlier_draw_from_the_same_state(
    analyse_cells: Callable[..., Analysis], setup: str, draw: str
) -> None:
    """The second example's noise depends on how many numbers the first one drew."""
    analysis = analyse_cells(
        [
            f"import numpy as np\nimport statsmodels.api as sm\n\n{setup}",
            f"x = np.arange(20.0)\nX = sm.add_constant(x)\ny = 2 * x + {draw}(size=20)",
            "res_a = sm.OLS(y, X).fit()",
            f"z = np.arange(30.0)\nZ = sm.add_constant(z)\nw = z + {draw}(size=30)",
            "res_b = sm.OLS(w, Z).fit()",
        ]
    )
    result = narrowed(analysis)
    assert result is not None
    assert result.pipeline == (1, 2, 4, 5)  # cell 2's draws stay; the model of cell 3 goes
    assert set(result.left_out) == {3}


@pytest.mark.parametrize(
    "cells",
    [
        [IMPORTS, *FIRST_EXAMPLE],  # one model: served as it is
        [IMPORTS, *FIRST_EXAMPLE, "res_b = sm.WLS(y, X).fit()"],  # the same data: served whole
        # the last model cannot be served, and the earlier one is fitted on the same data: no
        # choice of a stand-in for it
        [IMPORTS, *FIRST_EXAMPLE, 'res_b = sm.OLS(y, X[["a"]]).fit()\nprint(res_b.params)'],
        [IMPORTS, "X = np.ones((3, 1))\nfor k in range(3):\n    sm.OLS(X[:, 0], X).fit()"],
    ],
)
def test_nothing_is_narrowed_without_models_on_different_data(
    analyse_cells: Callable[..., Analysis], cells: list[str]
) -> None:
    assert narrowed(analyse_cells(cells)) is None


def test_a_candidate_whose_plan_shows_no_model_is_not_laid_out(
    analyse_cells: Callable[..., Analysis], monkeypatch: pytest.MonkeyPatch
) -> None:
    analysis = analyse_cells(
        [
            IMPORTS,
            *FIRST_EXAMPLE,
            SECOND_DATA,
            "for n in [50, 100]:\n    res_sweep = sm.OLS(y[:n], X[:n]).fit()",
            'third = pd.read_csv("third.csv")\nX = sm.add_constant(third[["c"]])',
            'mn = sm.MNLogit(third["k"], X)\nres_mn = mn.fit(disp=0)',
        ]
    )
    laid_out: list[tuple[int, ...]] = []
    original = sections.lay_out

    def counting(analysis: Analysis, plan: Plan) -> StageCode:
        laid_out.append(plan.pipeline)
        return original(analysis, plan)

    monkeypatch.setattr(sections, "lay_out", counting)
    result = narrowed(analysis)
    assert result is not None
    assert result.stages.estimator == "res_a"
    # the last model (not served: per category) and the first; the sweep's plan has no model
    assert [pipeline[-1] for pipeline in laid_out] == [8, 4]


def test_a_candidate_reuses_the_whole_pipelines_cell_statements(
    analyse_cells: Callable[..., Analysis],
) -> None:
    analysis = analyse_cells([IMPORTS, *FIRST_EXAMPLE, SECOND_DATA, "res_b = sm.OLS(y, X).fit()"])
    pipeline = [cell.number for cell in analysis.cells if cell.role in PIPELINE_ROLES]
    whole = plan_stages(analysis, pipeline)
    kept = [1, 5, 6]
    again = pipeline_cells(analysis, kept, whole.cells)
    assert all(again.statements[n] is whole.cells.statements[n] for n in kept)
    other = PipelineCells(
        MappingProxyType({"first": "params.first"}), whole.cells.statements, whole.cells.warnings
    )
    fresh = pipeline_cells(analysis, kept, other)  # other constants: made anew
    assert all(fresh.statements[n] is not whole.cells.statements[n] for n in kept)
    assert [s.code for s in fresh.statements[5]] == [s.code for s in again.statements[5]]
