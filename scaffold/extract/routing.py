"""Route each pipeline statement to its stage: load -> prepare -> split -> train -> evaluate.

Stages follow the notebook's order and never go back; imports, helpers and library settings go
beside the stages, displays nowhere, and cross-validation to the evaluation when that is safe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scaffold.analysis import Analysis
from scaffold.analysis.roles import PLOT_MODULES
from scaffold.extract.call_facts import CallFacts, call_facts
from scaffold.extract.deferral import moves_safely
from scaffold.extract.evaluation import may_show_metric
from scaffold.extract.plan import (
    STAGES,
    statement_stage,
)
from scaffold.extract.service import CROSS_VALIDATION
from scaffold.extract.statements import Statement
from scaffold.extract.table_metrics import ShownTables, shows_table
from scaffold.notebook import Role

TRAIN_STAGE = STAGES.index("train")


PREPARE_STAGE = STAGES.index("prepare")


MODEL_FACTORIES = frozenset(
    {"make_pipeline", "Pipeline", "make_column_transformer", "ColumnTransformer", "make_union"}
)


LIBRARY_SETTINGS = frozenset({"sklearn.set_config"})
"""Calls that change how a library computes for the whole process, not for one stage."""


def bundles_loaded(statement: Statement, calls: CallFacts) -> set[str]:
    """The names a load statement binds to something other than a pandas table.

    `data = load_breast_cancer()` binds a Bunch, `arr = np.loadtxt(...)` an array: the
    statements that make the table from them (`pd.DataFrame(data.data, ...)`,
    `df["target"] = data.target`) are part of loading, not of the feature step.
    """
    for call in statement.symbols.calls:
        if calls.role(call) is Role.LOAD:
            if calls.qualify(call.dotted).startswith("pandas."):
                return set()
            return set(statement.symbols.defines)
    return set()


def configures_library(statement: Statement, calls: CallFacts) -> bool:
    """`sklearn.set_config(transform_output="pandas")`: every stage, and serving, depend on it.

    Made inside one stage function, it would hold only in a process that ran that stage: a
    fresh `serve` would compute with the library's defaults.
    """
    if statement.kind != "expression" or len(statement.symbols.calls) != 1:
        return False
    call = statement.symbols.calls[0]
    return call.module_level and calls.qualify(call.dotted) in LIBRARY_SETTINGS


def validates_before_training(
    statement: Statement, deferred: list[tuple[int, int, Statement]]
) -> bool:
    """Cross-validation written before the model is trained, or a look at its results.

    `cross_val_score(model, X, y)` fits clones and leaves `model` as it was, so it can run in
    the evaluation, after training, without changing what the pipeline computes.
    """
    calls = {call.method for call in statement.symbols.calls if call.module_level}
    if calls & CROSS_VALIDATION:
        return not statement.symbols.mutates
    made = {name for _, _, s in deferred for name in s.symbols.defines}
    return bool(made) and bool(statement.symbols.reads & made) and not statement.symbols.mutates


def place_validation(
    body: list[tuple[int, Statement]], deferred: list[tuple[int, int, Statement]]
) -> tuple[list[tuple[int, Statement]], list[Statement]]:
    """Cross-validation moves to the evaluation when nothing after it changes what it reads.

    Otherwise it stays where the notebook ran it (the body with it put back, and nothing moved).
    """
    if not deferred:
        return body, []
    if not moves_safely(body, deferred):
        restored = list(body)
        for position, stage, statement in reversed(deferred):
            restored.insert(position, (stage, statement))
        return restored, []
    return body, [statement for _, _, statement in deferred]


def move_model_setup_to_training(stages: dict[str, list[Statement]]) -> None:
    """`clf = SVC(gamma=0.001)` or `params = {...}` written before the split belong to training.

    A statement moves when it only builds objects (constructors, pipelines, literals), nothing
    before the training reads what it binds, and nothing between it and the training rebinds
    what it reads; the order of the moved statements is kept.
    """
    earlier = [(stage, s) for stage in STAGES[:TRAIN_STAGE] for s in stages[stage]]
    moved: list[Statement] = []
    for index in range(len(earlier) - 1, -1, -1):
        stage, statement = earlier[index]
        after = [s for _, s in earlier[index + 1 :] if s not in moved]
        binds = statement.symbols.defines
        read_later = set().union(*(s.symbols.reads | s.symbols.mutated_names for s in after))
        rebound_later = set().union(*(s.symbols.defines | s.symbols.mutated_names for s in after))
        if (
            _builds_objects(statement)
            and binds
            and not binds & read_later
            and not statement.symbols.reads & rebound_later
        ):
            moved.insert(0, statement)
            stages[stage].remove(statement)
    stages["train"][:0] = moved


DATA_CONSTRUCTORS = frozenset({"Series", "DataFrame"})
"""Constructors that make data (a series the model is fitted on), not a model to set up."""


def _builds_objects(statement: Statement) -> bool:
    """An assignment whose calls all construct objects (`SVC(...)`, `make_pipeline(...)`)."""
    if statement.kind not in ("assign", "literal") or statement.symbols.mutates:
        return False
    if not statement.symbols.calls:
        return statement.kind == "literal"  # `y = df["target"]` or `y[:-12]` picks data
    return all(
        (call.method[:1].isupper() and call.method not in DATA_CONSTRUCTORS)
        or call.method in MODEL_FACTORIES
        for call in statement.symbols.calls
    )


def is_display(statement: Statement, calls: CallFacts) -> bool:
    """An expression statement that only shows something, or a change of plot settings."""
    symbols = statement.symbols
    plot_aliases = {
        name for name in symbols.mutated_names if calls.qualify(name).split(".")[0] in PLOT_MODULES
    }
    if plot_aliases and plot_aliases == symbols.mutated_names and not symbols.defines:
        return True
    if statement.kind != "expression":
        return False
    if may_show_metric(statement):
        return False  # the evaluation may turn it into metrics; else it is dropped there
    if symbols.mutates:
        return False  # `model.set_params(...).fit(X, y)` is shown, and it changes the model
    for expression in symbols.expressions:
        if expression.callee is None:
            return True  # `df`, `df.shape`: shown, not computed
    module_level = [call for call in symbols.calls if call.module_level]
    outermost = module_level[0] if module_level else None
    if outermost is None or outermost.method[:1].isupper():
        return True  # an object built and thrown away
    return calls.role(outermost) is Role.EXPLORE


@dataclass(frozen=True)
class Routed:
    """The pipeline's statements by where they go, in the notebook's order."""

    imports: tuple[Statement, ...]
    helpers: tuple[Statement, ...]  # functions and classes
    configuration: tuple[Statement, ...]  # library settings, run when the package loads
    stages: Mapping[str, tuple[Statement, ...]]  # stage name -> its statements


def route(
    analysis: Analysis, statements: Sequence[Statement], calls: CallFacts | None = None
) -> Routed:
    """Route `statements` (the pipeline cells', in order) to imports, helpers and stages.

    Each statement moves the pipeline at least to the stage its calls suggest; what only shows
    something goes nowhere. `calls`: the facts of their calls (asked of `analysis` if not given).
    """
    calls = calls if calls is not None else call_facts(analysis, statements)
    imports: list[Statement] = []
    helpers: list[Statement] = []
    configuration: list[Statement] = []
    body: list[tuple[int, Statement]] = []
    deferred: list[tuple[int, int, Statement]] = []
    stage = 0
    loaded = False
    bundles: set[str] = set()  # names bound to loaded objects that are not tables yet
    shown = ShownTables(analysis.notebook)
    shown_later: list[Statement] = []  # a model's results shown before the evaluation
    for statement in statements:
        if statement.kind == "import":
            imports.append(statement)
        elif statement.kind in ("def", "class"):
            helpers.append(statement)
        elif shows_table(statement, shown) and STAGES[stage] != "evaluate":
            shown_later.append(statement)  # the evaluation returns what it showed
        elif configures_library(statement, calls):
            configuration.append(statement)
        elif stage < TRAIN_STAGE and validates_before_training(statement, deferred):
            deferred.append((len(body), stage, statement))  # evaluation, once trained
        elif shows_table(statement, shown) or not is_display(statement, calls):
            suggested = statement_stage(statement, calls)
            if suggested == 0:
                bundles |= bundles_loaded(statement, calls)
            elif suggested is None and stage == 0 and statement.symbols.reads & bundles:
                suggested = 0  # a table made of a loaded bundle (`load_iris().data`) is data
            if suggested is None and loaded:
                suggested = PREPARE_STAGE  # after the data is loaded, a step prepares it
            stage = max(stage, suggested if suggested is not None else stage)
            loaded = loaded or suggested == 0
            if may_show_metric(statement) and STAGES[stage] != "evaluate":
                continue  # shown for a look, not part of the pipeline
            body.append((stage, statement))
    body, validation = place_validation(body, deferred)
    stages: dict[str, list[Statement]] = {name: [] for name in STAGES}
    for index, statement in body:
        stages[STAGES[index]].append(statement)
    stages["evaluate"][:0] = [*shown_later, *validation]
    move_model_setup_to_training(stages)
    return Routed(
        tuple(imports),
        tuple(helpers),
        tuple(configuration),
        {name: tuple(found) for name, found in stages.items()},
    )
