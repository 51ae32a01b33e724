"""Extract the notebook's pipeline into the modules of the generated package.

Takes the `Analysis`; gives an `Extraction`: source text plus what the rest of the generator
needs (settings, metrics to compare, cells left out, warnings); nothing is written here.

Inside, plan -> rewrite -> emit, with frozen values between the steps: `stage_plan.plan_stages`
gives a `Plan` (`cell_code`, `routing`, `joining`: each statement in its stage, the names joining
the stages); `feature_decision` decides from it whether the feature step is learnt; the
rewrites (`features`, `helper_state`, `evaluation`, `dead_code`, and `rewrites/`, one
transformer per file) give new stages; `emit/` makes the stage functions and
`pipeline/__init__.py`, and `assemble` the modules. `layout.lay_out` chains rewrite and emit
into a `StageCode`, whose service decision is `service`'s; `sections` narrows a notebook of
several models to one, planning each candidate on the whole plan's cell statements.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from scaffold.analysis import Analysis, Finding
from scaffold.analysis.results import Setting
from scaffold.errors import ExtractionError
from scaffold.extract.assemble import assemble
from scaffold.extract.config import data_file_targets
from scaffold.extract.layout import lay_out
from scaffold.extract.names import settings_read
from scaffold.extract.plan import PIPELINE_ROLES, check_supported
from scaffold.extract.rewrites.metrics import MetricSpec
from scaffold.extract.sections import narrow_to_one_model
from scaffold.extract.stage_code import StageCode
from scaffold.extract.stage_plan import plan_stages
from scaffold.extract.table_metrics import TableSpec

__all__ = ["Extraction", "MetricSpec", "TableSpec", "extract"]

UNUSED = "nothing it computes reaches what the pipeline returns (shown values, unused names)"
SETTINGS_ONLY = "its values are settings in config/params.yaml"


@dataclass(frozen=True)
class Extraction:
    """The generated pipeline.

    Attributes:
        task: the kind of problem of the pipeline extracted.
        target: its outcome column, when the code shows it.
        files: project-relative path (with `{package}` for the package folder) -> source of
            the pipeline modules; config/params.yaml and settings.py are rendered by the
            template from `settings` and `data_files` (`scaffold.extract.config.setting_groups`).
        settings: the settings lifted into config/params.yaml.
        data_files: notebook-relative data path -> project-relative path to copy it to.
        metrics: the metrics the evaluation returns that the notebook printed.
        tables: the tables the notebook showed (a model's summary, a frame of scores) whose
            numbers the evaluation returns too.
        servable: whether the model answers single raw rows (a service is generated).
        no_service_reason: why there is no service, when there is none.
        retrain_problem: why feedback rows cannot join the training data ("" when they can).
        model_choice: which model is served, when the notebook fits several on different data.
        unseeded: whether a random step has no seed (the notebook's numbers vary by run).
        left_out: (cell, role, reason) of every code cell not in the pipeline.
        warnings: what the user should look at.
    """

    task: str
    target: str | None
    files: dict[str, str]
    settings: tuple[Setting, ...]
    data_files: dict[str, str]
    metrics: tuple[MetricSpec, ...]
    servable: bool
    unseeded: bool = False
    no_service_reason: str = ""
    retrain_problem: str = ""
    model_choice: str = ""
    left_out: tuple[tuple[int, str, str], ...] = ()
    warnings: tuple[Finding, ...] = field(default=())
    tables: tuple[TableSpec, ...] = ()


def extract(analysis: Analysis) -> Extraction:
    """Extract the pipeline of an analysed notebook.

    Raises:
        ExtractionError: a construct that cannot be carried over faithfully, with cell and line.
    """
    pipeline = [cell.number for cell in analysis.cells if cell.role in PIPELINE_ROLES]
    check_supported(analysis, pipeline)
    plan = plan_stages(analysis, pipeline)
    stages = lay_out(analysis, plan)
    narrowed = narrow_to_one_model(analysis, plan, stages)
    files = _assembled(narrowed.analysis, narrowed.stages) if narrowed is not None else None
    if narrowed is not None and files is not None:
        analysis, stages = narrowed.analysis, narrowed.stages  # one model of several, served
    else:
        narrowed, files = None, assemble(analysis, stages)
    settings = _used(analysis.settings, stages)
    data_files = data_file_targets(analysis.notebook.path.parent, settings)
    left_out = _left_out(analysis, stages, settings, narrowed.left_out if narrowed else {})
    return Extraction(
        task=analysis.task,
        target=analysis.target,
        files=files,
        settings=settings,
        data_files=data_files,
        metrics=tuple(stages.metrics),
        servable=stages.servable,
        unseeded=stages.unseeded,
        no_service_reason=stages.no_service_reason,
        retrain_problem=stages.retrain_problem if stages.servable else "",
        model_choice=narrowed.choice if narrowed is not None else "",
        left_out=left_out,
        warnings=tuple(stages.warnings),
        tables=tuple(stages.tables),
    )


def _assembled(analysis: Analysis, stages: StageCode) -> dict[str, str] | None:
    """The modules of one model's stages; None when they do not assemble alone."""
    try:
        return assemble(analysis, stages)
    except ExtractionError:
        return None


def _left_out(
    analysis: Analysis,
    stages: StageCode,
    settings: tuple[Setting, ...],
    other_models: Mapping[int, str],
) -> tuple[tuple[int, str, str], ...]:
    """(cell, role, reason) of every code cell none of whose code is in the project."""
    kept = stages.cells_with_code
    constants = {setting.context.split(" ", 1)[0] for setting in settings}
    found = []
    for cell in analysis.cells:
        number, symbols = cell.number, cell.symbols
        if cell.cell.kind != "code" or number in kept:
            continue
        role, reason = cell.role.value, cell.reason
        if number in other_models:
            role, reason = "another model", other_models[number]
        elif number in stages.helpers_left_out:
            reason = stages.helpers_left_out[number]
        elif cell.role in PIPELINE_ROLES and symbols is not None:
            reason = SETTINGS_ONLY if symbols.defines and symbols.defines <= constants else UNUSED
        found.append((number, role, reason))
    return tuple(found)


def _used(settings: tuple[Setting, ...], stages: StageCode) -> tuple[Setting, ...]:
    """The settings the kept statements read (a literal in dropped code is no setting)."""
    statements = [*stages.imports, *stages.helpers, *stages.configuration]
    statements += [s for stage in stages.stage_statements.values() for s in stage]
    read = settings_read(statement.node for statement in statements)
    return tuple(setting for setting in settings if setting.key in read)
