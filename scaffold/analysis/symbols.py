"""Gather what one cell defines, reads, mutates, imports and calls (read-only libcst pass).

Scoping (functions, lambdas, comprehensions, class bodies) comes from libcst's `ScopeProvider`;
the order of statements inside the cell decides whether a module-level read sees a value made
earlier in the same cell or one made by an earlier cell.

One scope and position pass per cell gives both the cell's facts (`gather_symbols`) and each
top-level statement's own (`statement_symbols`): what the statement alone defines, reads and
mutates, as if it were gathered on its own, with lines counted from its first line.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import cast

import libcst as cst
from libcst.metadata import (
    Access,
    Assignment,
    BaseAssignment,
    BuiltinAssignment,
    CodeRange,
    FunctionScope,
    GlobalScope,
    MetadataWrapper,
    PositionProvider,
    Scope,
)

from scaffold.analysis._providers import CellScopeProvider
from scaffold.analysis.collector import CalledOn, Collected, collector, line_of
from scaffold.analysis.facts import Call, CellSymbols, Mutation
from scaffold.analysis.statement_facts import (
    column_picks,
    constructed,
    dotted_name,
    has_inplace_true,
    is_literal,
    root_name,
    statement_kind,
    subscript_column,
)

__all__ = [
    "Call",
    "CellSymbols",
    "cell_wrapper",
    "dotted_name",
    "gather_symbols",
    "has_inplace_true",
    "is_literal",
    "root_name",
    "statement_kind",
    "statement_symbols",
    "subscript_column",
]
# The value classes and node helpers live in `facts` and `statement_facts`; the names other
# stages import from here stay importable.

Positions = Mapping[cst.CSTNode, CodeRange]


def cell_wrapper(module: cst.Module) -> MetadataWrapper:
    """One metadata wrapper for a parsed cell, to share between the gatherers."""
    return MetadataWrapper(module, unsafe_skip_copy=True)


@dataclass(frozen=True)
class _Pass:
    """A cell's scopes, positions and collected facts: the one pass everything is cut from."""

    module: cst.Module
    scopes: Mapping[cst.CSTNode, Scope | None]
    positions: Positions
    collector: Collected
    global_scope: GlobalScope | None


@dataclass(frozen=True)
class _Window:
    """The lines `after < line <= last` of one top-level statement; `shift` makes them its own.

    A binding outside the window is invisible, as if the statement were gathered alone.
    """

    after: int
    last: int
    shift: int

    def holds(self, line: int) -> bool:
        return self.after < line <= self.last


def _resolve(
    module: cst.Module,
    wrapper: MetadataWrapper | None,
    together: Sequence[cst.BatchableCSTVisitor] = (),
) -> _Pass:
    wrapper = wrapper or cell_wrapper(module)
    walk = collector()
    wrapper.visit_batched([walk, *together])
    metadata = wrapper.resolve_many((CellScopeProvider, PositionProvider))  # cached by the walk
    scopes = cast(Mapping[cst.CSTNode, Scope | None], metadata[CellScopeProvider])
    positions = cast(Positions, metadata[PositionProvider])
    global_scope = next(
        (scope for scope in scopes.values() if isinstance(scope, GlobalScope)), None
    )
    return _Pass(wrapper.module, scopes, positions, walk, global_scope)


def gather_symbols(module: cst.Module, wrapper: MetadataWrapper | None = None) -> CellSymbols:
    """Gather the `CellSymbols` of a parsed cell.

    Pass the cell's `wrapper` (see `cell_wrapper`) when other gatherers use it too: its
    metadata is computed once.
    """
    return _facts(_resolve(module, wrapper), list(module.body), None)


def cell_and_statement_symbols(
    module: cst.Module,
    wrapper: MetadataWrapper | None = None,
    together: Sequence[cst.BatchableCSTVisitor] = (),
    codes: Sequence[str] | None = None,
) -> tuple[CellSymbols, tuple[CellSymbols, ...]]:
    """The cell's `CellSymbols` and those of each top-level statement, from one pass.

    `together`: other gatherers of the cell (`literals.literal_gatherer`), run in the same walk.
    `codes`: the statements' source, when the caller has it already.
    """
    found = _resolve(module, wrapper, together)
    return _facts(found, list(module.body), None), _each_statement(found, codes)


def statement_symbols(
    module: cst.Module, wrapper: MetadataWrapper | None = None, codes: Sequence[str] | None = None
) -> tuple[CellSymbols, ...]:
    """Each top-level statement's `CellSymbols`, as `gather_symbols` of it alone would give."""
    return _each_statement(_resolve(module, wrapper), codes)


def statement_starts(
    module: cst.Module, codes: Sequence[str] | None = None
) -> list[tuple[int, int]]:
    """Each top-level statement's first line and the line of its keyword or first token.

    The first counts its leading comments and blank lines; the second is where libcst's
    `PositionProvider` starts the statement (after decorators too), found by counting lines.
    `codes`: the statements' source, when the caller has it already.
    """
    if codes is None:
        codes = [module.code_for_node(statement) for statement in module.body]
    line = 1 + len(module.header)  # one line each
    starts = []
    for statement, code in zip(module.body, codes, strict=True):
        before = len(statement.leading_lines)
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            before += sum(module.code_for_node(d).count("\n") for d in statement.decorators)
            before += len(statement.lines_after_decorators)
        starts.append((line, line + before))
        line += code.count("\n")
    return starts


def _each_statement(found: _Pass, codes: Sequence[str] | None = None) -> tuple[CellSymbols, ...]:
    body = list(found.module.body)
    starts = statement_starts(found.module, codes)
    result = []
    after = 0
    for statement, (first, _) in zip(body, starts, strict=True):
        last = int(found.positions[statement].end.line)
        result.append(_facts(found, [statement], _Window(after, last, first - 1)))
        after = last
    return tuple(result)


def _facts(
    found: _Pass, statements: list[cst.BaseStatement], window: _Window | None
) -> CellSymbols:
    """The facts of the whole cell (`window` None) or of the statement in `window`."""
    positions, collector = found.positions, found.collector

    def inside(line: int) -> bool:
        return window is None or window.holds(line)

    def own(line: int) -> int:
        return line - window.shift if window is not None and line else line

    defines: set[str] = set()
    first_binding: dict[str, int] = {}
    if found.global_scope is not None:
        for assignment in found.global_scope.assignments:
            if isinstance(assignment, Assignment):
                line = line_of(assignment.node, positions)
                if inside(line):
                    defines.add(assignment.name)
                    first_binding[assignment.name] = min(
                        first_binding.get(assignment.name, line), line
                    )
    mutations = [
        replace(entry.mutation, line=own(entry.mutation.line))
        if isinstance(entry, CalledOn)
        else replace(entry, line=own(entry.line))
        for entry in collector.mutations
        if inside(_mutation(entry).line) and _counts(entry, positions, window)
    ]
    aug_assigned = [(name, line) for name, line in collector.aug_assigned if inside(line)]
    reads, deferred_reads = _free_reads(
        found.scopes.values(), positions, first_binding, mutations, aug_assigned, window
    )
    return CellSymbols(
        defines=frozenset(defines),
        reads=frozenset(reads),
        deferred_reads=frozenset(deferred_reads),
        mutates=tuple(mutations),
        deletes=frozenset(name for name, line in collector.deletes if inside(line)),
        functions=frozenset(name for name, line in collector.functions if inside(line)),
        classes=frozenset(name for name, line in collector.classes if inside(line)),
        imports=tuple(replace(i, line=own(i.line)) for i in collector.imports if inside(i.line)),
        star_imports=tuple(module for module, line in collector.star_imports if inside(line)),
        global_statements=tuple(own(line) for line in collector.global_lines if inside(line)),
        calls=tuple(replace(c, line=own(c.line)) for c in collector.calls if inside(c.line)),
        expressions=tuple(
            replace(e, line=own(e.line)) for e in collector.expressions if inside(e.line)
        ),
        statement_kinds=tuple(statement_kind(statement) for statement in statements),
        constructed=tuple(constructed(statements)),
        column_picks=tuple(column_picks(statements)),
    )


def _mutation(entry: Mutation | CalledOn) -> Mutation:
    return entry.mutation if isinstance(entry, CalledOn) else entry


def _counts(entry: Mutation | CalledOn, positions: Positions, window: _Window | None) -> bool:
    """Whether a mutation changes a module name: a call's receiver is not a local one."""
    if not isinstance(entry, CalledOn):
        return True
    scope = entry.scope
    if scope is None or isinstance(scope, GlobalScope):
        return True
    seen = _visible(scope[entry.mutation.name], entry.mutation.name, positions, window)
    return not any(not isinstance(ref.scope, GlobalScope) for ref in seen)


def _visible(
    referents: Iterable[BaseAssignment], name: str, positions: Positions, window: _Window | None
) -> set[BaseAssignment]:
    """The bindings of `name` a read sees, the module-level ones limited to `window`.

    Gathered alone, a statement that does not bind `name` at module level sees the builtin of
    that name, if there is one, as libcst resolves a name no module-level binding precedes.
    """
    referents = set(referents)
    if window is None:
        return referents
    kept = {
        ref
        for ref in referents
        if not isinstance(ref.scope, GlobalScope)
        or not isinstance(ref, Assignment)
        or window.holds(line_of(ref.node, positions))
    }
    if kept or not any(isinstance(ref.scope, GlobalScope) for ref in referents):
        return kept
    return (
        {BuiltinAssignment(name, ref.scope.parent) for ref in referents}
        if hasattr(builtins, name)
        else set()
    )


def _free_reads(
    scopes: Iterable[Scope | None],
    positions: Positions,
    first_binding: dict[str, int],
    mutations: list[Mutation],
    aug_assigned: list[tuple[str, int]],
    window: _Window | None,
) -> tuple[set[str], set[str]]:
    """Names read at module level whose value comes from outside the cell.

    Also those of them read only inside function and lambda bodies (see `_runs_later`).
    """
    reads: set[str] = set()
    later: set[str] = set()
    seen: set[int] = set()
    own_first = {
        name: line - window.shift if window else line for name, line in first_binding.items()
    }
    for scope in scopes:
        if scope is None or id(scope) in seen:
            continue
        seen.add(id(scope))
        for access in scope.accesses:
            line = line_of(access.node, positions)
            if window is not None and not window.holds(line):
                continue
            name = _global_name_read(access, scope, line, positions, first_binding, window)
            if name is not None:
                (later if _runs_later(scope) else reads).add(name)
    # A mutated or augmented name is read too: its old value is changed.
    for mutation in mutations:
        if own_first.get(mutation.name, 10**9) >= mutation.line:
            reads.add(mutation.name)
    for name, line in aug_assigned:
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
    access: Access,
    scope: Scope,
    line: int,
    positions: Positions,
    first_binding: dict[str, int],
    window: _Window | None,
) -> str | None:
    name = getattr(access.node, "value", None)
    if not isinstance(name, str):
        return None
    referents = _visible(access.referents, name, positions, window)
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
    if bound_at is not None and bound_at < line:
        return None
    return name
