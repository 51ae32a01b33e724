"""In a feature step, a setting becomes a value recorded in the feature state."""

from __future__ import annotations

import libcst as cst

from scaffold.extract.statements import Stmt


def setting_key(node: cst.Attribute) -> str | None:
    """`group.name` for `settings.group.name`, None for any other attribute."""
    value = node.value
    if (
        isinstance(value, cst.Attribute)
        and isinstance(value.value, cst.Name)
        and value.value.value == "settings"
    ):
        return f"{value.attr.value}.{node.attr.value}"
    return None


class RecordSettings(cst.CSTTransformer):
    """In a feature step, `settings.group.name` becomes a value recorded in the feature state.

    The served model then uses the value it was trained with, without reading the settings.
    """

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        key = setting_key(original_node)
        if key is not None:
            return cst.Call(
                cst.Attribute(cst.Name("state"), cst.Name("statistic")),
                [
                    cst.Arg(cst.SimpleString(f'"settings.{key}"')),
                    cst.Arg(cst.Lambda(cst.Parameters(), original_node)),
                ],
            )
        return updated_node


def record_settings(node: Stmt) -> Stmt:
    """`node` with its settings read through the feature state."""
    result = node.visit(RecordSettings())
    assert isinstance(result, Stmt)
    return result
