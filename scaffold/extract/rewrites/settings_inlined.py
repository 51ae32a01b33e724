"""A setting written as the value it had when the code was generated."""

from __future__ import annotations

import json
from collections.abc import Mapping

import libcst as cst

from scaffold.extract.rewrites.settings_recorded import setting_key
from scaffold.extract.statements import Stmt


class InlineSettings(cst.CSTTransformer):
    """`settings.group.name` -> the value it had when the code was generated."""

    def __init__(self, values: Mapping[str, object]) -> None:
        super().__init__()
        self.values = values

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        key = setting_key(original_node)
        if key is not None and key in self.values:
            literal = self.values[key]
            text = json.dumps(literal) if isinstance(literal, str) else repr(literal)
            return cst.parse_expression(text)
        return updated_node


def with_setting_values(node: Stmt, values: Mapping[str, object]) -> Stmt:
    """`node` with its settings written as their values: for the steps a served model replays."""
    result = node.visit(InlineSettings(values))
    assert isinstance(result, Stmt)
    return result
