"""Lay the pipeline statements out as stage functions, with every rewrite applied."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Collection, Sequence
from importlib import metadata

import libcst as cst

from scaffold.analysis import Analysis, Finding, parse_cell
from scaffold.analysis.roles import (
    PLOT_MODULES,
    SPLIT_FUNCTIONS,
    classify_call,
    qualify,
)
from scaffold.analysis.symbols import Call, subscript_column
from scaffold.cst_search import is_call_of
from scaffold.errors import ExtractionError
from scaffold.extract.deferral import moves_safely
from scaffold.extract.formulas import formula_fit
from scaffold.extract.functions import (
    Signature,
    free_reads,
    function_def,
    in_order_of_appearance,
    modules_per_stage,
    produced,
)
from scaffold.extract.helper_globals import (
    HelperGlobals,
    helper_globals,
    partial_import,
    settle_helpers,
    with_globals_passed,
)
from scaffold.extract.helper_state import learn_in_helpers
from scaffold.extract.names import names_in
from scaffold.extract.plan import (
    STAGES,
    fit_arguments,
    fitted_estimator,
    series_cut,
    series_split,
    split_call_names,
    split_outputs,
    statement_stage,
)
from scaffold.extract.rewrites.after_split import transformers_after_split
from scaffold.extract.rewrites.bin_edges import learn_bin_edges
from scaffold.extract.rewrites.categories import learn_categories
from scaffold.extract.rewrites.constants import always_add_constant
from scaffold.extract.rewrites.inplace import inplace_to_assignment, is_chained_inplace
from scaffold.extract.rewrites.metrics import (
    MetricSpec,
    is_classification_report,
    is_metric_call,
    metric_assignments,
    printed_metrics,
    report_assignments,
    score_arrays,
    slug,
)
from scaffold.extract.rewrites.print_helpers import print_helpers
from scaffold.extract.rewrites.row_filters import served_filter
from scaffold.extract.rewrites.settings_refs import (
    record_settings,
    replace_literals,
    replace_names,
)
from scaffold.extract.rewrites.statistics import learn_statistics
from scaffold.extract.rewrites.training_only import guard, is_training_only, uses_outcome
from scaffold.extract.rewrites.transformers import fit_transformers_once
from scaffold.extract.rewrites.unused_locals import without_unused_locals
from scaffold.extract.stage_code import (
    CROSS_VALIDATION,
    RESULTS_TASKS,
    StageCode,
    StageFunction,
    fits_transformers_only,
)
from scaffold.extract.statements import Statement, Stmt, split_statements, statement_of
from scaffold.extract.table_metrics import (
    TABLE_FUNCTIONS,
    ShownTables,
    TableRewrite,
    shows_table,
)
from scaffold.naming import unique_name
from scaffold.notebook import Role

STAGE_FUNCTIONS = {
    "load": ("data", "load_data", "Load the raw data."),
    "prepare": ("features", "prepare", "Clean the data and compute the features."),
    "split": ("data", "split_data", "Split the rows into training and test sets."),
    "train": ("model", "train_model", "Fit the model."),
    "evaluate": ("evaluation", "evaluate_model", "Score the model on the held-out rows."),
}
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
NON_SCALAR_METRICS = frozenset({"classification_report", "confusion_matrix"})
SPECIAL_NAMES = ("state", "settings")
PURE_ROLES = frozenset({Role.LOAD, Role.PREDICT, Role.EVALUATE, Role.EXPLORE, Role.PREPARE})
"""Calls of these roles compute values and change nothing else (`fit` is training)."""
NEUTRAL = frozenset(
    {"zip", "enumerate", "range", "len", "sorted", "reversed", "list", "dict", "str", "round"}
)
"""Builtins a plotting loop calls that do not make it part of the pipeline."""


def build_stages(analysis: Analysis, pipeline: Sequence[int]) -> StageCode:
    """Turn the pipeline cells into stage functions."""
    constants = _constants(analysis, pipeline)
    estimators = analysis.estimators
    imports: list[Statement] = []
    helpers: list[Statement] = []
    configuration: list[Statement] = []
    body: list[tuple[int, Statement]] = []
    warnings: list[Finding] = []
    deferred: list[tuple[int, int, Statement]] = []
    stage = 0
    loaded = False
    bundles: set[str] = set()  # names bound to loaded objects that are not tables yet
    cells = {
        number: _cell_statements(analysis, number, constants, warnings)
        for number in pipeline
        if analysis.cell(number).cell.kind == "code" and analysis.cell(number).symbols is not None
    }
    found = _helper_globals(analysis, cells)
    shown = ShownTables(analysis.notebook)
    shown_later: list[Statement] = []  # a model's results shown before the evaluation
    for statements in cells.values():
        for statement in statements:
            if statement.kind not in ("import", "def", "class"):
                statement = with_globals_passed(statement, found, constants)
            if statement.kind == "import":
                imports.append(statement)
            elif statement.kind in ("def", "class"):
                helpers.append(statement)
            elif shows_table(statement, shown) and STAGES[stage] != "evaluate":
                shown_later.append(statement)  # the evaluation returns what it showed
            elif _configures_library(statement, analysis.imports):
                configuration.append(statement)
            elif stage < TRAIN_STAGE and _validates_before_training(statement, deferred):
                deferred.append((len(body), stage, statement))  # evaluation, once trained
            elif shows_table(statement, shown) or not _is_display(
                statement, analysis.imports, estimators
            ):
                suggested = statement_stage(statement, analysis.imports, estimators)
                if suggested == 0:
                    bundles |= _bundles_loaded(statement, analysis.imports, estimators)
                elif suggested is None and stage == 0 and statement.symbols.reads & bundles:
                    suggested = 0  # a table made of a loaded bundle (`load_iris().data`) is data
                if suggested is None and loaded:
                    suggested = PREPARE_STAGE  # after the data is loaded, a step prepares it
                stage = max(stage, suggested if suggested is not None else stage)
                loaded = loaded or suggested == 0
                if _may_show_metric(statement) and STAGES[stage] != "evaluate":
                    continue  # shown for a look, not part of the pipeline
                body.append((stage, statement))
    body, validation = _place_validation(body, deferred)
    stages: dict[str, list[Statement]] = {name: [] for name in STAGES}
    for index, statement in body:
        stages[STAGES[index]].append(statement)
    stages["evaluate"][:0] = [*shown_later, *validation]
    _move_model_setup_to_training(stages)
    code = StageCode([], helpers, imports, [], warnings, task=analysis.task)
    code.configuration = configuration
    code.module_names = (
        set(analysis.imports)
        | {name for h in helpers for name in h.symbols.defines}
        | {item.alias for s in imports for item in s.symbols.imports}
    )
    taken = code.module_names | {
        name
        for number in pipeline
        if (symbols := analysis.cell(number).symbols) is not None
        for name in symbols.defines | symbols.reads
    }
    code.metrics_name = next(n for n in ("metrics", "scores", "metric_values") if n not in taken)
    clashes = sorted(taken & RESERVED_NAMES)
    if clashes:
        raise ExtractionError(
            pipeline[0],
            f"the notebook's name '{clashes[0]}' is one the generated pipeline uses itself; "
            "rename it in the notebook",
        )
    _split_inputs_into_split(stages)
    _join_names(analysis, stages, code, estimators)
    _carry_transformers_after_split(stages, code)
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
        _rewrite_prepare(stages, code, analysis.target)
        code.helpers = learn_in_helpers(stages, code.helpers, code.module_names)
    tables = TableRewrite.for_notebook(analysis.notebook, code.metrics_name, code.estimator)
    _rewrite_evaluate(stages, code, analysis.task, _shown_results(analysis), tables)
    _drop_dead_code(stages, code, analysis, estimators)
    unseeded = _unseeded_randomness(stages) + _timing_dependent(stages, code.helpers)
    code.warnings += unseeded
    code.unseeded = bool(unseeded)
    code.stage_statements = stages
    _make_functions(analysis, stages, code)


TRAIN_STAGE = STAGES.index("train")
PREPARE_STAGE = STAGES.index("prepare")


MODEL_FACTORIES = frozenset(
    {"make_pipeline", "Pipeline", "make_column_transformer", "ColumnTransformer", "make_union"}
)


LIBRARY_SETTINGS = frozenset({"sklearn.set_config"})
"""Calls that change how a library computes for the whole process, not for one stage."""


def _bundles_loaded(
    statement: Statement, imports: dict[str, str], estimators: dict[str, str]
) -> set[str]:
    """The names a load statement binds to something other than a pandas table.

    `data = load_breast_cancer()` binds a Bunch, `arr = np.loadtxt(...)` an array: the
    statements that make the table from them (`pd.DataFrame(data.data, ...)`,
    `df["target"] = data.target`) are part of loading, not of the feature step.
    """
    for call in statement.symbols.calls:
        if classify_call(call, imports, estimators) is Role.LOAD:
            if qualify(call.dotted, imports).startswith("pandas."):
                return set()
            return set(statement.symbols.defines)
    return set()


def _configures_library(statement: Statement, imports: dict[str, str]) -> bool:
    """`sklearn.set_config(transform_output="pandas")`: every stage, and serving, depend on it.

    Made inside one stage function, it would hold only in a process that ran that stage: a
    fresh `serve` would compute with the library's defaults.
    """
    if statement.kind != "expression" or len(statement.symbols.calls) != 1:
        return False
    call = statement.symbols.calls[0]
    return call.module_level and qualify(call.dotted, imports) in LIBRARY_SETTINGS


def _validates_before_training(
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


def _place_validation(
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


def _move_model_setup_to_training(stages: dict[str, list[Statement]]) -> None:
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


def _pandas_version() -> str:
    try:
        return metadata.version("pandas")
    except metadata.PackageNotFoundError:
        return "0"


PANDAS_VERSION = _pandas_version()
COPY_ON_WRITE = int(PANDAS_VERSION.split(".")[0]) >= 3
"""Whether the pandas the notebook ran with here copies on write (pandas 3 and later)."""


def _cell_statements(
    analysis: Analysis, number: int, constants: dict[str, str], warnings: list[Finding]
) -> list[Statement]:
    cell = analysis.cell(number).cell
    keys_at = {
        (setting.line, setting.column): setting.key
        for setting in analysis.settings
        if setting.cell == number and setting.group != "params"
    }
    module = replace_literals(parse_cell(cell), keys_at)
    statements = []
    for statement in split_statements(number, module):
        if _binds_constant(statement, constants):
            continue  # the constant is a setting now
        if COPY_ON_WRITE and is_chained_inplace(statement.node):
            warnings.append(
                Finding(
                    f"{statement.code.strip()!r} changes nothing with pandas "
                    f"{PANDAS_VERSION} (copy-on-write), so the pipeline leaves it out as the "
                    "notebook's run did; assign the result to the column if the change was meant",
                    cell=number,
                    line=statement.line,
                )
            )
            continue
        if statement.kind in ("def", "class"):
            statements.append(statement)  # a function's names are its own; it is checked as is
            continue
        node = replace_names(statement.node, constants)
        node = inplace_to_assignment(node)
        statements.append(statement.replaced(node) if node is not statement.node else statement)
    return statements


def _constants(analysis: Analysis, pipeline: Sequence[int]) -> dict[str, str]:
    """Constant name -> settings key, for names bound once in the pipeline and never changed."""
    bindings: dict[str, int] = {}
    changed: set[str] = set()
    for number in pipeline:
        symbols = analysis.cell(number).symbols
        if symbols is not None:
            for name in symbols.defines:
                bindings[name] = bindings.get(name, 0) + 1
            changed |= symbols.mutated_names
    constants = {}
    for setting in analysis.settings:
        name = setting.context.split(" ", 1)[0]
        if setting.group == "params" and bindings.get(name) == 1 and name not in changed:
            constants[name] = setting.key
    return constants


def _binds_constant(statement: Statement, constants: dict[str, str]) -> bool:
    """`SEED = 42` whose value now lives in the settings."""
    symbols = statement.symbols
    return (
        statement.kind == "literal"
        and bool(symbols.defines)
        and symbols.defines <= constants.keys()
        and not symbols.mutates
    )


def _is_display(statement: Statement, imports: dict[str, str], estimators: dict[str, str]) -> bool:
    """An expression statement that only shows something, or a change of plot settings."""
    symbols = statement.symbols
    plot_aliases = {
        name
        for name in symbols.mutated_names
        if qualify(name, imports).split(".")[0] in PLOT_MODULES
    }
    if plot_aliases and plot_aliases == symbols.mutated_names and not symbols.defines:
        return True
    if statement.kind != "expression":
        return False
    if _may_show_metric(statement):
        return False  # the evaluation may turn it into metrics; else it is dropped there
    if symbols.mutates:
        return False  # `model.set_params(...).fit(X, y)` is shown, and it changes the model
    for expression in symbols.expressions:
        if expression.callee is None:
            return True  # `df`, `df.shape`: shown, not computed
    calls = [call for call in symbols.calls if call.module_level]
    outermost = calls[0] if calls else None
    if outermost is None or outermost.method[:1].isupper():
        return True  # an object built and thrown away
    return classify_call(outermost, imports, estimators) is Role.EXPLORE


def _may_show_metric(statement: Statement) -> bool:
    """A print, or a displayed f-string, name or metric call: a metric if it is evaluated."""
    node = statement.node
    if not isinstance(node, cst.SimpleStatementLine) or not isinstance(node.body[0], cst.Expr):
        return False
    value = node.body[0].value
    if isinstance(value, cst.Call):
        return _is_print(statement) or is_metric_call(value)
    return isinstance(value, cst.FormattedString | cst.Name)


def _join_names(
    analysis: Analysis,
    stages: dict[str, list[Statement]],
    code: StageCode,
    estimators: dict[str, str],
) -> None:
    """Find the frame, the features, the target and the estimator; settle the split stage."""
    features, target = split_call_names(stages["split"])
    code.features, code.target = features, target
    before_training = [s for stage in STAGES[:TRAIN_STAGE] for s in stages[stage]]
    code.series = series_split(stages["split"]) or series_cut(before_training)
    code.estimator = fitted_estimator(
        [s for s in stages["train"] if not fits_transformers_only(s.symbols, estimators)],
        fit_returns_results=analysis.task in RESULTS_TASKS,
    )
    if code.estimator is not None:
        code.fitted_on, code.fit_target = fit_arguments(
            stages["split"] + stages["train"],
            code.estimator,
            endog_first=analysis.task in RESULTS_TASKS,
        )
        if code.fitted_on is None and analysis.task in RESULTS_TASKS:
            everything = [s for stage in STAGES for s in stages[stage]]
            code.formula = formula_fit(
                stages["split"] + stages["train"], code.estimator, everything
            )
    code.all_rows = not any(
        c.method in SPLIT_FUNCTIONS
        for stage in STAGES
        for s in stages[stage]
        for c in s.symbols.calls
    )
    if code.all_rows or code.formula is not None:
        return  # the model's inputs are what it is fitted on: no feature step to learn
    loaded = produced(stages["load"])
    prepare_reads = free_reads(stages["prepare"], code.module_names)
    frame = next((name for name in prepare_reads if name in loaded), None)
    if frame is None or analysis.target is None:
        return
    # Statements after the last change of the frame (`X = df.drop(...)`, `y = df[...]`) belong
    # to the split: they are what turns the prepared frame into features and outcome.
    prepare = stages["prepare"]
    last = max(
        (i for i, s in enumerate(prepare) if frame in s.symbols.defines | s.symbols.mutated_names),
        default=-1,
    )
    stages["split"][:0] = prepare[last + 1 :]
    del prepare[last + 1 :]
    code.frame = frame
    made = next((s for s in prepare if _makes_column(s, analysis.target)), None)
    if made is not None:
        code.feature_problem = (
            f"the outcome column {analysis.target!r} is made in cell {made.cell} from other "
            "columns, so a request would have to carry what it is made from"
        )


def _carry_transformers_after_split(stages: dict[str, list[Statement]], code: StageCode) -> None:
    """`X_train = scaler.fit_transform(X_train)` after the split joins the feature step."""
    names = split_outputs(stages["split"])
    if code.frame is None or code.estimator is None or names is None:
        return
    places = [
        (stage, i) for stage in ("split", "train", "evaluate") for i in range(len(stages[stage]))
    ]
    split_at = next(
        n
        for n, (stage, i) in enumerate(places)
        if any(c.method in SPLIT_FUNCTIONS for c in stages[stage][i].symbols.calls)
    )
    after = places[split_at + 1 :]
    found = transformers_after_split([stages[s][i] for s, i in after], names[0], names[1])
    if found is None or found.train_rows != code.fitted_on:
        return
    for position, node in found.nodes.items():
        stage, index = after[position]
        stages[stage][index] = stages[stage][index].replaced(node)
    code.after_split = found.steps
    code.model_rows = found.train_rows


def _makes_column(statement: Statement, column: str) -> bool:
    """`df["y"] = <not from y>` or `.rename(columns={...: "y"})`: the statement creates `column`.

    `df["y"] = df["y"].map(...)` changes an existing column: that is not creating it.
    """
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            nonlocal found
            assigned = any(subscript_column(t.target) == column for t in node.targets)
            found = found or (assigned and f'"{column}"' not in _code(node.value).replace("'", '"'))

        def visit_DictElement(self, node: cst.DictElement) -> None:
            nonlocal found
            value = node.value
            found = found or (
                isinstance(value, cst.SimpleString) and value.evaluated_value == column
            )

    statement.node.visit(_Finder())
    return found


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _drop_dead_code(
    stages: dict[str, list[Statement]],
    code: StageCode,
    analysis: Analysis,
    estimators: dict[str, str],
) -> None:
    """Drop, back to front, statements whose results nothing needs any more.

    Two kinds go: what only feeds plots (`fig, ax = plt.subplots()`, a plotting loop), and
    assignments made only of known side-effect-free calls (`y_pred = model.predict(X)` for a
    report that was printed and is gone). A call scaffold does not know is kept.
    """
    needed = {name for name in (code.estimator, code.frame, code.metrics_name) if name}
    helpers = {name for helper in code.helpers for name in helper.symbols.defines}
    aliased = _aliased_names(stages)
    for stage in reversed(STAGES):
        kept: list[Statement] = []
        for statement in reversed(stages[stage]):
            calls = [
                c for c in statement.symbols.calls if c.module_level and c.dotted not in NEUTRAL
            ]
            roles = [classify_call(c, analysis.imports, estimators) for c in calls]
            binds = statement.symbols.defines | statement.symbols.mutated_names
            unneeded = not binds & needed and statement.kind != "expression"
            only_display = bool(calls) and all(role is Role.EXPLORE for role in roles)
            changed = statement.symbols.mutated_names - statement.symbols.defines
            pure = (
                # a compound statement only when it edits something unneeded (a test frame)
                (statement.kind in ("assign", "literal") or (statement.kind == "other" and changed))
                # an object nothing needs may change (a test frame edited beside the training one)
                and not changed & (needed | aliased)
                and all(
                    role in PURE_ROLES
                    or _numpy_function(call, analysis.imports)
                    or (
                        role is None
                        and _method_of_unneeded(call, needed | aliased, analysis.imports)
                    )
                    for call, role in zip(calls, roles, strict=True)
                )
                and not any(c.dotted in helpers for c in calls)
            )
            if unneeded and (only_display or pure):
                continue
            if statement.kind == "assign" and not statement.symbols.defines & needed:
                # kept for what its call changes (`unused = model.fit()`), not for its name
                value_only = _value_only(statement)
                if value_only is None and unneeded:
                    continue
                statement = value_only or statement
            statement = _without_dead_targets(statement, needed)
            kept.append(_unused_targets_as_underscore(statement, needed))
            needed |= statement.symbols.reads | statement.symbols.mutated_names
        stages[stage] = list(reversed(kept))


def _method_of_unneeded(call: Call, kept: set[str], imports: dict[str, str]) -> bool:
    """`test.Name.str.extract(...)`, `frame["a"].map(...)`: a method of a value, not of a module.

    Its only effect is on the object it is called on, which the statement's other checks
    (what it binds and changes) already found nothing needs.
    """
    head, dot, _ = call.dotted.partition(".")
    return bool(dot) and (head == "?" or (head not in kept and head not in imports))


def _split_inputs_into_split(stages: dict[str, list[Statement]]) -> None:
    """Move the making of the split's inputs (`y = df[t]`, `x = df.drop(...)`) to the split.

    A notebook that separates features and outcome while cleaning (then scales `x`, then splits
    in another cell) makes the model's inputs in the feature step's stage; from the first
    statement that binds the split's X or y on, those statements belong with the split, where
    the served model's `model_inputs` is taken from.
    """
    features, target = split_call_names(stages["split"])
    names = {name for name in (features, target) if name}
    prepare = stages["prepare"]
    if not names or not features:
        return
    first = next((i for i, s in enumerate(prepare) if s.symbols.defines & names), None)
    if first is None or not any(features in s.symbols.defines for s in prepare[first:]):
        return
    made = next(i for i, s in enumerate(prepare) if features in s.symbols.defines)
    if not any(features in s.symbols.reads for s in prepare[made + 1 :]):
        return  # made last while cleaning: the layout takes `X` from the feature step as it is
    stages["split"][:0] = prepare[first:]
    del prepare[first:]


def _aliased_names(stages: dict[str, list[Statement]]) -> set[str]:
    """Names bound to another name's object (`b = a`): changing one changes the other."""
    found: set[str] = set()
    for statement in (s for statements in stages.values() for s in statements):
        node = statement.node
        if isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[0], cst.Assign):
            assign = node.body[0]
            if isinstance(assign.value, cst.Name):
                found.add(assign.value.value)
                found |= {t.target.value for t in assign.targets if isinstance(t.target, cst.Name)}
    return found


PANDAS_CONSTRUCTORS = frozenset(
    {"pandas.DataFrame", "pandas.Series", "pandas.concat", "pandas.Index", "pandas.crosstab"}
)
"""pandas calls that build a new object from their arguments and change nothing."""


def _numpy_function(call: Call, imports: dict[str, str]) -> bool:
    """`np.arange(...)`, `pd.DataFrame(...)`, `state.statistic(...)`: a new value, no effect."""
    qualified = qualify(call.dotted, imports)
    if qualified in PANDAS_CONSTRUCTORS or qualified.startswith("state."):
        return True  # `state.statistic(...)`: learnt only for the value it gives here
    return qualified.startswith("numpy.") and not qualified.startswith("numpy.random")


def _value_only(statement: Statement) -> Statement | None:
    """`unused = fit_something()` -> `fit_something()`: the call may matter, the name does not.

    What the call's result is then looked into (`.fittedvalues`, `[:, None]`) goes too; with no
    call left, nothing is (None).
    """
    node = statement.node
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return statement
    assign = node.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return statement
    target = assign.targets[0].target
    names = target.elements if isinstance(target, cst.Tuple) else [cst.Element(target)]
    if not all(isinstance(element.value, cst.Name) for element in names):
        return statement
    value = assign.value
    while isinstance(value, cst.Attribute | cst.Subscript):
        value = value.value
    if not isinstance(value, cst.Call):
        return None
    return statement.replaced(node.with_changes(body=[cst.Expr(value)]))


def _without_dead_targets(statement: Statement, needed: set[str]) -> Statement:
    """`a[0] = unused = f()` -> `a[0] = f()`: a chained assignment loses its dead names."""
    node = statement.node
    if not isinstance(node, cst.SimpleStatementLine) or not isinstance(node.body[0], cst.Assign):
        return statement
    assign = node.body[0]
    targets = [
        target
        for target in assign.targets
        if not isinstance(target.target, cst.Name) or target.target.value in needed
    ]
    if len(targets) == len(assign.targets) or not targets:
        return statement
    return statement.replaced(node.with_changes(body=[assign.with_changes(targets=targets)]))


def _unused_targets_as_underscore(statement: Statement, needed: set[str]) -> Statement:
    """`a, unused = f()` -> `a, _ = f()`: the unpacking stays, the dead name goes."""
    node = statement.node
    if not isinstance(node, cst.SimpleStatementLine) or not isinstance(node.body[0], cst.Assign):
        return statement
    assign = node.body[0]
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Tuple):
        return statement
    target = assign.targets[0].target
    reads = statement.symbols.reads
    elements = [
        element.with_changes(value=cst.Name("_"))
        if isinstance(element.value, cst.Name)
        and element.value.value not in needed | reads
        and element.value.value != "_"
        else element
        for element in target.elements
    ]
    if all(isinstance(e.value, cst.Name) and e.value.value == "_" for e in elements):
        return statement
    new_target = assign.targets[0].with_changes(target=target.with_changes(elements=elements))
    new_node = node.with_changes(body=[assign.with_changes(targets=[new_target]), *node.body[1:]])
    return statement.replaced(new_node) if new_node is not node else statement


def _literal_sequences(statement: Statement) -> set[str]:
    """The names `statement` binds to a list or tuple display (`bins = [0, 5, 12]`)."""
    node = statement.node
    if isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[0], cst.Assign):
        assign = node.body[0]
        if isinstance(assign.value, cst.List | cst.Tuple):
            return {t.target.value for t in assign.targets if isinstance(t.target, cst.Name)}
    return set()


def _binning_from_data(statement: Statement, edges: Collection[str] = ()) -> str | None:
    """`pd.cut(x, 5)` / `pd.qcut(x, q=4)`: bins computed from the values being binned.

    `edges`: names bound to literal lists of bin edges (`pd.cut(x, bins)` with those is fine).
    """
    found: list[str] = []

    class _Finder(cst.CSTVisitor):
        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False  # `state.statistic(..., lambda: ...)`: learnt in training

        def visit_Call(self, node: cst.Call) -> None:
            name = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
            bins = _bins(node)
            if name == "qcut":
                found.append("qcut()")
            elif (
                name == "cut"
                and isinstance(bins, cst.Integer | cst.Name | cst.Attribute)
                and not (isinstance(bins, cst.Name) and bins.value in edges)
            ):
                found.append("cut() with a number of bins")

    statement.node.visit(_Finder())
    return found[0] if found else None


def _bins(call: cst.Call) -> cst.BaseExpression | None:
    """The `bins` argument of `pd.cut(x, bins)`, given by keyword or second."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "bins":
            return arg.value
    positional = [arg.value for arg in call.args if arg.keyword is None]
    return positional[1] if len(positional) > 1 else None


def _rewrite_prepare(
    stages: dict[str, list[Statement]], code: StageCode, target: str | None
) -> None:
    """Statistics and categories learnt once; dataset-level steps only while training."""
    taken: set[str] = {"raw_columns"}
    rewritten: list[Statement] = []
    edges: set[str] = set()  # names bound to a literal list of bin edges
    for statement in stages["prepare"]:
        reason = is_training_only(statement.node, target)
        node = statement.node
        edges = (edges - statement.symbols.defines) | _literal_sequences(statement)
        if reason is None:
            node = learn_bin_edges(node, taken)
            binned = _binning_from_data(statement.replaced(node), edges)
            if binned and not code.feature_problem:
                code.feature_problem = (
                    f"cell {statement.cell}, line {statement.line}: {binned} learns its bin edges "
                    "from the data it is given, so a served row would be binned on its own; "
                    "pass explicit bins to serve the model"
                )
            node, _ = learn_statistics(node, code.module_names, taken)
            node = learn_categories(node, taken)
            node = fit_transformers_once(node, taken)
            node = record_settings(node)
            node = always_add_constant(node)
        else:
            served = _served_filter(node, statement.cell, target, code, taken)
            node = served or guard([node], reason)
        rewritten.append(statement.replaced(node))
    stages["prepare"] = rewritten
    # the split stage's statements before the split make the model's inputs: feature step too
    stages["split"] = [_rewritten(s, always_add_constant) for s in stages["split"]]


def _served_filter(
    node: Stmt, cell: int, target: str | None, code: StageCode, taken: set[str]
) -> Stmt | None:
    """A row filter that serving runs too (rejecting the rows it removes), or None."""
    if uses_outcome(node, target):
        return None  # a request has no outcome
    learnt, _ = learn_statistics(node, code.module_names, taken)
    return served_filter(learnt, cell)


def _rewritten(statement: Statement, rewrite: Callable[[Stmt], Stmt]) -> Statement:
    """`statement` after `rewrite`; analysed again only when the rewrite changed it."""
    node = rewrite(statement.node)
    return statement if node is statement.node else statement.replaced(node)


def _rewrite_evaluate(
    stages: dict[str, list[Statement]],
    code: StageCode,
    task: str,
    results: dict[int, str],
    tables: TableRewrite,
) -> None:
    """Printed and displayed metrics become entries of a `metrics` dictionary.

    `results`: cell -> the text of the value it showed last, when the notebook kept it.
    `tables`: turns a shown results summary or frame of scores into metrics.
    """
    statements = stages["evaluate"]
    metric_names = {
        name
        for s in statements
        if s.kind == "assign" and _calls_scalar_metric(s)
        for name in s.symbols.defines
    }
    taken: set[str] = set()
    rewritten: list[Statement] = [
        statement_of(0, 0, cst.parse_statement(f"{code.metrics_name}: dict[str, float] = {{}}"))
    ]
    heading = ""  # the text of a print that shows only a label, for the next number's key
    helpers = print_helpers(helper.node for helper in code.helpers)
    arrays = score_arrays(statements)
    for statement in statements:
        table = tables.rewritten(statement)
        if table is not None:
            rewritten += table
            code.module_names |= TABLE_FUNCTIONS  # the template's, imported by the assembly
            continue
        found = printed_metrics(statement.node, metric_names, helpers, arrays)
        for _, _, value in found:
            if isinstance(value, cst.Call) and is_classification_report(value):
                report = unique_name("report", code.module_names | metric_names | taken)
                lines, rows = report_assignments(value, taken, code.metrics_name, report)
                rewritten += [statement_of(statement.cell, statement.line, a) for a in lines]
                code.metrics += [
                    MetricSpec(k, label, statement.cell, col) for k, label, col in rows
                ]
        found = [item for item in found if not _non_scalar(item[2])]
        if found and not _shows_a_number(statement, results.get(statement.cell)):
            found = []  # the notebook showed a table (or text) there, not one number
        found = [(label, _key(label, key, heading), value) for label, key, value in found]
        heading = _printed_text(statement.node) or ("" if found else heading)
        if found:
            assignments, specs = metric_assignments(found, taken, code.metrics_name)
            rewritten += [statement_of(statement.cell, statement.line, a) for a in assignments]
            code.metrics += [MetricSpec(key, label, statement.cell) for key, label in specs]
            continue
        if _may_show_metric(statement):
            continue  # shown, and not a metric
        rewritten.append(statement)
    names = split_outputs(stages["split"])
    if (
        not code.metrics
        and code.estimator
        and names
        and task in DEFAULT_METRICS
        and _bound_once(stages, {names[1], names[3]})
    ):
        # The notebook printed no number: report the usual one for the task on the test rows.
        metric = DEFAULT_METRICS[task]
        if task == "survival":  # a survival estimator's own score is Harrell's concordance
            computed = f"{code.estimator}.score({names[1]}, {names[3]})"
        else:
            computed = f"{metric}({names[3]}, {code.estimator}.predict({names[1]}))"
            code.module_names.add(metric)
        score = f'{code.metrics_name}["{metric.removesuffix("_score")}"] = float({computed})'
        rewritten.append(statement_of(0, 0, cst.parse_statement(score)))
    code.tables = tables.specs
    if len(rewritten) > 1 or statements:
        stages["evaluate"] = rewritten


def _shows_a_number(statement: Statement, result: str | None) -> bool:
    """A displayed expression (`extract_score(cv)`, the cell's value) showed one number.

    Only a bare expression, and only when the notebook kept the cell's result: a metric helper
    of the notebook may return a table, which `float()` would refuse.
    """
    node = statement.node
    if result is None or not isinstance(node, cst.SimpleStatementLine):
        return True
    small = node.body[0]
    if not isinstance(small, cst.Expr) or is_call_of(small.value, "print"):
        return True
    try:
        float(result.strip().strip("'\""))  # a formatted string shows in quotes
    except ValueError:
        return False
    return True


def _shown_results(analysis: Analysis) -> dict[int, str]:
    """Cell -> the text/plain of its result (the value of its last expression), if kept."""
    shown = {}
    for cell in analysis.cells:
        results = [out.text for out in cell.cell.outputs if out.kind == "result"]
        if results:
            shown[cell.number] = results[-1]
    return shown


def _bound_once(stages: dict[str, list[Statement]], names: set[str]) -> bool:
    """No statement after the split binds the held-out rows or outcome again.

    A second split (`X_train, X_test, Y_train, Y_test = ...`) makes the first one's names
    stale: a default metric would pair one split's outcome with another's rows.
    """
    binding = [
        statement
        for stage in ("split", "train", "evaluate")
        for statement in stages[stage]
        if names & (statement.symbols.defines | statement.symbols.mutated_names)
    ]
    return len(binding) <= 1


DEFAULT_METRICS = {
    "classification": "accuracy_score",
    "regression": "r2_score",
    "survival": "concordance_index",
}
"""The metric reported when a notebook with a train/test split prints none."""


RANDOMISED = re.compile(
    r"^(RandomForest|ExtraTrees?|GradientBoosting|HistGradientBoosting|DecisionTree|MLP|SGD|"
    r"Bagging|AdaBoost|IsolationForest|KMeans|MiniBatchKMeans|RandomizedSearchCV|"
    r"RandomSurvivalForest|XGB|LGBM|CatBoost)"
)


def _unseeded_randomness(stages: dict[str, list[Statement]]) -> list[Finding]:
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


def _timing_dependent(
    stages: dict[str, list[Statement]], helpers: Sequence[Statement]
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


def _key(label: str, key: str, heading: str) -> str:
    """An unlabelled number takes its key from the label printed just before it."""
    return slug(heading) or key if not label.strip() and heading else key


def _printed_text(node: Stmt) -> str | None:
    """The text of `print("some text")`, if that is all the statement does."""
    if not (isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[0], cst.Expr)):
        return None
    call = node.body[0].value
    if (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Name)
        and call.func.value == "print"
        and len(call.args) == 1
        and isinstance(call.args[0].value, cst.SimpleString)
    ):
        text = call.args[0].value.evaluated_value
        return text if isinstance(text, str) else None
    return None


def _calls_scalar_metric(statement: Statement) -> bool:
    node = statement.node
    return is_metric_call(node) and not any(
        call.method in NON_SCALAR_METRICS for call in statement.symbols.calls
    )


def _non_scalar(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Call) and (
        getattr(node.func, "value", None) in NON_SCALAR_METRICS
        or (isinstance(node.func, cst.Attribute) and node.func.attr.value in NON_SCALAR_METRICS)
    )


def _is_print(statement: Statement) -> bool:
    return any(call.dotted == "print" for call in statement.symbols.calls)


def _make_functions(
    analysis: Analysis, stages: dict[str, list[Statement]], code: StageCode
) -> None:
    later_reads: set[str] = set()
    reads_after: dict[str, set[str]] = {}
    per_stage = modules_per_stage([stages[name] for name in STAGES], code.module_names)
    modules = dict(zip(STAGES, per_stage, strict=True))
    for name in reversed(STAGES):
        reads_after[name] = set(later_reads)
        later_reads |= set(free_reads(stages[name], modules[name]))
    for name in STAGES:
        statements = stages[name]
        if not statements:
            continue
        module, function, summary = STAGE_FUNCTIONS[name]
        parameters = _ordered(free_reads(statements, modules[name]))
        if name == "evaluate":
            returns: tuple[str, ...] = (code.metrics_name,)
        else:
            wanted = reads_after[name] | ({code.estimator} if name == "train" else set())
            # `np.sort(x)` does not make `np`; `svm = svm.SVC()` makes `svm`
            made = produced(statements) - (modules[name] - _defined(statements))
            returns = tuple(_in_binding_order(made & wanted, statements))
        signature = Signature(function, tuple(parameters), returns)
        docstring = _docstring(analysis, statements, summary)
        node = function_def(signature, [s.node for s in statements], docstring=docstring)
        code.functions.append(StageFunction(name, module, signature, without_unused_locals(node)))


def _defined(statements: Sequence[Statement]) -> set[str]:
    return {name for statement in statements for name in statement.symbols.defines}


def _ordered(parameters: list[str]) -> list[str]:
    """Data first, then `state` and `settings`."""
    special = [name for name in SPECIAL_NAMES if name in parameters]
    return [name for name in parameters if name not in SPECIAL_NAMES] + special


def _in_binding_order(names: set[str], statements: Sequence[Statement]) -> list[str]:
    """`names` in the order the statements first bind them (left to right within one)."""
    ordered: list[str] = []
    for statement in statements:
        bound = (statement.symbols.defines | statement.symbols.mutated_names) & names
        ordered += [n for n in in_order_of_appearance(bound, statement.code) if n not in ordered]
    return ordered


def _docstring(analysis: Analysis, statements: Sequence[Statement], summary: str) -> str:
    """The stage's summary, the notebook's words above its first cell, and where it came from."""
    cells = sorted({s.cell for s in statements if s.cell})
    headings: list[str] = []
    for number in cells:
        heading = _heading_above(analysis, number)
        if heading and heading not in headings:
            headings.append(heading)
    where = ", ".join(str(number) for number in cells)
    text = summary
    words = _text_above(analysis, cells[0]) if cells else ""
    if words:
        text += "\n\n" + words
    if headings:
        text += "\n\nNotebook sections: " + "; ".join(headings) + f" (cells {where})."
    elif cells:
        text += f"\n\nFrom notebook cells {where}."
    return text


def _markdown_above(analysis: Analysis, number: int) -> list[str]:
    """The markdown cells between cell `number` and the pipeline code before it, nearest last."""
    found: list[str] = []
    for cell in reversed(analysis.cells[: number - 1]):
        if cell.cell.kind == "markdown":
            found.insert(0, cell.cell.source)
        elif cell.role not in (Role.EXPLORE, Role.SKIP):
            break
    return found


def _heading_above(analysis: Analysis, number: int) -> str | None:
    for source in reversed(_markdown_above(analysis, number)):
        for line in source.split("\n"):
            if line.lstrip().startswith("#"):
                return line.lstrip("# ").strip()
    return None


def _text_above(analysis: Analysis, number: int, limit: int = 300) -> str:
    """The first paragraph of prose right above the cell (not a heading), shortened."""
    for source in reversed(_markdown_above(analysis, number)):
        paragraphs = [p.strip() for p in source.split("\n\n")]
        prose = [p for p in paragraphs if p and not p.startswith(("#", "```", "|", "<", "!["))]
        if prose:
            text = " ".join(prose[0].split())
            return textwrap.fill(textwrap.shorten(text, limit, placeholder=" ..."), width=88)
    return ""
    return None
