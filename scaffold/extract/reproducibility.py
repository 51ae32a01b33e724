"""Warnings for steps whose numbers change from run to run (no seed, measured time)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from scaffold.analysis import Finding
from scaffold.analysis.roles import (
    SPLIT_FUNCTIONS,
)
from scaffold.extract.plan import (
    STAGES,
)
from scaffold.extract.statements import Statement

RANDOMISED = re.compile(
    r"^(RandomForest|ExtraTrees?|GradientBoosting|HistGradientBoosting|DecisionTree|MLP|SGD|"
    r"Bagging|AdaBoost|IsolationForest|KMeans|MiniBatchKMeans|RandomizedSearchCV|"
    r"RandomSurvivalForest|XGB|LGBM|CatBoost)"
)


def unseeded_randomness(stages: Mapping[str, Sequence[Statement]]) -> list[Finding]:
    """Random steps without a seed: their numbers change from run to run."""
    findings = []
    for statement in (s for name in STAGES for s in stages[name]):
        for call in statement.symbols.calls:
            method = call.method
            seeded = "random_state" in call.keywords or "seed" in call.keywords
            shuffled = method in SPLIT_FUNCTIONS and "shuffle" not in call.keywords
            if seeded or not (RANDOMISED.match(method) or shuffled):
                continue
            findings.append(
                Finding(
                    f"{call.dotted}(...) has no random_state: its results change from run to "
                    "run, so the notebook's numbers can only be matched approximately; set one "
                    "to make training reproducible",
                    cell=statement.cell,
                    line=statement.line,
                )
            )
    return findings


TIMINGS = re.compile(r"\b(mean|std)_(fit|score)_time\b|\btime\.(time|perf_counter)\(")
"""Code whose result depends on measured time (`cv_results_["mean_score_time"]`)."""


def timing_dependent(
    stages: Mapping[str, Sequence[Statement]], helpers: Sequence[Statement]
) -> list[Finding]:
    """Steps that decide by measured run time: their choice can change from run to run."""
    findings = []
    for statement in [*helpers, *(s for name in STAGES for s in stages[name])]:
        if TIMINGS.search(statement.code):
            findings.append(
                Finding(
                    "this step decides by measured run time, which changes from run to run, so "
                    "the notebook's numbers can only be matched approximately",
                    cell=statement.cell,
                    line=statement.line,
                )
            )
    return findings
