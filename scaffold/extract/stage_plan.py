"""Plan the stages: the frozen `Plan` that the rewrite and emit steps of the layout work from.

Takes the `Analysis` and the pipeline cells; gives a `Plan`: each statement routed to its stage
(`routing.route`, then the moves of `joining`), the names that join the stages, the names the
generated code takes from modules and the one its metrics dictionary gets, the variables the
notebook's functions read, and the warnings so far. Nothing here is rewritten beyond the
settings put in place (`cell_code`); a name the generated code binds itself is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scaffold.analysis import Analysis, Finding
from scaffold.errors import ExtractionError
from scaffold.extract.call_facts import CallFacts, call_facts
from scaffold.extract.cell_code import PipelineCells, pipeline_cells
from scaffold.extract.helper_globals import HelperGlobals, helper_globals, with_globals_passed
from scaffold.extract.joining import (
    Joined,
    carry_transformers_after_split,
    join_names,
    split_inputs_into_split,
)
from scaffold.extract.routing import route
from scaffold.extract.stage_code import Stages
from scaffold.extract.statements import Statement
from scaffold.naming import unique_name

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
METRICS_NAMES = ("metrics", "scores", "metric_values")
"""The name of the evaluation's dictionary: the first the notebook does not use (else
`metrics_2`, ...)."""


@dataclass(frozen=True)
class Plan:
    """What the layout decides before it rewrites a statement.

    Attributes:
        task: the kind of problem of the pipeline.
        stages: stage name -> its statements as routed and joined, in the notebook's order.
        imports: the notebook's import statements.
        helpers: its functions and classes (with the variables they read as parameters later).
        configuration: library settings, run when the package loads.
        joined: the frame, features, target and estimator that pass between the stages.
        module_names: the names the generated code takes from modules (imports, helpers).
        metrics_name: the name of the dictionary the evaluation returns.
        helper_globals: the notebook variables each helper reads, and the helpers refused.
        warnings: what the user should look at, found so far.
        pipeline: the cells planned, in notebook order.
        cells: their statements, settings in place (shared with the plan of a smaller
            pipeline of the same notebook).
        calls: the role and qualified name of each call, asked of the analysis once.
    """

    task: str
    stages: Stages
    imports: tuple[Statement, ...]
    helpers: tuple[Statement, ...]
    configuration: tuple[Statement, ...]
    joined: Joined
    module_names: frozenset[str]
    metrics_name: str
    helper_globals: HelperGlobals
    warnings: tuple[Finding, ...]
    pipeline: tuple[int, ...]
    cells: PipelineCells
    calls: CallFacts


def plan_stages(
    analysis: Analysis, pipeline: Sequence[int], known: PipelineCells | None = None
) -> Plan:
    """Route the pipeline cells' statements to stages and find the names that join them.

    `known`: the cells of a larger pipeline of the same notebook, reused where they agree.

    Raises:
        ExtractionError: the notebook binds a name the generated pipeline binds itself.
    """
    cells = pipeline_cells(analysis, pipeline, known)
    found = _helper_globals(analysis, cells.statements)
    passed = [
        statement
        if statement.kind in ("import", "def", "class")
        else with_globals_passed(statement, found, cells.constants)
        for statements in cells.statements.values()
        for statement in statements
    ]
    calls = call_facts(analysis, passed)
    routed = route(analysis, passed, calls)
    module_names = frozenset(
        set(analysis.imports)
        | {name for h in routed.helpers for name in h.symbols.defines}
        | {item.alias for s in routed.imports for item in s.symbols.imports}
    )
    metrics_name = _metrics_name(analysis, pipeline, module_names)
    stages = split_inputs_into_split(routed.stages)
    stages, joined = join_names(analysis, stages, module_names, calls.estimators)
    stages, joined = carry_transformers_after_split(stages, joined)
    return Plan(
        task=analysis.task,
        stages=stages,
        imports=routed.imports,
        helpers=routed.helpers,
        configuration=routed.configuration,
        joined=joined,
        module_names=module_names,
        metrics_name=metrics_name,
        helper_globals=found,
        warnings=tuple(w for found in cells.warnings.values() for w in found),
        pipeline=tuple(pipeline),
        cells=cells,
        calls=calls,
    )


def _metrics_name(analysis: Analysis, pipeline: Sequence[int], module_names: frozenset[str]) -> str:
    """The evaluation's dictionary's name; refuses a notebook name the pipeline binds itself."""
    taken = module_names | {
        name
        for number in pipeline
        if (symbols := analysis.cell(number).symbols) is not None
        for name in symbols.defines | symbols.reads
    }
    clashes = sorted(taken & RESERVED_NAMES)
    if clashes:
        raise ExtractionError(
            pipeline[0],
            f"the notebook's name '{clashes[0]}' is one the generated pipeline uses itself; "
            "rename it in the notebook",
        )
    free = [name for name in METRICS_NAMES if name not in taken]
    return free[0] if free else unique_name(METRICS_NAMES[0], set(taken))


def _helper_globals(analysis: Analysis, cells: Mapping[int, Sequence[Statement]]) -> HelperGlobals:
    """The notebook variables each helper reads: every call of it passes them."""
    every = [statement for statements in cells.values() for statement in statements]
    helpers = [s for s in every if s.kind in ("def", "class")]
    module_names = set(analysis.imports) | {
        name for s in every if s.kind in ("def", "class", "import") for name in s.symbols.defines
    }
    return helper_globals(helpers, module_names)
