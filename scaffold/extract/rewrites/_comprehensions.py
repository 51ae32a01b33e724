"""A transformer base that sees each comprehension enter and leave, with its `for` clauses."""

from __future__ import annotations

from typing import Generic, TypeVar

import libcst as cst

from scaffold.cst_search import target_names

Comprehension = TypeVar("Comprehension", cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
Frame = TypeVar("Frame")


class ComprehensionAware(cst.CSTTransformer, Generic[Frame]):
    """A stack of loop frames that comprehensions push (one per `for` clause) and pop.

    A subclass says what a frame holds (`_comprehension_frame`) and pushes its own frames for
    other loops on `self._frames`. A clause's iterable is evaluated before its target (and the
    inner clauses' targets) is bound, so those frames are hidden while it is visited.
    """

    def __init__(self) -> None:
        super().__init__()
        self._frames: list[Frame] = []
        self._hidden: list[list[Frame]] = []

    def _comprehension_frame(self, names: list[str]) -> Frame:
        """The frame of one `for` clause binding `names`."""
        raise NotImplementedError

    def _enter_comprehension(self, for_in: cst.CompFor | None) -> None:
        while for_in is not None:
            self._frames.append(self._comprehension_frame(target_names(for_in.target)))
            for_in = for_in.inner_for_in

    def _leave_comprehension(
        self, for_in: cst.CompFor | None, updated_node: Comprehension
    ) -> Comprehension:
        while for_in is not None:
            self._frames.pop()
            for_in = for_in.inner_for_in
        return updated_node

    def _hide(self, levels: int) -> None:
        self._hidden.append(self._frames[-levels:])
        del self._frames[-levels:]

    def visit_CompFor_iter(self, node: cst.CompFor) -> None:
        levels, inner = 1, node.inner_for_in
        while inner is not None:
            levels, inner = levels + 1, inner.inner_for_in
        self._hide(levels)

    def leave_CompFor_iter(self, node: cst.CompFor) -> None:
        self._frames.extend(self._hidden.pop())

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
