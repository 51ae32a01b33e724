"""A transformer base that sees each comprehension enter and leave, with its `for` clauses."""

from __future__ import annotations

from typing import TypeVar

import libcst as cst

Comprehension = TypeVar("Comprehension", cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


class ComprehensionAware(cst.CSTTransformer):
    """List, set, dict comprehensions and generators call the two hooks below."""

    def _enter_comprehension(self, for_in: cst.CompFor | None) -> None:
        """Before the comprehension's children (its `for` clauses bind names in it)."""

    def _leave_comprehension(
        self, for_in: cst.CompFor | None, updated_node: Comprehension
    ) -> Comprehension:
        """After its children; returns the (possibly changed) comprehension."""
        return updated_node

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._enter_comprehension(node.for_in)

    def leave_ListComp(
        self, original_node: cst.ListComp, updated_node: cst.ListComp
    ) -> cst.ListComp:
        return self._leave_comprehension(original_node.for_in, updated_node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._enter_comprehension(node.for_in)

    def leave_SetComp(self, original_node: cst.SetComp, updated_node: cst.SetComp) -> cst.SetComp:
        return self._leave_comprehension(original_node.for_in, updated_node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._enter_comprehension(node.for_in)

    def leave_GeneratorExp(
        self, original_node: cst.GeneratorExp, updated_node: cst.GeneratorExp
    ) -> cst.GeneratorExp:
        return self._leave_comprehension(original_node.for_in, updated_node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._enter_comprehension(node.for_in)

    def leave_DictComp(
        self, original_node: cst.DictComp, updated_node: cst.DictComp
    ) -> cst.DictComp:
        return self._leave_comprehension(original_node.for_in, updated_node)
