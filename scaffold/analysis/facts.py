"""What the analysis records of a cell or a statement: frozen values, free of libcst objects."""

from __future__ import annotations

from dataclasses import dataclass


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
