"""The layout's steps pass frozen values: plan -> rewrite -> emit, none changing its input."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from scaffold.analysis import Analysis, roles
from scaffold.analysis.symbols import Call
from scaffold.api import inspect_notebook
from scaffold.errors import ExtractionError
from scaffold.extract import layout
from scaffold.extract.feature_decision import FeatureDecision, feature_decision
from scaffold.extract.layout import lay_out, rewrite_stages
from scaffold.extract.plan import PIPELINE_ROLES
from scaffold.extract.routing import route
from scaffold.extract.service import planned_problem
from scaffold.extract.stage_code import StageCode
from scaffold.extract.stage_plan import Plan, plan_stages
from scaffold.notebook import Role

IMPORTS = (
    "import pandas as pd\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.model_selection import train_test_split"
)
LOAD = 'df = pd.read_csv("data.csv")'
PREPARE = 'df["age"] = df["age"].fillna(df["age"].median())'
SPLIT = (
    'X = df.drop(columns=["target"])\ny = df["target"]\n'
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)"
)
FIT = "model = LogisticRegression()\nmodel.fit(X_train, y_train)"
SCORE = 'print(f"accuracy: {model.score(X_test, y_test):.4f}")'
CELLS = [IMPORTS, LOAD, PREPARE, SPLIT, FIT, SCORE]


@pytest.fixture
def analyse_cells(make_notebook: Callable[..., Path]) -> Callable[[list[str]], Analysis]:
    return lambda cells: inspect_notebook(make_notebook(cells))


def planned(analysis: Analysis) -> Plan:
    pipeline = [cell.number for cell in analysis.cells if cell.role in PIPELINE_ROLES]
    return plan_stages(analysis, pipeline)


def code_of(plan: Plan) -> dict[str, list[str]]:
    return {stage: [s.code.strip() for s in found] for stage, found in plan.stages.items()}


def test_the_plan_routes_and_joins_before_anything_is_rewritten(
    analyse_cells: Callable[[list[str]], Analysis],
) -> None:
    plan = planned(analyse_cells(CELLS))
    where = code_of(plan)
    assert where["prepare"] == [PREPARE]  # as written: the statistic is learnt later
    assert where["split"][-1].startswith("X_train, X_test")
    assert (plan.joined.frame, plan.joined.estimator) == ("df", "model")
    assert (plan.joined.features, plan.joined.target) == ("X", "y")
    assert plan.metrics_name == "metrics"
    assert {"pd", "LogisticRegression", "train_test_split"} <= plan.module_names


def test_plan_and_stage_code_are_frozen(analyse_cells: Callable[[list[str]], Analysis]) -> None:
    analysis = analyse_cells(CELLS)
    plan = planned(analysis)
    code = lay_out(analysis, plan)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.metrics_name = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        code.helpers = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        plan.stages["prepare"] = ()  # type: ignore[index]
    with pytest.raises(TypeError):
        code.stage_statements["prepare"] = ()  # type: ignore[index]
    for value in (code.functions, code.helpers, code.imports, code.metrics, code.warnings):
        assert isinstance(value, tuple)
    assert isinstance(code.module_names, frozenset)


def test_rewriting_gives_new_values_and_leaves_the_plan_as_it_was(
    analyse_cells: Callable[[list[str]], Analysis],
) -> None:
    analysis = analyse_cells(CELLS)
    plan = planned(analysis)
    before = code_of(plan)
    learnt = rewrite_stages(analysis, plan, learn_features=True)
    as_written = rewrite_stages(analysis, plan, learn_features=False)
    assert code_of(plan) == before
    assert "state.statistic" in "".join(s.code for s in learnt.statements("prepare"))
    assert [s.code.strip() for s in as_written.statements("prepare")] == [PREPARE]
    assert [m.key for m in learnt.metrics] == [m.key for m in as_written.metrics] == ["accuracy"]
    again = rewrite_stages(analysis, plan, learn_features=True)
    pairs = zip(again.functions, learnt.functions, strict=True)
    assert all(f.node.deep_equals(g.node) for f, g in pairs)


def test_a_name_the_pipeline_binds_itself_is_refused_while_planning(
    analyse_cells: Callable[[list[str]], Analysis],
) -> None:
    reuse = 'state = df["age"].median()\ndf["age"] = df["age"].fillna(state)'
    analysis = analyse_cells([IMPORTS, LOAD, reuse, SPLIT, FIT])
    with pytest.raises(ExtractionError, match="'state' is one the generated pipeline uses"):
        planned(analysis)


SWEEP = (
    "for c in [0.1, 1.0]:\n"
    "    model = LogisticRegression(C=c)\n"
    "    model.fit(X_train, y_train)\n"
    "    print(model.score(X_test, y_test))"
)


@pytest.mark.parametrize(
    ("cells", "learnt", "words"),
    [
        pytest.param(CELLS, True, "", id="served"),
        pytest.param([IMPORTS, LOAD, PREPARE, SPLIT, SWEEP], False, "no single model", id="sweep"),
        pytest.param(
            [
                IMPORTS,
                LOAD,
                'for c in ["age"]:\n    df[c + "_band"] = pd.qcut(df[c], 4)',
                SPLIT,
                FIT,
                SCORE,
            ],
            False,
            "learns its bin edges from the data it is given",
            id="bins-from-data",
        ),
        pytest.param(
            [IMPORTS, LOAD, 'df["target"] = df["a"] > df["b"]', SPLIT, FIT, SCORE],
            False,
            "is made in cell 3 from other columns",
            id="outcome-made",
        ),
    ],
)
def test_the_plan_decides_whether_the_feature_step_is_learnt(
    analyse_cells: Callable[[list[str]], Analysis], cells: list[str], learnt: bool, words: str
) -> None:
    analysis = analyse_cells(cells)
    decision = feature_decision(planned(analysis), analysis.target)
    assert decision.learnt is learnt
    assert words in decision.reason
    assert bool(decision.reason) is not learnt
    code = lay_out(analysis, planned(analysis))
    assert code.servable is learnt
    if words and not decision.learnt and decision.problem:
        assert code.no_service_reason == decision.problem


def count_rewrites(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The `learn_features` of each `rewrite_stages` call the layout makes."""
    calls: list[bool] = []
    original = layout.rewrite_stages

    def counting(analysis: Analysis, plan: Plan, **options: Any) -> StageCode:
        calls.append(options["learn_features"])
        return original(analysis, plan, **options)

    monkeypatch.setattr(layout, "rewrite_stages", counting)
    return calls


def test_a_pipeline_the_plan_shows_unserved_is_rewritten_once(
    analyse_cells: Callable[[list[str]], Analysis], monkeypatch: pytest.MonkeyPatch
) -> None:
    analysis = analyse_cells([IMPORTS, LOAD, PREPARE, SPLIT, SWEEP])
    calls = count_rewrites(monkeypatch)
    code = lay_out(analysis, planned(analysis))
    assert calls == [False]
    assert "fitted in a loop" in code.no_service_reason
    assert [s.code.strip() for s in code.statements("prepare")] == [PREPARE]


def test_a_learnt_feature_step_found_unserved_is_laid_out_again_as_written(
    analyse_cells: Callable[[list[str]], Analysis], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the feature step also reads `lookup`, which a request does not carry: only the laid-out
    # `prepare` function's parameters show it
    load = f'{LOAD}\nlookup = pd.read_csv("lookup.csv")'
    merge = f'{PREPARE}\ndf = df.merge(lookup, on="key")'
    analysis = analyse_cells([IMPORTS, load, merge, SPLIT, FIT, SCORE])
    plan = planned(analysis)
    assert feature_decision(plan, analysis.target).learnt
    calls = count_rewrites(monkeypatch)
    code = lay_out(analysis, plan)
    assert calls == [True, False]
    assert not code.servable
    assert "also needs lookup" in code.no_service_reason
    prepare = "".join(s.code for s in code.statements("prepare"))
    assert "state." not in prepare  # no feature state without a service


def test_a_forecasters_feature_step_is_left_to_its_laid_out_code(
    analyse_cells: Callable[[list[str]], Analysis],
) -> None:
    """A forecaster is served by step after its series: no split of rows names its features."""
    analysis = analyse_cells(CELLS)
    plan = planned(analysis)
    unsplit = dataclasses.replace(plan.joined, features=None)
    assert not feature_decision(dataclasses.replace(plan, joined=unsplit), "target").learnt
    forecaster = dataclasses.replace(plan, task="forecasting", joined=unsplit)
    assert feature_decision(forecaster, "target") == FeatureDecision(True)
    assert planned_problem(forecaster.joined, "forecasting") == ""
    assert "not fitted on a train/test split" in planned_problem(unsplit, "classification")


def test_each_call_is_classified_once_while_planning_and_routing_reads_the_plan(
    analyse_cells: Callable[[list[str]], Analysis], monkeypatch: pytest.MonkeyPatch
) -> None:
    analysis = analyse_cells(CELLS)
    asked: list[Call] = []
    original = roles.classify_call

    def counting(call: Call, *args: Any) -> Role | None:
        asked.append(call)
        return original(call, *args)

    monkeypatch.setattr("scaffold.extract.call_facts.classify_call", counting)
    plan = planned(analysis)
    lay_out(analysis, plan)
    planned_calls = [call for call in asked if call in plan.calls.roles]
    assert len(planned_calls) == len(set(planned_calls)) == len(plan.calls.roles)
    read_csv = next(call for call in plan.calls.roles if call.dotted == "pd.read_csv")
    assert plan.calls.role(read_csv) is Role.LOAD
    assert plan.calls.qualify("pd.read_csv") == "pandas.read_csv"
    # routing takes the roles from the facts it is given, not from the analysis
    statements = [s for found in plan.cells.statements.values() for s in found]
    training = dataclasses.replace(
        plan.calls, roles=MappingProxyType({**plan.calls.roles, read_csv: Role.TRAIN})
    )
    assert ["read_csv" in s.code for s in route(analysis, statements).stages["load"]] == [True]
    assert route(analysis, statements, training).stages["load"] == ()


def test_the_metrics_dictionary_gets_a_free_name_when_the_notebook_uses_every_usual_one(
    analyse_cells: Callable[[list[str]], Analysis],
) -> None:
    load = f'{LOAD}\nmetrics = ["a"]\nscores = ["b"]\nmetric_values = ["c"]'
    split = SPLIT.replace('df.drop(columns=["target"])', "df[metrics + scores + metric_values]")
    analysis = analyse_cells([IMPORTS, load, split, FIT, SCORE])
    plan = planned(analysis)
    assert plan.metrics_name == "metrics_2"
    evaluate = lay_out(analysis, plan).function("evaluate")
    assert evaluate is not None
    assert evaluate.signature.returns == ("metrics_2",)
