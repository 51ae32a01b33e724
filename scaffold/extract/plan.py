"""The facts the stage layout is planned from: the stages, what is refused, the split's names.

Takes the `Analysis` (and statements); gives the stage a statement's calls suggest
(`statement_stage`, used by `routing`), the refusals of what cannot be extracted faithfully
(`check_supported`), and the names a split or a fit binds (`split_outputs`, `fit_arguments`,
`fitted_estimator`, ...), used by `joining` and `service`. Pure functions; imports no emitter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

from scaffold.analysis import PIPELINE_ROLES as ANALYSED_PIPELINE_ROLES
from scaffold.analysis import Analysis, parse_cell
from scaffold.analysis.roles import SPLIT_FUNCTIONS
from scaffold.errors import ExtractionError
from scaffold.extract.call_facts import CallFacts
from scaffold.extract.statements import Statement, split_statements
from scaffold.notebook import Role

STAGES = ("load", "prepare", "split", "train", "evaluate")
ROLE_STAGE = {
    Role.LOAD: 0,
    Role.PREPARE: 1,
    Role.SPLIT: 2,
    Role.TRAIN: 3,
    Role.EVALUATE: 4,
    Role.PREDICT: 4,
}
PIPELINE_ROLES = ANALYSED_PIPELINE_ROLES | {Role.IMPORTS, Role.DEFINITIONS}
"""The cells the generated code is made from: the pipeline, its imports and definitions."""


def statement_stage(statement: Statement, calls: CallFacts) -> int | None:
    """The stage a statement's calls suggest, if any."""
    best: int | None = None
    for call in statement.symbols.calls:
        if not call.module_level:
            continue
        role = calls.role(call)
        stage = ROLE_STAGE.get(role) if role is not None else None
        if stage is not None and (best is None or stage > best):
            best = stage
    return best


def check_supported(analysis: Analysis, cells: Sequence[int]) -> None:
    """Refuse what cannot be extracted faithfully, naming cell and line."""
    undefined = dict(_undefined(analysis))
    for number in cells:
        symbols = analysis.cell(number).symbols
        if symbols is None:
            continue
        if symbols.star_imports:
            raise ExtractionError(
                number,
                f"'from {symbols.star_imports[0]} import *' hides which names the cell uses; "
                "import the names explicitly",
                line=_line_of(analysis, number, "import *"),
            )
        if len(symbols.global_statements) > _globals_in_helpers(analysis, number):
            raise ExtractionError(
                number,
                "a 'global' statement changes module state from inside a function; pass the "
                "value as a parameter and return it instead",
                line=symbols.global_statements[0],
            )
        if number in undefined:
            name = undefined[number]
            raise ExtractionError(
                number,
                f"reads '{name}', which no earlier pipeline cell defines (the notebook only "
                "works when run in another order)",
                line=_line_reading(analysis, number, name),
            )


def _undefined(analysis: Analysis) -> list[tuple[int, str]]:
    """(cell, name) for each name a pipeline cell reads before any earlier one defines it.

    A function body may use a module imported by a later cell: it looks the name up when
    called, and the generated modules import it at the top. Other names made later are refused:
    the function would see a value the notebook gave it at another time.
    """
    defined: set[str] = set()
    found = []
    pipeline = [cell for cell in analysis.cells if cell.role in PIPELINE_ROLES and cell.symbols]
    import builtins

    known = set(dir(builtins)) | {"display", "get_ipython"}
    imported = {
        item.alias
        for cell in pipeline
        if cell.symbols is not None
        for item in cell.symbols.imports
        if item.alias in cell.symbols.defines  # not an import inside a function
    }
    for cell in pipeline:
        assert cell.symbols is not None
        late_imports = cell.symbols.deferred_reads & imported
        passed = _read_in_helper_bodies(analysis, cell.number)  # passed when called
        for name in sorted(cell.symbols.reads - late_imports - passed):
            if name not in defined and name not in known:
                found.append((cell.number, name))
        defined |= cell.symbols.defines | cell.symbols.mutated_names
    return found


def _helper_statements(analysis: Analysis, number: int) -> list[Statement]:
    """The cell's top-level `def` and `class` statements."""
    module = parse_cell(analysis.cell(number).cell)
    return [s for s in split_statements(number, module) if s.kind in ("def", "class")]


def _globals_in_helpers(analysis: Analysis, number: int) -> int:
    """How many of the cell's `global` statements are in its functions and classes.

    Those are refused only if the pipeline uses the function (see `helper_globals`).
    """
    symbols = analysis.cell(number).symbols
    if symbols is None or not symbols.global_statements:
        return 0
    return sum(len(s.symbols.global_statements) for s in _helper_statements(analysis, number))


def _read_in_helper_bodies(analysis: Analysis, number: int) -> set[str]:
    """Names the cell's functions read when called: each call passes them (`helper_globals`)."""
    symbols = analysis.cell(number).symbols
    if symbols is None or not symbols.deferred_reads:
        return set()
    return {
        name
        for statement in _helper_statements(analysis, number)
        if isinstance(statement.node, cst.FunctionDef)
        for name in statement.symbols.deferred_reads
    }


def _line_reading(analysis: Analysis, number: int, name: str) -> int | None:
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    for index, line in enumerate(analysis.cell(number).cell.source.split("\n"), start=1):
        if pattern.search(line.split("#", 1)[0]):
            return index
    return None


def _line_of(analysis: Analysis, number: int, text: str) -> int | None:
    for index, line in enumerate(analysis.cell(number).cell.source.split("\n"), start=1):
        if text in line:
            return index
    return None


def split_call_names(statements: Sequence[Statement]) -> tuple[str | None, str | None]:
    """The names passed as X and y to the split call."""
    for statement in statements:
        for call in statement.symbols.calls:
            if call.method in SPLIT_FUNCTIONS and call.module_level:
                names = [*call.positional_names, None, None]
                return names[0], names[1]
    return None, None


def split_outputs(statements: Sequence[Statement]) -> tuple[str, ...] | None:
    """`(X_train, X_test, y_train, y_test)` as the split statement names them, if it does."""
    return _split_names(statements, 4)


def series_split(statements: Sequence[Statement]) -> tuple[str, str] | None:
    """`(train, test)` of a series split in two (`train, test = train_test_split(y)`)."""
    names = _split_names(statements, 2)
    return (names[0], names[1]) if names else None


def series_cut(statements: Sequence[Statement]) -> tuple[str, str] | None:
    """`(train, test)` of a series cut at one point: `train, test = y[:n], y[n:]`.

    The two parts may also be bound by two statements, and sliced through `.iloc` or `.loc`.
    """
    heads: dict[tuple[str, str], str] = {}
    tails: dict[tuple[str, str], str] = {}
    for statement in statements:
        for name, base, lower, upper in _slices_bound(statement.node):
            if lower is None and upper is not None:
                heads[(base, upper)] = name
            elif upper is None and lower is not None:
                tails[(base, lower)] = name
    for cut, head in heads.items():
        if cut in tails:
            return head, tails[cut]
    return None


def _slices_bound(node: cst.CSTNode) -> list[tuple[str, str, str | None, str | None]]:
    """(name, sliced value, lower, upper) for each `name = value[lower:upper]` in `node`."""
    if not isinstance(node, cst.SimpleStatementLine) or not isinstance(node.body[0], cst.Assign):
        return []
    assign = node.body[0]
    if len(assign.targets) != 1:
        return []
    target, value = assign.targets[0].target, assign.value
    pairs: list[tuple[cst.BaseExpression, cst.BaseExpression]] = [(target, value)]
    if isinstance(target, cst.Tuple) and isinstance(value, cst.Tuple):
        if len(target.elements) != len(value.elements):
            return []
        pairs = [(t.value, v.value) for t, v in zip(target.elements, value.elements, strict=True)]
    found = []
    for bound, sliced in pairs:
        if not isinstance(bound, cst.Name) or not isinstance(sliced, cst.Subscript):
            continue
        if len(sliced.slice) != 1 or not isinstance(sliced.slice[0].slice, cst.Slice):
            continue
        part = sliced.slice[0].slice
        if part.step is not None:
            continue
        base = sliced.value
        if isinstance(base, cst.Attribute) and base.attr.value in ("iloc", "loc"):
            base = base.value
        found.append(
            (bound.value, _text(base), _optional_text(part.lower), _optional_text(part.upper))
        )
    return found


def _text(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _optional_text(node: cst.CSTNode | None) -> str | None:
    return None if node is None else _text(node)


def _split_names(statements: Sequence[Statement], count: int) -> tuple[str, ...] | None:
    """The `count` names a split call's result is unpacked into, if a statement does that."""
    for statement in statements:
        node = statement.node
        if not isinstance(node, cst.SimpleStatementLine) or not isinstance(
            node.body[0], cst.Assign
        ):
            continue
        assign = node.body[0]
        target, value = assign.targets[0].target, assign.value
        if not isinstance(value, cst.Call) or not isinstance(target, cst.Tuple | cst.List):
            continue
        callee = value.func.attr.value if isinstance(value.func, cst.Attribute) else None
        callee = callee or (value.func.value if isinstance(value.func, cst.Name) else None)
        names = [getattr(element.value, "value", None) for element in target.elements]
        if (
            callee in SPLIT_FUNCTIONS
            and len(names) == count
            and all(isinstance(n, str) for n in names)
        ):
            return tuple(str(name) for name in names)
    return None


def fit_arguments(
    statements: Sequence[Statement], estimator: str, *, endog_first: bool = False
) -> tuple[str | None, str | None]:
    """The names of the inputs and outcome the estimator is fitted on.

    `X, y` of `model.fit(X, y)` or `model = make_pipeline(...).fit(X, y)`; with `endog_first`
    (statsmodels), `y, X` of the model behind `results = sm.OLS(y, X).fit()`.
    """
    if endog_first:
        needed = {estimator}
        for statement in reversed(statements):
            if not statement.symbols.defines & needed:
                continue
            for call in statement.symbols.calls:
                if call.method[:1].isupper() and len(call.positional_dotted) >= 2:
                    return call.positional_dotted[1], call.positional_dotted[0]
            needed |= statement.symbols.reads
        return None, None
    found: tuple[str | None, str | None] = (None, None)
    for statement in statements:
        builds = estimator in statement.symbols.defines
        for call in statement.symbols.calls:
            own = call.dotted == f"{estimator}.fit" or (builds and call.dotted == "?.fit")
            if own and call.positional_names:
                names = (*call.positional_names, None)
                found = (names[0], names[1])
    return found


def fitted_estimator(
    statements: Sequence[Statement], *, fit_returns_results: bool = False
) -> str | None:
    """The name of the last model fitted in the train stage (`model` of `model.fit(...)`).

    Models fitted inside a loop (a sweep over a hyperparameter) are not one model to serve, nor
    are those a comprehension fits (`[clf.fit(X, y) for clf in models]`: `clf` is its own). With
    `fit_returns_results` (statsmodels), `results = model.fit()` names the fitted model `results`.
    """
    found = None
    for statement in statements:
        if isinstance(statement.node, cst.For | cst.While):
            continue
        module_names = statement.symbols.reads | statement.symbols.defines
        for call in statement.symbols.calls:
            if call.method == "fit" and call.module_level and "." in call.dotted:
                receiver = call.dotted.rsplit(".", 1)[0]
                if receiver in module_names:
                    found = receiver
        for mutation in statement.symbols.mutates:
            if mutation.how == ".fit()":
                found = mutation.name
        fits = any(call.method == "fit" for call in statement.symbols.calls)
        for name, _ in statement.symbols.constructed:
            if fits:
                found = name  # model = Estimator(...).fit(X, y)
        found = _bound_fitted_model(statement, fit_returns_results) or found
    return found


FITTED_BY_CALL = frozenset({"auto_arima"})
"""Functions that search for a model and return it fitted (`model = pm.auto_arima(y)`)."""


def _bound_fitted_model(statement: Statement, fit_returns_results: bool) -> str | None:
    """`results = sm.OLS(y, X).fit()`, `model = make_pipeline(...).fit(X, y)`, `auto_arima(y)`.

    The name bound to what a chained `.fit()` returns, or to a model-searching function's
    result. `history = model.fit(X, y)` (a plain name's fit: Keras returns a history) is left
    to the receiver rule unless `fit_returns_results`.
    """
    node = statement.node
    if not isinstance(node, cst.SimpleStatementLine) or not isinstance(node.body[0], cst.Assign):
        return None
    assign = node.body[0]
    target, value = assign.targets[0].target, assign.value
    if len(assign.targets) != 1 or not isinstance(target, cst.Name):
        return None
    if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Attribute | cst.Name):
        return None
    if isinstance(value.func, cst.Attribute):
        method, receiver = value.func.attr.value, value.func.value
        if method == "fit" and (isinstance(receiver, cst.Call) or fit_returns_results):
            return target.value
        return target.value if method in FITTED_BY_CALL else None
    return target.value if value.func.value in FITTED_BY_CALL else None
