"""Lay the pipeline statements out as stage functions, with every rewrite applied.

Takes the `Analysis` and the pipeline cells; gives a `StageCode`. The steps, each a module:
`cell_code` (statements with settings in place) -> `routing.route` (a frozen `Routed`: each
statement to its stage) -> `joining` (frame, features, target, estimator) -> `features` and
`evaluation` (the rewrites of the prepare and evaluate stages) -> `dead_code` ->
`reproducibility` (warnings) -> `emit.stage_functions` (one function per stage). Whether the
project gets a service is `service.service_decision` of the result.
"""

from __future__ import annotations

from collections.abc import Sequence

from scaffold.analysis import Analysis, Finding
from scaffold.errors import ExtractionError
from scaffold.extract.cell_code import cell_statements, setting_constants
from scaffold.extract.dead_code import drop_dead_code
from scaffold.extract.emit.stage_functions import make_functions
from scaffold.extract.evaluation import rewrite_evaluate, shown_results
from scaffold.extract.features import rewrite_prepare
from scaffold.extract.helper_globals import (
    HelperGlobals,
    helper_globals,
    partial_import,
    settle_helpers,
    with_globals_passed,
)
from scaffold.extract.helper_state import learn_in_helpers
from scaffold.extract.joining import (
    carry_transformers_after_split,
    join_names,
    split_inputs_into_split,
)
from scaffold.extract.names import names_in
from scaffold.extract.reproducibility import timing_dependent, unseeded_randomness
from scaffold.extract.routing import (
    route,
)
from scaffold.extract.stage_code import (
    StageCode,
)
from scaffold.extract.statements import Statement
from scaffold.extract.table_metrics import TableRewrite

RESERVED_NAMES = frozenset(
    {
        "state",
        "settings",
        "extra_rows",
        "raw_inputs",
        "raw_target",
        "served_model",
        "model_inputs",
        "feature_step",
        "raw_frame",
        "as_frame",
        "with_extra_rows",
    }
)
"""Names the generated `train` and feature step bind themselves."""


def build_stages(analysis: Analysis, pipeline: Sequence[int]) -> StageCode:
    """Turn the pipeline cells into stage functions."""
    constants = setting_constants(analysis, pipeline)
    estimators = analysis.estimators
    warnings: list[Finding] = []
    cells = {
        number: cell_statements(analysis, number, constants, warnings)
        for number in pipeline
        if analysis.cell(number).cell.kind == "code" and analysis.cell(number).symbols is not None
    }
    found = _helper_globals(analysis, cells)
    passed = {
        number: [
            statement
            if statement.kind in ("import", "def", "class")
            else with_globals_passed(statement, found, constants)
            for statement in statements
        ]
        for number, statements in cells.items()
    }
    routed = route(analysis, [s for statements in passed.values() for s in statements])
    stages = {name: list(statements) for name, statements in routed.stages.items()}
    helpers, imports = list(routed.helpers), list(routed.imports)
    module_names = (
        set(analysis.imports)
        | {name for h in helpers for name in h.symbols.defines}
        | {item.alias for s in imports for item in s.symbols.imports}
    )
    taken = module_names | {
        name
        for number in pipeline
        if (symbols := analysis.cell(number).symbols) is not None
        for name in symbols.defines | symbols.reads
    }
    metrics_name = next(n for n in ("metrics", "scores", "metric_values") if n not in taken)
    clashes = sorted(taken & RESERVED_NAMES)
    if clashes:
        raise ExtractionError(
            pipeline[0],
            f"the notebook's name '{clashes[0]}' is one the generated pipeline uses itself; "
            "rename it in the notebook",
        )
    split_inputs_into_split(stages)
    joined = join_names(analysis, stages, module_names, estimators)
    joined = carry_transformers_after_split(stages, joined)
    code = StageCode(
        [],
        helpers,
        imports,
        [],
        warnings,
        task=analysis.task,
        configuration=list(routed.configuration),
        module_names=module_names,
        metrics_name=metrics_name,
        **joined.as_fields(),
    )
    as_written = {name: list(statements) for name, statements in stages.items()}
    warnings_so_far = list(code.warnings)
    _finish(analysis, stages, code, estimators, learn_features=code.frame is not None)
    if code.frame is not None and not code.servable:
        # A project without a service has no feature state: its feature code stays as written.
        code.feature_problem = code.no_service_reason
        code.functions, code.metrics, code.warnings = [], [], warnings_so_far
        _finish(analysis, as_written, code, estimators, learn_features=False)
    _settle_helpers(code, found)
    return code


def _helper_globals(analysis: Analysis, cells: dict[int, list[Statement]]) -> HelperGlobals:
    """The notebook variables each helper reads: every call of it passes them."""
    every = [statement for statements in cells.values() for statement in statements]
    helpers = [s for s in every if s.kind in ("def", "class")]
    module_names = set(analysis.imports) | {
        name for s in every if s.kind in ("def", "class", "import") for name in s.symbols.defines
    }
    return helper_globals(helpers, module_names)


def _settle_helpers(code: StageCode, found: HelperGlobals) -> None:
    """Keep the helpers the stages use, with the notebook variables they read as parameters."""
    used = names_in([f.node for f in code.functions] + [s.node for s in code.configuration])
    settled = settle_helpers(code.helpers, found, used.names | used.in_formulas)
    code.helpers, code.helpers_left_out = settled.helpers, settled.left_out
    if found.needs and code.helpers:
        code.imports.append(partial_import(code.helpers[0].cell))


def _finish(
    analysis: Analysis,
    stages: dict[str, list[Statement]],
    code: StageCode,
    estimators: dict[str, str],
    *,
    learn_features: bool,
) -> None:
    """Rewrite the stages and make their functions."""
    if learn_features:
        rewrite_prepare(stages, code, analysis.target)
        code.helpers = learn_in_helpers(stages, code.helpers, code.module_names)
    tables = TableRewrite.for_notebook(analysis.notebook, code.metrics_name, code.estimator)
    rewrite_evaluate(stages, code, analysis.task, shown_results(analysis), tables)
    drop_dead_code(stages, code, analysis, estimators)
    unseeded = unseeded_randomness(stages) + timing_dependent(stages, code.helpers)
    code.warnings += unseeded
    code.unseeded = bool(unseeded)
    code.stage_statements = stages
    make_functions(analysis, stages, code)
