"""Gather what one cell defines, reads, mutates, imports and calls (read-only libcst pass).

Scoping (functions, lambdas, comprehensions, class bodies) comes from libcst's `ScopeProvider`;
the order of statements inside the cell decides whether a module-level read sees a value made
earlier in the same cell or one made by an earlier cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import (
    Access,
    Assignment,
    BuiltinAssignment,
    FunctionScope,
    GlobalScope,
    MetadataWrapper,
    PositionProvider,
    Scope,
)

from scaffold.analysis._providers import CellScopeProvider

MUTATING_METHODS = frozenset(
    {
        # Python containers
        "append", "extend", "insert", "pop", "remove", "clear", "update", "sort", "reverse",
        "add", "discard", "setdefault", "popitem",
        # estimators learn in place
        "fit", "partial_fit", "fit_transform", "fit_predict", "fit_resample", "set_params",
    }
)  # fmt: skip
"""Methods that change the object they are called on, whatever their arguments."""

MUTATING_FUNCTIONS = frozenset({"shuffle"})
"""Functions that change their first argument in place (`np.random.shuffle(a)`)."""


@dataclass(frozen=True)
class Mutation:
    """A change made in place to an object the name refers to."""

    name: str
    line: int
    how: str


@dataclass(frozen=True)
class Call:
    """A call found in the cell: `dotted` is the callee as written (`pd.read_csv`, `m.fit`)."""

    dotted: str
    line: int
    keywords: tuple[str, ...]
    module_level: bool
    positional_names: tuple[str | None, ...] = ()
    string_args: tuple[str, ...] = ()
    positional_dotted: tuple[str | None, ...] = ()  # names and attributes: `data.exog`
    keyword_dotted: tuple[tuple[str, str | None], ...] = ()  # `data=df` -> ("data", "df")

    @property
    def method(self) -> str:
        """The last part of the callee: `fit` for `model.fit`, `read_csv` for `pd.read_csv`."""
        return self.dotted.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Expression:
    """A module-level expression statement; `callee` is set when it is a call."""

    line: int
    callee: str | None


@dataclass(frozen=True)
class ImportedName:
    """`alias` names `target` (a dotted module or module attribute path)."""

    alias: str
    target: str
    line: int


@dataclass(frozen=True)
class CellSymbols:
    """The names of one cell and what it does with them.

    Attributes:
        defines: module-level names bound by the cell (assignments, imports, defs, classes).
        reads: module-level names the cell uses before (or without) binding them itself:
            values that come from earlier cells or builtins are excluded.
        deferred_reads: those of `reads` used only inside function and lambda bodies: they
            are looked up when the function is called, not when the cell runs.
        mutates: module-level names whose object the cell changes in place.
        deletes: names removed with `del`.
        functions, classes: names defined with `def` / `class` at module level.
        imports: module-level imports and what they bind.
        star_imports: modules imported with `*`.
        global_statements: lines holding a `global` statement.
        calls: every call in the cell.
        expressions: module-level expression statements (their value is displayed or
            dropped), with the callee when the expression is a call.
        statement_kinds: the kind of each module-level statement: `import`, `def`, `class`,
            `literal` (a name bound to a literal), `assign`, `expression`, `other`.
        constructed: module-level `name = Callee(...)` bindings: name -> callee as written.
        column_picks: module-level `name = frame["column"]` (or `.column`, `.pop("column")`)
            bindings: name -> column.
    """

    defines: frozenset[str]
    reads: frozenset[str]
    deferred_reads: frozenset[str]
    mutates: tuple[Mutation, ...]
    deletes: frozenset[str]
    functions: frozenset[str]
    classes: frozenset[str]
    imports: tuple[ImportedName, ...]
    star_imports: tuple[str, ...]
    global_statements: tuple[int, ...]
    calls: tuple[Call, ...]
    expressions: tuple[Expression, ...]
    statement_kinds: tuple[str, ...]
    constructed: tuple[tuple[str, str], ...]
    column_picks: tuple[tuple[str, str], ...]

    @property
    def mutated_names(self) -> frozenset[str]:
        """The names of `mutates`."""
        return frozenset(mutation.name for mutation in self.mutates)


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def root_name(node: cst.BaseExpression) -> str | None:
    """The name whose object `a.b[c].d` refers into; None through a call (a new object)."""
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute | cst.Subscript):
            node = node.value
        else:
            return None


def cell_wrapper(module: cst.Module) -> MetadataWrapper:
    """One metadata wrapper for a parsed cell, to share between the gatherers."""
    return MetadataWrapper(module, unsafe_skip_copy=True)


def gather_symbols(module: cst.Module, wrapper: MetadataWrapper | None = None) -> CellSymbols:
    """Gather the `CellSymbols` of a parsed cell.

    Pass the cell's `wrapper` (see `cell_wrapper`) when other gatherers use it too: its
    metadata is computed once.
    """
    wrapper = wrapper or cell_wrapper(module)
    metadata = wrapper.resolve_many((CellScopeProvider, PositionProvider))
    scopes = metadata[CellScopeProvider]
    positions = metadata[PositionProvider]
    collector = _Collector(positions, scopes)
    wrapper.module.visit(collector)
    global_scope = next(
        (scope for scope in scopes.values() if isinstance(scope, GlobalScope)), None
    )
    defines: set[str] = set()
    first_binding: dict[str, int] = {}
    if global_scope is not None:
        for assignment in global_scope.assignments:
            if isinstance(assignment, Assignment):
                defines.add(assignment.name)
                line = _line_of(assignment.node, positions)
                first_binding[assignment.name] = min(first_binding.get(assignment.name, line), line)
    reads, deferred_reads = _free_reads(scopes.values(), positions, first_binding, collector)
    return CellSymbols(
        defines=frozenset(defines),
        reads=frozenset(reads),
        deferred_reads=frozenset(deferred_reads),
        mutates=tuple(collector.mutations),
        deletes=frozenset(collector.deletes),
        functions=frozenset(collector.functions),
        classes=frozenset(collector.classes),
        imports=tuple(collector.imports),
        star_imports=tuple(collector.star_imports),
        global_statements=tuple(collector.global_lines),
        calls=tuple(collector.calls),
        expressions=tuple(collector.expressions),
        statement_kinds=tuple(statement_kind(statement) for statement in module.body),
        constructed=tuple(_constructed(module)),
        column_picks=tuple(_column_picks(module)),
    )


def statement_kind(statement: cst.BaseStatement) -> str:
    """Classify a module-level statement for role detection."""
    if isinstance(statement, cst.FunctionDef):
        return "def"
    if isinstance(statement, cst.ClassDef):
        return "class"
    if not isinstance(statement, cst.SimpleStatementLine):
        return "other"
    kinds = {_small_kind(small) for small in statement.body}
    return kinds.pop() if len(kinds) == 1 else "other"


def _small_kind(small: cst.BaseSmallStatement) -> str:
    if isinstance(small, cst.Import | cst.ImportFrom):
        return "import"
    if isinstance(small, cst.Expr):
        return "docstring" if isinstance(small.value, cst.SimpleString) else "expression"
    if isinstance(small, cst.Assign | cst.AnnAssign) and small.value is not None:
        return "literal" if is_literal(small.value) else "assign"
    if isinstance(small, cst.Pass):
        return "docstring"
    return "other"


def is_literal(node: cst.BaseExpression) -> bool:
    """A number, string, bool, None, or a list/tuple/set/dict of literals."""
    if isinstance(node, cst.Integer | cst.Float | cst.SimpleString | cst.ConcatenatedString):
        return True
    if isinstance(node, cst.Name):
        return node.value in {"True", "False", "None"}
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return isinstance(node.expression, cst.Integer | cst.Float)
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        return all(is_literal(element.value) for element in node.elements)
    if isinstance(node, cst.Dict):
        return all(
            isinstance(element, cst.DictElement)
            and is_literal(element.key)
            and is_literal(element.value)
            for element in node.elements
        )
    return False


def _assignments(module: cst.Module) -> list[tuple[str, cst.BaseExpression]]:
    """Module-level `name = value` bindings with a single name target."""
    found = []
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Name):
                    found.append((target.value, small.value))
    return found


def _constructed(module: cst.Module) -> list[tuple[str, str]]:
    found = []
    for name, value in _assignments(module):
        call = value
        # `model = Estimator(...).fit(X, y)` constructs too.
        while isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
            if not isinstance(call.func.value, cst.Call):
                break
            call = call.func.value
        if isinstance(call, cst.Call):
            callee = dotted_name(call.func)
            if callee and callee.rsplit(".", 1)[-1][:1].isupper():
                found.append((name, callee))
    return found


def _column_picks(module: cst.Module) -> list[tuple[str, str]]:
    found = []
    for name, value in _assignments(module):
        column = _picked_column(value)
        if column is not None:
            found.append((name, column))
    return found


def subscript_column(node: cst.BaseExpression) -> str | None:
    """`"age"` for `frame["age"]`; None for anything else."""
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            column = index.value.evaluated_value
            return column if isinstance(column, str) else None
    return None


def _picked_column(value: cst.BaseExpression) -> str | None:
    """The column `value` takes: `"age"` for `df["age"]`, `"$TARGET"` for `df[TARGET]`."""
    column = subscript_column(value)
    if column is not None:
        return column
    if isinstance(value, cst.Subscript) and len(value.slice) == 1:
        index = value.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.Name):
            return "$" + index.value.value
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "pop"
        and len(value.args) == 1
    ):
        arg = value.args[0].value
        if isinstance(arg, cst.SimpleString) and isinstance(arg.evaluated_value, str):
            return arg.evaluated_value
    return None


def _line_of(node: cst.CSTNode, positions: object) -> int:
    try:
        return int(positions[node].start.line)  # type: ignore[index]
    except KeyError:
        return 0


def _free_reads(
    scopes: object,
    positions: object,
    first_binding: dict[str, int],
    collector: _Collector,
) -> tuple[set[str], set[str]]:
    """Names read at module level whose value comes from outside the cell.

    Also those of them read only inside function and lambda bodies (see `_runs_later`).
    """
    reads: set[str] = set()
    later: set[str] = set()
    seen: set[int] = set()
    for scope in scopes:  # type: ignore[attr-defined]
        if scope is None or id(scope) in seen:
            continue
        seen.add(id(scope))
        for access in scope.accesses:
            name = _global_name_read(access, scope, positions, first_binding)
            if name is not None:
                (later if _runs_later(scope) else reads).add(name)
    # A mutated or augmented name is read too: its old value is changed.
    for mutation in collector.mutations:
        if first_binding.get(mutation.name, 10**9) >= mutation.line:
            reads.add(mutation.name)
    for name, line in collector.aug_assigned:
        if first_binding.get(name, 10**9) >= line:
            reads.add(name)
    return reads | later, later - reads


def _runs_later(scope: Scope) -> bool:
    """Whether code in `scope` runs when a function or lambda is called, not with the cell.

    Comprehensions and class bodies run with the cell; a method's body runs when it is called.
    """
    while not isinstance(scope, GlobalScope):
        if isinstance(scope, FunctionScope):
            return True
        scope = scope.parent
    return False


def _global_name_read(
    access: Access, scope: object, positions: object, first_binding: dict[str, int]
) -> str | None:
    name = getattr(access.node, "value", None)
    if not isinstance(name, str):
        return None
    referents = access.referents
    if any(
        isinstance(ref, Assignment) and not isinstance(ref.scope, GlobalScope) for ref in referents
    ):
        return None  # a local, a parameter or a comprehension variable
    if referents and all(isinstance(ref, BuiltinAssignment) for ref in referents):
        return None
    if not isinstance(scope, GlobalScope):
        # Read inside a function or lambda: it sees the module's value when called.
        return None if name in first_binding else name
    # `x = x + 1` binds and reads on one line: the read sees the old value.
    bound_at = first_binding.get(name)
    if bound_at is not None and bound_at < _line_of(access.node, positions):
        return None
    return name


class _Collector(cst.CSTVisitor):
    """Walks the cell once for the facts that scopes do not give."""

    def __init__(self, positions: object, scopes: Mapping[cst.CSTNode, object]) -> None:
        self.positions = positions
        self.scopes = scopes
        self.mutations: list[Mutation] = []
        self.deletes: set[str] = set()
        self.functions: set[str] = set()
        self.classes: set[str] = set()
        self.imports: list[ImportedName] = []
        self.star_imports: list[str] = []
        self.global_lines: list[int] = []
        self.calls: list[Call] = []
        self.expressions: list[Expression] = []
        self.aug_assigned: list[tuple[str, int]] = []
        self._depth = 0  # nesting in def/class/lambda bodies

    def _line(self, node: cst.CSTNode) -> int:
        return _line_of(node, self.positions)

    def _bound_inside(self, node: cst.CSTNode, name: str) -> bool:
        """Whether `name`, seen from `node`, is a comprehension's, lambda's or function's own.

        `clf` of `(clf.fit(X, y) for clf in models)` is; `model` of `[model.fit(X, y) for _ in
        r]` is not: the comprehension runs now and changes the module's `model`.
        """
        scope = self.scopes.get(node)
        if not isinstance(scope, Scope) or isinstance(scope, GlobalScope):
            return False
        return any(not isinstance(ref.scope, GlobalScope) for ref in scope[name])

    # -- scopes: track whether we are at module level ------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._depth == 0:
            self.functions.add(node.name.value)
        self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self._depth == 0:
            self.classes.add(node.name.value)
        self._depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._depth += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._depth -= 1

    # -- imports ---------------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            target = dotted_name(alias.name) or ""
            bound = alias.asname.name if alias.asname else None
            name = dotted_name(bound) if isinstance(bound, cst.Name) else target.split(".")[0]
            resolved = target if alias.asname else target.split(".")[0]
            self.imports.append(ImportedName(name or target, resolved, self._line(node)))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = "." * len(node.relative) + (
            (dotted_name(node.module) or "") if node.module else ""
        )
        if isinstance(node.names, cst.ImportStar):
            self.star_imports.append(module)
            return
        for alias in node.names:
            imported = dotted_name(alias.name) or ""
            bound = alias.asname.name if alias.asname else alias.name
            name = dotted_name(bound) if isinstance(bound, cst.BaseExpression) else imported
            self.imports.append(
                ImportedName(name or imported, f"{module}.{imported}", self._line(node))
            )

    def visit_Global(self, node: cst.Global) -> None:
        self.global_lines.append(self._line(node))

    # -- statements ------------------------------------------------------------------------------
    def visit_Expr(self, node: cst.Expr) -> None:
        if self._depth or isinstance(node.value, cst.SimpleString | cst.ConcatenatedString):
            return
        callee = dotted_name(node.value.func) if isinstance(node.value, cst.Call) else None
        self.expressions.append(Expression(self._line(node), callee))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._record_target_mutation(target.target, "assignment to an item or attribute")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._record_target_mutation(node.target, "assignment to an item or attribute")

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.aug_assigned.append((node.target.value, self._line(node)))
        else:
            self._record_target_mutation(node.target, "augmented assignment")

    def visit_Del(self, node: cst.Del) -> None:
        targets = node.target.elements if isinstance(node.target, cst.Tuple) else None
        for target in [element.value for element in targets] if targets else [node.target]:
            if isinstance(target, cst.Name):
                self.deletes.add(target.value)
            else:
                self._record_target_mutation(target, "del of an item or attribute")

    def _record_target_mutation(self, target: cst.BaseExpression, how: str) -> None:
        if isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._record_target_mutation(element.value, how)
            return
        if isinstance(target, cst.Subscript | cst.Attribute):
            name = root_name(target)
            if name is not None and self._depth == 0:
                self.mutations.append(Mutation(name, self._line(target), how))

    # -- calls -----------------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        dotted = dotted_name(node.func)
        if dotted is None and isinstance(node.func, cst.Attribute):
            dotted = f"?.{node.func.attr.value}"  # a method of a computed value: `ols(...).fit`
        keywords = tuple(arg.keyword.value for arg in node.args if arg.keyword is not None)
        positional_args = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
        positional = tuple(
            arg.value if isinstance(arg, cst.Name) else None for arg in positional_args
        )
        dotted_args = tuple(dotted_name(arg) for arg in positional_args)
        dotted_keywords = tuple(
            (arg.keyword.value, dotted_name(arg.value))
            for arg in node.args
            if arg.keyword is not None
        )
        strings = tuple(
            arg.value.evaluated_value
            for arg in node.args
            if isinstance(arg.value, cst.SimpleString)
            and isinstance(arg.value.evaluated_value, str)
        )
        line = self._line(node)
        if dotted is not None:
            self.calls.append(
                Call(
                    dotted,
                    line,
                    keywords,
                    self._depth == 0,
                    positional,
                    strings,
                    dotted_args,
                    dotted_keywords,
                )
            )
        if self._depth:
            return
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            receiver = root_name(node.func.value)
            changes = method in MUTATING_METHODS or has_inplace_true(node)
            if changes and receiver is not None and not self._bound_inside(node, receiver):
                how = "inplace=True" if has_inplace_true(node) else f".{method}()"
                self.mutations.append(Mutation(receiver, line, how))
        if dotted and dotted.rsplit(".", 1)[-1] in MUTATING_FUNCTIONS and node.args:
            name = root_name(node.args[0].value)
            if name is not None and not self._bound_inside(node, name):
                self.mutations.append(Mutation(name, line, f"{dotted}()"))


def has_inplace_true(node: cst.Call) -> bool:
    """Whether the call passes `inplace=True`."""
    return any(
        arg.keyword is not None
        and arg.keyword.value == "inplace"
        and isinstance(arg.value, cst.Name)
        and arg.value.value == "True"
        for arg in node.args
    )
