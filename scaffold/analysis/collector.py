"""One walk over a parsed cell for the facts that libcst's scopes do not give.

Every fact carries its line, so that the facts of one top-level statement can be sliced out of
the cell's walk (see `symbols.statement_symbols`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider, Scope

from scaffold.analysis._providers import CellScopeProvider, VisitorTableOnce
from scaffold.analysis.facts import Call, Expression, ImportedName, Mutation
from scaffold.analysis.statement_facts import dotted_name, has_inplace_true, root_name

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
class CalledOn:
    """A mutation by a call, which counts unless `name` is bound inside `scope`.

    `[m.fit(X, y) for m in models]` changes no module name; `[model.fit(X, y) for _ in r]`
    does. Whether `name` is the comprehension's own depends on which bindings are seen (the
    whole cell's or one statement's), so it is decided when the facts are put together.
    """

    mutation: Mutation
    scope: Scope | None


class _Collector(VisitorTableOnce, cst.BatchableCSTVisitor):
    """Walks the cell once: mutations, deletes, definitions, imports, calls, expressions.

    Batchable, so that other gatherers of the cell (its literals) share the walk; run it with
    `MetadataWrapper.visit_batched`, which resolves its metadata first.
    """

    METADATA_DEPENDENCIES = (CellScopeProvider, PositionProvider)

    def __init__(self) -> None:
        super().__init__()
        self.mutations: list[Mutation | CalledOn] = []
        self.deletes: list[tuple[str, int]] = []
        self.functions: list[tuple[str, int]] = []
        self.classes: list[tuple[str, int]] = []
        self.imports: list[ImportedName] = []
        self.star_imports: list[tuple[str, int]] = []
        self.global_lines: list[int] = []
        self.calls: list[Call] = []
        self.expressions: list[Expression] = []
        self.aug_assigned: list[tuple[str, int]] = []
        self._depth = 0  # nesting in def/class/lambda bodies

    def _line(self, node: cst.CSTNode) -> int:
        return line_of(node, self.metadata[PositionProvider])  # type: ignore[arg-type]

    # -- scopes: track whether we are at module level ------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._depth == 0:
            self.functions.append((node.name.value, self._line(node)))
        self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self._depth == 0:
            self.classes.append((node.name.value, self._line(node)))
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
            self.star_imports.append((module, self._line(node)))
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
                self.deletes.append((target.value, self._line(node)))
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
        line = self._line(node)
        if dotted is not None:
            self.calls.append(_call(node, dotted, line, module_level=self._depth == 0))
        if self._depth:
            return
        scope = self.get_metadata(CellScopeProvider, node, None)
        local_scope = scope if isinstance(scope, Scope) else None
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            receiver = root_name(node.func.value)
            changes = method in MUTATING_METHODS or has_inplace_true(node)
            if changes and receiver is not None:
                how = "inplace=True" if has_inplace_true(node) else f".{method}()"
                self.mutations.append(CalledOn(Mutation(receiver, line, how), local_scope))
        if dotted and dotted.rsplit(".", 1)[-1] in MUTATING_FUNCTIONS and node.args:
            name = root_name(node.args[0].value)
            if name is not None:
                self.mutations.append(CalledOn(Mutation(name, line, f"{dotted}()"), local_scope))


Collected = _Collector
"""A cell's walk and what it found, each fact with its line."""


def collector() -> Collected:
    """A collector to run over a cell with `MetadataWrapper.visit_batched`."""
    return _Collector()


def _call(node: cst.Call, dotted: str, line: int, *, module_level: bool) -> Call:
    keywords = tuple(arg.keyword.value for arg in node.args if arg.keyword is not None)
    positional_args = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
    positional = tuple(arg.value if isinstance(arg, cst.Name) else None for arg in positional_args)
    dotted_args = tuple(dotted_name(arg) for arg in positional_args)
    dotted_keywords = tuple(
        (arg.keyword.value, dotted_name(arg.value)) for arg in node.args if arg.keyword is not None
    )
    strings = tuple(
        arg.value.evaluated_value
        for arg in node.args
        if isinstance(arg.value, cst.SimpleString) and isinstance(arg.value.evaluated_value, str)
    )
    return Call(
        dotted, line, keywords, module_level, positional, strings, dotted_args, dotted_keywords
    )


def line_of(node: cst.CSTNode, positions: Mapping[cst.CSTNode, CodeRange]) -> int:
    """The node's first line, 0 if it has no position."""
    try:
        return int(positions[node].start.line)
    except KeyError:
        return 0
