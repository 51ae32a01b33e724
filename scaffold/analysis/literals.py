"""Gather the literals of a cell that may be settings (read-only libcst pass).

Which of them become settings is decided by `scaffold.analysis.settings`, which knows roles.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import PositionProvider

from scaffold.analysis._providers import VisitorTableOnce
from scaffold.analysis.statement_facts import dotted_name, is_literal


@dataclass(frozen=True)
class LiteralUse:
    """A literal passed to a call or bound to a module-level name.

    Attributes:
        callee: the call's callee as written (`RandomForestClassifier`, `pd.read_csv`), or
            None for a `NAME = literal` binding.
        keyword: the keyword it is passed as; the bound name for a binding; None when positional.
        position: the positional index, or None.
        value: the literal's Python value.
        source: its source text.
        line, column: where it starts in the cell (1-based line, 0-based column).
        site: where the call (or binding) starts: literals of one call share it.
    """

    callee: str | None
    keyword: str | None
    position: int | None
    value: object
    source: str
    line: int
    column: int
    site: tuple[int, int]


class _LiteralCollector(VisitorTableOnce, cst.BatchableCSTVisitor):
    """Every literal argument of a module-level call and every `NAME = literal` binding."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.found: list[LiteralUse] = []
        self._depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._depth += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._depth -= 1

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._depth or len(node.targets) != 1:
            return
        target = node.targets[0].target
        if isinstance(target, cst.Name) and is_literal(node.value):
            self._add(None, target.value, None, node.value, node)

    def visit_Call(self, node: cst.Call) -> None:
        if self._depth:
            return
        callee = dotted_name(node.func)
        if callee is None and isinstance(node.func, cst.Attribute):
            callee = f"?.{node.func.attr.value}"
        if callee is None:
            return
        position = 0
        for arg in node.args:
            if arg.star:
                continue
            keyword = arg.keyword.value if arg.keyword else None
            if is_literal(arg.value) and not isinstance(arg.value, cst.Dict):
                self._add(callee, keyword, None if keyword else position, arg.value, node)
            if keyword is None:
                position += 1

    def _add(
        self,
        callee: str | None,
        keyword: str | None,
        position: int | None,
        node: cst.BaseExpression,
        site_node: cst.CSTNode,
    ) -> None:
        source = cst.Module([]).code_for_node(node)
        try:
            value = ast.literal_eval(source)
        except (ValueError, SyntaxError):
            return
        where = self.get_metadata(PositionProvider, node).start
        site = self.get_metadata(PositionProvider, site_node).start
        self.found.append(
            LiteralUse(
                callee,
                keyword,
                position,
                value,
                source,
                where.line,
                where.column,
                (site.line, site.column),
            )
        )


LiteralGatherer = _LiteralCollector
"""Gathers a cell's literals in a batched walk; `found` holds them after it."""


def literal_gatherer() -> LiteralGatherer:
    """A gatherer to run with `MetadataWrapper.visit_batched`, alone or beside others."""
    return _LiteralCollector()
