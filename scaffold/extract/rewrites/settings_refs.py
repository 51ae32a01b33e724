"""Replace the literals that are settings by references to the settings object.

`RandomForestClassifier(n_estimators=200)` -> `RandomForestClassifier(n_estimators=
settings.random_forest_classifier.n_estimators)`; a config cell's `SEED = 42` disappears and
every read of `SEED` becomes `settings.params.seed`.
"""

from __future__ import annotations

import json
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
        self._parameters: list[set[str]] = []  # names local to the enclosing defs and lambdas

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._parameters.append(_parameter_names(node.params))

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self._parameters.pop()
        return updated_node.with_changes(params=original_node.params, name=original_node.name)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._parameters.append(_parameter_names(node.params))

    def leave_Lambda(self, original_node: cst.Lambda, updated_node: cst.Lambda) -> cst.Lambda:
        self._parameters.pop()
        return updated_node.with_changes(params=original_node.params)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        name = original_node.value
        key = self.keys.get(name)
        if key is None or any(name in local for local in self._parameters):
            return updated_node
        return reference(key)

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        return updated_node.with_changes(attr=original_node.attr)

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(keyword=original_node.keyword)


def _parameter_names(parameters: cst.Parameters) -> set[str]:
    every = [
        *parameters.posonly_params,
        *parameters.params,
        *parameters.kwonly_params,
        *(p for p in (parameters.star_arg, parameters.star_kwarg) if isinstance(p, cst.Param)),
    ]
    return {param.name.value for param in every}


def replace_names(node: Stmt, keys: Mapping[str, str]) -> Stmt:
    """`node` with every read of a constant in `keys` replaced by its setting."""
    if not keys:
        return node
    result = node.visit(ReplaceNames(keys))
    assert isinstance(result, Stmt)
    return result


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
