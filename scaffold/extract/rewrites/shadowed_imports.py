"""Keep a module usable after a function rebinds its name.

A notebook may replace a module by an instance: `from sklearn import svm`, then
`svm = svm.SVC()`. At the top level of a notebook that works; inside a function `svm` becomes a
local, and reading the module first is an `UnboundLocalError` (ruff F823). Where a function of
the generated module binds an imported name, the import gets an alias and every read that meant
the module reads the alias: `from sklearn import svm as svm_module`, `svm = svm_module.SVC()`.
Reads after the rebinding keep meaning the instance; an import no read needs any more goes.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.metadata import (
    Assignment,
    FunctionScope,
    GlobalScope,
    MetadataWrapper,
    Scope,
    ScopeProvider,
)

from scaffold.cst_search import iter_nodes, target_names
from scaffold.naming import unique_name


def alias_shadowed_imports(module: cst.Module) -> cst.Module:
    """`module` with every import a function rebinds aliased, and its module reads renamed."""
    if not _top_level_imports(module) & _bound_in_functions(module):
        return module  # the common case, decided without resolving scopes
    wrapper = MetadataWrapper(module)
    scopes = {scope for scope in wrapper.resolve(ScopeProvider).values() if scope is not None}
    global_scope = next((scope for scope in scopes if isinstance(scope, GlobalScope)), None)
    if global_scope is None:
        return module
    imported = _imported_names(global_scope)
    shadowed = sorted(
        name
        for name in imported
        if any(isinstance(scope, FunctionScope) and _binds_locally(scope, name) for scope in scopes)
    )
    if not shadowed:
        return module
    taken = _all_names(wrapper.module)
    aliases = {name: unique_name(f"{name}_module", taken) for name in shadowed}
    reads: dict[cst.Name, str] = {}
    for scope in scopes:
        for name, alias in aliases.items():
            for access in scope.accesses[name]:
                if imported[name] & set(access.referents) and isinstance(access.node, cst.Name):
                    reads[access.node] = alias
    unread = set(aliases) - {name for name, alias in aliases.items() if alias in reads.values()}
    result = wrapper.module.visit(_Rename(aliases, reads, unread))
    assert isinstance(result, cst.Module)
    return result


def _imported_names(scope: Scope) -> dict[str, set[Assignment]]:
    """Names bound by a plain module-level import that an alias can rename."""
    found: dict[str, set[Assignment]] = {}
    for assignment in scope.assignments:
        if not isinstance(assignment, Assignment):
            continue
        node = assignment.node
        if isinstance(node, cst.Import | cst.ImportFrom) and _aliasable(node, assignment.name):
            found.setdefault(assignment.name, set()).add(assignment)
    return found


def _aliasable(node: cst.Import | cst.ImportFrom, name: str) -> bool:
    """`import a.b` binds `a` but `import a.b as x` binds `a.b`: such an import keeps its name."""
    if isinstance(node.names, cst.ImportStar):
        return False
    for alias in node.names:
        if alias.evaluated_alias == name:
            return True
        if alias.asname is None and isinstance(alias.name, cst.Name) and alias.name.value == name:
            return True
    return False


def _binds_locally(scope: Scope, name: str) -> bool:
    """The function assigns `name` itself (a parameter of that name is no conflict)."""
    return any(
        isinstance(assignment, Assignment) and not isinstance(assignment.node, cst.Param)
        for assignment in scope.assignments[name]
        if assignment.scope is scope
    )


def _all_names(module: cst.Module) -> set[str]:
    names: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    module.visit(Names())
    return names


class _Rename(cst.CSTTransformer):
    """Alias the imports and rename the reads that meant them."""

    def __init__(self, aliases: dict[str, str], reads: dict[cst.Name, str], unread: set[str]):
        super().__init__()
        self.aliases = aliases
        self.reads = reads
        self.unread = unread
        self._depth = 0  # nesting in functions and classes: only module-level imports change

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth += 1

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self._depth -= 1
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._depth += 1

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self._depth -= 1
        return updated_node

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        return False  # the imported name is not a read

    def leave_ImportAlias(
        self, original_node: cst.ImportAlias, updated_node: cst.ImportAlias
    ) -> cst.ImportAlias:
        bound = self._bound(original_node)
        alias = self.aliases.get(bound or "")
        if self._depth or alias is None or bound in self.unread:
            return updated_node
        return updated_node.with_changes(asname=cst.AsName(cst.Name(alias)))

    @staticmethod
    def _bound(node: cst.ImportAlias) -> str | None:
        """The name the import binds, when an alias can rename it."""
        if node.asname is not None:
            return node.evaluated_alias
        if isinstance(node.name, cst.Name):
            return node.name.value
        return None  # `import a.b` binds `a`: an alias would bind `a.b`

    def _kept(self, names: Sequence[cst.ImportAlias]) -> list[cst.ImportAlias]:
        kept = [name for name in names if self._depth or self._bound(name) not in self.unread]
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return kept

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> cst.Import | cst.RemovalSentinel:
        kept = self._kept(updated_node.names)
        return updated_node.with_changes(names=kept) if kept else cst.RemoveFromParent()

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        kept = self._kept(updated_node.names)
        return updated_node.with_changes(names=kept) if kept else cst.RemoveFromParent()

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        alias = self.reads.get(original_node)
        return updated_node if alias is None else updated_node.with_changes(value=alias)


def _top_level_imports(module: cst.Module) -> set[str]:
    """The names the module's own import statements bind."""
    names: set[str] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import | cst.ImportFrom) and not isinstance(
                small.names, cst.ImportStar
            ):
                for alias in small.names:
                    bound = alias.asname.name if alias.asname else alias.name
                    if isinstance(bound, cst.Name):
                        names.add(bound.value)
                    elif isinstance(bound, cst.Attribute):  # `import a.b` binds `a`
                        names.add(str(cst.Module(body=[]).code_for_node(bound)).split(".")[0])
    return names


def _bound_in_functions(module: cst.Module) -> set[str]:
    """Every plain name some function of the module binds (a superset of its locals).

    A set, so the nodes are read in any order, without a visitor rebuilding each of them.
    """
    names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            for node in iter_nodes(statement):
                names.update(_bound_by(node))
    return names


def _bound_by(node: cst.CSTNode) -> list[str]:
    if isinstance(node, cst.AssignTarget | cst.AnnAssign | cst.AugAssign | cst.For | cst.CompFor):
        return target_names(node.target)
    if isinstance(node, cst.NamedExpr):
        return target_names(node.target)
    if isinstance(node, cst.AsName):
        return target_names(node.name)
    if isinstance(node, cst.Param | cst.FunctionDef | cst.ClassDef):
        return [node.name.value]
    return []
