"""Lay the pipeline out as stage functions: plan, then rewrite, then emit.

Takes the `Analysis` and the pipeline cells; gives a frozen `StageCode`. The steps, each taking
frozen values and giving a new one: `stage_plan.plan_stages` (a `Plan`: statements routed and
joined) -> `feature_decision` (whether the feature step learns through the feature state) ->
`rewrite_stages` (the feature step, the evaluation's metrics, dead code dropped,
reproducibility warnings) -> `emit.stage_functions` (one function per stage) -> the helpers the
functions use (`helper_globals.settle_helpers`). Whether the project gets a service is
`service.service_decision` of the result; when a learnt feature step turns out not to be served,
`without_feature_state` lays the plan out once more with the feature code as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from scaffold.analysis import Analysis
from scaffold.extract.dead_code import drop_dead_code
from scaffold.extract.emit.stage_functions import make_functions
from scaffold.extract.evaluation import EvaluationNames, rewrite_evaluate, shown_results
from scaffold.extract.feature_decision import feature_decision
from scaffold.extract.features import cut_for, cut_import, rewrite_prepare
from scaffold.extract.helper_globals import partial_import, settle_helpers
from scaffold.extract.helper_state import learn_in_helpers
from scaffold.extract.names import names_in
from scaffold.extract.reproducibility import timing_dependent, unseeded_randomness
from scaffold.extract.stage_code import StageCode
from scaffold.extract.stage_plan import Plan, plan_stages
from scaffold.extract.table_metrics import TableRewrite


def build_stages(analysis: Analysis, pipeline: Sequence[int]) -> StageCode:
    """Turn the pipeline cells into stage functions."""
    return lay_out(analysis, plan_stages(analysis, pipeline))


def lay_out(analysis: Analysis, plan: Plan) -> StageCode:
    """The stage functions of a plan, with the helpers they use."""
    decision = feature_decision(plan, analysis.target)
    code = rewrite_stages(
        analysis, plan, learn_features=decision.learnt, feature_problem=decision.problem
    )
    if decision.learnt and not code.servable:
        code = without_feature_state(analysis, plan, code)
    return _with_helpers_settled(code, plan)


def without_feature_state(analysis: Analysis, plan: Plan, learnt: StageCode) -> StageCode:
    """The stages laid out again with the feature code as written: the learnt one is not served.

    A project without a service has no feature state. The plan decides most of this beforehand
    (`feature_decision`); what it cannot is what only the laid-out code shows, after the
    rewrites and the dead code dropped: the rewritten `prepare` function's parameters (a value
    besides the frame that the feature step reads from the training data, which a request does
    not carry), the training rows rebound after the split or a model fitted on a value computed
    from them, a model predicting per category, a forecaster's inputs (`service`). The
    planned statements are not those: the rewrites change what `prepare` reads, and dead code
    which statements remain.
    """
    return rewrite_stages(
        analysis, plan, learn_features=False, feature_problem=learnt.no_service_reason
    )


def rewrite_stages(
    analysis: Analysis, plan: Plan, *, learn_features: bool, feature_problem: str = ""
) -> StageCode:
    """Rewrite the planned stages and make their functions (the helpers not yet settled).

    `feature_problem`: why the feature step is not served, when that is known already (else
    the one joining found).
    """
    joined, stages, helpers = plan.joined, plan.stages, plan.helpers
    imports, module_names = plan.imports, plan.module_names
    if learn_features:
        cut = cut_for(stages, imports, module_names)
        stages = rewrite_prepare(stages, module_names, analysis.target, imports, cut)
        if (added := cut_import(cut, stages["prepare"])) is not None:
            imports, module_names = (*imports, added), module_names | {cut.name}
        stages, helpers = learn_in_helpers(stages, helpers, module_names)
    names = EvaluationNames(plan.metrics_name, joined.estimator, module_names, helpers)
    tables = TableRewrite.for_notebook(analysis.notebook, plan.metrics_name, joined.estimator)
    evaluated = rewrite_evaluate(
        stages, names=names, task=analysis.task, results=shown_results(analysis), tables=tables
    )
    returned = (joined.estimator, joined.frame, plan.metrics_name)
    stages = drop_dead_code(evaluated.stages, returned, helpers, plan.calls)
    unseeded = unseeded_randomness(stages) + timing_dependent(stages, helpers)
    fields = joined.as_fields() | {"feature_problem": feature_problem or joined.feature_problem}
    code = StageCode(
        functions=(),
        helpers=helpers,
        imports=imports,
        metrics=evaluated.metrics,
        warnings=(*plan.warnings, *unseeded),
        task=plan.task,
        configuration=plan.configuration,
        module_names=evaluated.module_names,
        metrics_name=plan.metrics_name,
        stage_statements=stages,
        unseeded=bool(unseeded),
        tables=evaluated.tables,
        **fields,
    )
    return replace(code, functions=make_functions(analysis, stages, code))


def _with_helpers_settled(code: StageCode, plan: Plan) -> StageCode:
    """Keep the helpers the stages use, with the notebook variables they read as parameters."""
    found = plan.helper_globals
    used = names_in([f.node for f in code.functions] + [s.node for s in code.configuration])
    settled = settle_helpers(code.helpers, found, used.names | used.in_formulas)
    imports = code.imports
    if found.needs and settled.helpers:
        imports = (*imports, partial_import(settled.helpers[0].cell))
    return replace(
        code, helpers=settled.helpers, helpers_left_out=settled.left_out, imports=imports
    )
