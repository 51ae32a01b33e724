"""Whether the feature step learns its values through the feature state: decided from the plan.

Takes the `Plan` (and the notebook's outcome column); gives a `FeatureDecision`. A feature step
is learnt (statistics, categories, bin edges recorded in training and replayed when serving)
only for a project that serves its model; a project without a service keeps its feature code
as written. Everything here is known before a statement is rewritten: whether there is one
frame the feature step prepares, what `service.planned_problem` finds in the joining names (one
model, fitted on a train/test split, a task served row by row), and no feature problem (an
outcome made from other columns, bins the served rows would decide themselves); a forecaster's
service does not depend on its features. What only the laid-out code shows is
`service.service_decision`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from scaffold.extract.features import binning_problem
from scaffold.extract.service import planned_problem
from scaffold.extract.stage_plan import Plan


@dataclass(frozen=True)
class FeatureDecision:
    """Whether the feature step is learnt, and why not.

    Attributes:
        learnt: the prepare stage is rewritten to learn through the feature state.
        reason: why not ("" when it is learnt).
        problem: why the feature step cannot be served, when the plan shows it (the
            `feature_problem` of the stage code, "" when it shows none).
    """

    learnt: bool
    reason: str = ""
    problem: str = ""


def feature_decision(plan: Plan, target: str | None) -> FeatureDecision:
    """Learn the feature step unless the plan shows that the model will not be served."""
    joined = plan.joined
    if joined.frame is None:
        return FeatureDecision(False, "no frame is prepared: the model takes what it is fitted on")
    planned = planned_problem(joined, plan.task)
    if planned:
        return FeatureDecision(False, planned)
    if plan.task == "forecasting":
        return FeatureDecision(True)  # its service is decided by its series, not its features
    problem = joined.feature_problem or binning_problem(
        plan.stages, target, plan.imports, plan.helpers, plan.module_names
    )
    if problem:
        return FeatureDecision(False, problem, problem)
    return FeatureDecision(True)
