"""The pipeline as a flat list of top-level statements, each with its cell and symbols."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import libcst as cst

from scaffold.analysis.facts import CellSymbols
from scaffold.analysis.statement_facts import statement_kind
from scaffold.analysis.symbols import gather_symbols, statement_starts, statement_symbols

Stmt = cst.SimpleStatementLine | cst.BaseCompoundStatement
"""A statement node as a module or block body holds it."""

_EMPTY = cst.Module(body=[])


@dataclass(frozen=True)
class Statement:
    """One top-level statement of a pipeline cell.

    Attributes:
        cell: the notebook cell it comes from (1-based).
        line: its first line in the cell (1-based).
        node: the statement (rewrites replace it, they never mutate it).
        symbols: what the statement alone defines, reads and mutates.
        kind: `import`, `def`, `class`, `literal`, `assign`, `expression` or `other`.
    """

    cell: int
    line: int
    node: Stmt
    symbols: CellSymbols
    kind: str

    @cached_property
    def code(self) -> str:
        """The statement's source (made once: the layout asks for it again and again)."""
        return _EMPTY.code_for_node(self.node)

    def replaced(self, node: Stmt) -> Statement:
        """The same statement with new code, its symbols gathered again if the code changed.

        A libcst transformer rebuilds every node it passes, so a new node often holds the
        same code: its symbols are this statement's.
        """
        if _EMPTY.code_for_node(node) == self.code:
            return Statement(self.cell, self.line, node, self.symbols, self.kind)
        return statement_of(self.cell, self.line, node)


def statement_of(cell: int, line: int, node: Stmt) -> Statement:
    """Gather a statement's symbols on its own (once per distinct code)."""
    code = _EMPTY.code_for_node(node)
    symbols = _SYMBOLS.get(code)
    if symbols is None:
        symbols = gather_symbols(cst.Module(body=[node]))
        _remember(code, symbols)
    return Statement(cell, line, node, symbols, statement_kind(node))


SYMBOLS_CACHED = 4096
"""Statements whose symbols are kept: the layout asks again for the same code many times."""
_SYMBOLS: dict[str, CellSymbols] = {}


def _remember(code: str, symbols: CellSymbols) -> None:
    if len(_SYMBOLS) >= SYMBOLS_CACHED:
        _SYMBOLS.clear()
    _SYMBOLS[code] = symbols


def split_statements(
    cell: int, module: cst.Module, known: Mapping[str, CellSymbols] | None = None
) -> list[Statement]:
    """The top-level statements of a parsed cell, with their first lines.

    `known`: the symbols the analysis cut from its pass over the cell, by statement source
    (`CellAnalysis.statements`). A statement a rewrite changed is gathered again: alone, or
    with the others in one pass over `module` when several changed.
    """
    known = known or {}
    codes = [_EMPTY.code_for_node(node) for node in module.body]
    missing = [code for code in codes if code not in known and code not in _SYMBOLS]
    found: dict[str, CellSymbols] = {}
    if len(missing) > 1:
        for code, gathered in zip(codes, statement_symbols(module, codes=codes), strict=True):
            found[code] = gathered
            _remember(code, gathered)
    lines = statement_starts(module, codes)
    statements = []
    for node, code, (_, line) in zip(module.body, codes, lines, strict=True):
        symbols: CellSymbols | None = known[code] if code in known else found.get(code)
        if symbols is None:
            statements.append(statement_of(cell, line, node))
        else:
            statements.append(Statement(cell, line, node, symbols, statement_kind(node)))
    return statements
