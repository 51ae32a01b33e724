"""Replace the literals that are settings by references to the settings object.

`RandomForestClassifier(n_estimators=200)` -> `RandomForestClassifier(n_estimators=
settings.random_forest_classifier.n_estimators)`; a config cell's `SEED = 42` disappears and
every read of `SEED` becomes `settings.params.seed`.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from scaffold.extract.statements import Stmt


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
        """A path or option that is a setting."""
        return self._replace(original_node, updated_node)

    def leave_ConcatenatedString(
        self, original_node: cst.ConcatenatedString, updated_node: cst.ConcatenatedString
    ) -> cst.BaseExpression:
        """A string written in parts that is a setting."""
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
    """`module` with the literals at `keys_at` positions replaced by setting references."""
    if not keys_at:
        return module
    return MetadataWrapper(module).visit(ReplaceLiterals(keys_at))


class ReplaceNames(cst.CSTTransformer):
    """Replace reads of constants (`SEED`) by their setting (`settings.params.seed`).

    Attribute names (`obj.SEED`) and keywords (`f(SEED=1)`) are names too; they are put back.
    """

    def __init__(self, keys: Mapping[str, str]) -> None:
        super().__init__()
        self.keys = keys

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        key = self.keys.get(original_node.value)
        return reference(key) if key else updated_node

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        return updated_node.with_changes(attr=original_node.attr)

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(keyword=original_node.keyword)


def replace_names(node: Stmt, keys: Mapping[str, str]) -> Stmt:
    """`node` with every read of a constant in `keys` replaced by its setting."""
    if not keys:
        return node
    result = node.visit(ReplaceNames(keys))
    assert isinstance(result, Stmt)
    return result
