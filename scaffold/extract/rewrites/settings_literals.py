"""Replace the literals that are settings by references to the settings object.

`RandomForestClassifier(n_estimators=200)` -> `RandomForestClassifier(n_estimators=
settings.random_forest_classifier.n_estimators)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from scaffold.cst_search import has_shared_nodes


def reference(key: str, settings_name: str = "settings") -> cst.Attribute:
    """`settings.group.name` as an expression."""
    node: cst.BaseExpression = cst.Name(settings_name)
    for part in key.split("."):
        node = cst.Attribute(value=node, attr=cst.Name(part))
    assert isinstance(node, cst.Attribute)
    return node


class ReplaceLiterals(cst.CSTTransformer):
    """Replace the literal starting at each (line, column) by the setting's reference."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, keys_at: Mapping[tuple[int, int], str]) -> None:
        super().__init__()
        self.keys_at = keys_at
        self.replaced: set[tuple[int, int]] = set()
        self._in_concatenation = 0

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._in_concatenation += 1

    def _replace(
        self, original_node: cst.BaseExpression, updated_node: cst.BaseExpression
    ) -> cst.BaseExpression:
        start = self.get_metadata(PositionProvider, original_node).start
        where = (start.line, start.column)
        if where in self.keys_at and where not in self.replaced:
            self.replaced.add(where)
            return reference(self.keys_at[where])
        return updated_node

    def leave_Integer(
        self, original_node: cst.Integer, updated_node: cst.Integer
    ) -> cst.BaseExpression:
        """A number that is a setting."""
        return self._replace(original_node, updated_node)

    def leave_Float(self, original_node: cst.Float, updated_node: cst.Float) -> cst.BaseExpression:
        """A number that is a setting."""
        return self._replace(original_node, updated_node)

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.BaseExpression:
        """A path or option that is a setting (a part of a longer string is not)."""
        if self._in_concatenation:
            return updated_node
        return self._replace(original_node, updated_node)

    def leave_ConcatenatedString(
        self, original_node: cst.ConcatenatedString, updated_node: cst.ConcatenatedString
    ) -> cst.BaseExpression:
        """A string written in parts that is a setting."""
        self._in_concatenation -= 1
        if self._in_concatenation:
            return updated_node
        return self._replace(original_node, updated_node)

    def leave_UnaryOperation(
        self, original_node: cst.UnaryOperation, updated_node: cst.UnaryOperation
    ) -> cst.BaseExpression:
        """A negative number that is a setting."""
        return self._replace(original_node, updated_node)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        """`True`, `False` or `None` that is a setting."""
        if original_node.value in ("True", "False", "None"):
            return self._replace(original_node, updated_node)
        return updated_node


def replace_literals(module: cst.Module, keys_at: Mapping[tuple[int, int], str]) -> cst.Module:
    """`module` with the literals at `keys_at` positions replaced by setting references.

    Only the top-level statements that hold one of the positions are rewritten; the others
    stay the same nodes (their symbols need not be gathered again).
    """
    if not keys_at:
        return module
    wrapper = MetadataWrapper(module, unsafe_skip_copy=not has_shared_nodes(module))
    transformer = ReplaceLiterals(keys_at)
    lines = {line for line, _ in keys_at}
    body: list[cst.BaseStatement] = []
    with transformer.resolve(wrapper):
        positions = cast(Mapping[cst.CSTNode, CodeRange], transformer.metadata[PositionProvider])
        after = 0  # a statement holds the lines after the previous one's last (decorators too)
        for statement in wrapper.module.body:
            last = positions[statement].end.line
            holds = any(after < line <= last for line in lines)
            body.append(
                cast(cst.BaseStatement, statement.visit(transformer)) if holds else statement
            )
            after = last
    return wrapper.module.with_changes(body=body)
