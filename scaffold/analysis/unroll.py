"""Unroll loops that edit several frames through a list: `for d in [train, test]: d["t"] = ...`.

Notebooks often clean a training and a test frame together:

    combine = [train, test]
    for dataset in combine:
        dataset["Title"] = dataset.Name.str.extract(...)

The loop changes `train` and `test` through the alias `dataset`, which no name-based analysis
sees. Written out once per frame (`train["Title"] = train.Name...`, then the same for `test`)
the same edits are plain statements on the frames themselves, and every later step (roles, data
flow, stage functions) follows them. This runs before the analysis, on the code of each cell.

A loop is unrolled only when that is exactly equivalent: a module-level `for NAME in` a list or
tuple of names (written there, or bound to a name by an earlier `x = [a, b]` whose names have
not been rebound since), with no `break`, `continue` or `else`, and a body that never rebinds
the loop variable.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from scaffold.cst_search import target_names
from scaffold.notebook import Cell, Notebook, Role

MAX_ELEMENTS = 8
"""Longer lists are left as loops: unrolling is for a few frames, not for data."""


def unroll_frame_loops(notebook: Notebook, parsed: dict[int, cst.Module] | None = None) -> Notebook:
    """`notebook` with every such loop written out once per element.

    `parsed`, when given, receives the parsed code of each cell left as it was, by cell
    number: the analysis need not parse it again.
    """
    containers: dict[str, tuple[str, ...]] = {}
    cells: list[Cell] = []
    changed = False
    for cell in notebook.cells:
        if cell.kind == "code" and cell.directive is not Role.SKIP:
            try:
                module = cst.parse_module(cell.code)
            except (cst.ParserSyntaxError, RecursionError):
                cells.append(cell)  # the analysis reports it (or refuses a cell too deep)
                continue
            try:
                code = _unrolled(module, containers)
            except RecursionError:  # too deep for libcst: the analysis refuses the cell
                code = None
            if code is not None:
                cell, changed = replace(cell, code=code), True
            elif parsed is not None:
                parsed[cell.number] = module
        cells.append(cell)
    return replace(notebook, cells=tuple(cells)) if changed else notebook


def _unrolled(module: cst.Module, containers: dict[str, tuple[str, ...]]) -> str | None:
    """The cell's code with its loops unrolled, or None when nothing changed."""
    body: list[cst.BaseStatement] = []
    changed = False
    for statement in module.body:
        if isinstance(statement, cst.For):
            elements = _loop_elements(statement, containers)
            if elements is not None:
                body.extend(_copies(statement, elements))
                changed = True
                continue
        _track(statement, containers)
        body.append(statement)
    return module.with_changes(body=body).code if changed else None


def _loop_elements(loop: cst.For, containers: dict[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    if not isinstance(loop.target, cst.Name) or loop.orelse is not None or loop.asynchronous:
        return None
    elements = _names(loop.iter)
    if elements is None and isinstance(loop.iter, cst.Name):
        elements = containers.get(loop.iter.value)
    if elements is None:
        return None
    checker = _Unrollable(loop.target.value)
    loop.body.visit(checker)
    return elements if checker.ok else None


def _names(node: cst.BaseExpression) -> tuple[str, ...] | None:
    """`("a", "b")` for `[a, b]` / `(a, b)`; None for anything else."""
    if not isinstance(node, cst.List | cst.Tuple):
        return None
    names = tuple(e.value.value for e in node.elements if isinstance(e.value, cst.Name))
    if len(names) != len(node.elements) or not 1 < len(names) <= MAX_ELEMENTS:
        return None
    return names


def _copies(loop: cst.For, elements: tuple[str, ...]) -> list[cst.BaseStatement]:
    assert isinstance(loop.target, cst.Name)
    statements: list[cst.BaseStatement] = []
    inner = loop.body.body
    for index, element in enumerate(elements):
        renamer = _Rename(loop.target.value, element)
        for position, statement in enumerate(inner):
            copy = statement.visit(renamer)
            assert isinstance(copy, cst.BaseStatement | cst.BaseSmallStatement)
            if isinstance(copy, cst.BaseSmallStatement):
                copy = cst.SimpleStatementLine(body=[copy])
            if index == 0 and position == 0:
                copy = copy.with_changes(leading_lines=loop.leading_lines)
            elif position == 0:
                copy = copy.with_changes(leading_lines=())
            statements.append(copy)
    return statements


def _track(statement: cst.BaseStatement, containers: dict[str, tuple[str, ...]]) -> None:
    """Record `x = [a, b]`; forget a container once it or one of its names is rebound."""
    if containers:  # with none recorded there is nothing to forget: spare the walk
        bound = _Bound()
        statement.visit(bound)
        for name in bound.names:
            containers.pop(name, None)
            for container, elements in list(containers.items()):
                if name in elements:
                    del containers[container]
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            listed = _names(small.value)
            if isinstance(target, cst.Name) and listed is not None:
                containers[target.value] = listed


class _Bound(cst.CSTVisitor):
    """The names a statement binds at module level (assignments, loops, imports, defs)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        pass

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.names.update(target_names(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.names.update(target_names(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.names.update(target_names(node.target))

    def visit_For(self, node: cst.For) -> None:
        self.names.update(target_names(node.target))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.names.add(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.names.add(node.name.value)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


class _Unrollable(cst.CSTVisitor):
    """Whether a loop body can be copied once per element: no jumps, the variable not rebound."""

    def __init__(self, variable: str) -> None:
        self.variable = variable
        self.ok = True

    def visit_Break(self, node: cst.Break) -> None:
        self.ok = False

    def visit_Continue(self, node: cst.Continue) -> None:
        self.ok = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.ok = False  # a function defined per element: left as a loop
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.ok = False
        return False

    def visit_For(self, node: cst.For) -> None:
        # a nested loop's own break/continue are its own, but keep it simple: no nested jumps
        if self.variable in target_names(node.target):
            self.ok = False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if self.variable in target_names(node.target):
            self.ok = False

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if self.variable in target_names(node.target):
            self.ok = False

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        if self.variable in target_names(node.target):
            self.ok = False

    def visit_Lambda(self, node: cst.Lambda) -> None:
        if any(param.name.value == self.variable for param in node.params.params):
            self.ok = False

    def visit_CompFor(self, node: cst.CompFor) -> None:
        if self.variable in target_names(node.target):
            self.ok = False


class _Rename(cst.CSTTransformer):
    """Rename the variable `old` to `new` (never an attribute or a keyword of the same name)."""

    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old = old
        self.new = new

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return (
            updated_node.with_changes(value=self.new)
            if updated_node.value == self.old
            else (updated_node)
        )

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        return updated_node.with_changes(attr=original_node.attr)

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(keyword=original_node.keyword)
