"""The pipeline as a flat list of top-level statements, each with its cell and symbols."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from scaffold.analysis.symbols import CellSymbols, gather_symbols, statement_kind

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

    @property
    def code(self) -> str:
        """The statement's source."""
        return _EMPTY.code_for_node(self.node)

    def replaced(self, node: Stmt) -> Statement:
        """The same statement with new code, its symbols gathered again."""
        return statement_of(self.cell, self.line, node)


def statement_of(cell: int, line: int, node: Stmt) -> Statement:
    """Gather a statement's symbols on its own (once per distinct code)."""
    code = _EMPTY.code_for_node(node)
    symbols = _SYMBOLS.get(code)
    if symbols is None:
        if len(_SYMBOLS) >= SYMBOLS_CACHED:
            _SYMBOLS.clear()
        symbols = _SYMBOLS[code] = gather_symbols(cst.Module(body=[node]))
    return Statement(cell, line, node, symbols, statement_kind(node))


SYMBOLS_CACHED = 4096
"""Statements whose symbols are kept: the layout asks again for the same code many times."""
_SYMBOLS: dict[str, CellSymbols] = {}


def split_statements(cell: int, module: cst.Module) -> list[Statement]:
    """The top-level statements of a parsed cell, with their first lines."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return [statement_of(cell, positions[node].start.line, node) for node in wrapper.module.body]
