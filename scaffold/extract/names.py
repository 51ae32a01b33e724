"""The names generated code mentions: what decides its imports and what it binds."""

from __future__ import annotations

import re
from collections.abc import Iterable

import libcst as cst

FORMULA_CALLEE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*[.(]")
"""`np` of `np.log(x)` in a formula: patsy looks such names up where the formula is used."""


class MentionedNames(cst.CSTVisitor):
    """Collects `names` and `in_formulas` (names a formula string calls or looks into)."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.in_formulas: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        """Every name counts."""
        self.names.add(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """A formula (`"y ~ np.log(x)"`) names what patsy looks up where it is used."""
        text = node.evaluated_value
        if isinstance(text, str) and "~" in text:
            self.in_formulas |= set(FORMULA_CALLEE.findall(text))


def used_names(nodes: Iterable[cst.CSTNode]) -> set[str]:
    """Every `Name` in the nodes (a superset of what they read, which is safe for imports)."""
    return names_in(nodes).names


def names_in(nodes: Iterable[cst.CSTNode]) -> MentionedNames:
    """The names the nodes mention, and those their formula strings call."""
    visitor = MentionedNames()
    for node in nodes:
        node.visit(visitor)
    return visitor


class _SettingsRead(cst.CSTVisitor):
    """Collects `keys`: `group.name` of every `settings.group.name` read."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        """`settings.group.name` reads the setting `group.name`."""
        value = node.value
        if (
            isinstance(value, cst.Attribute)
            and isinstance(value.value, cst.Name)
            and value.value.value == "settings"
        ):
            self.keys.add(f"{value.attr.value}.{node.attr.value}")


def settings_read(nodes: Iterable[cst.CSTNode]) -> set[str]:
    """The settings (`group.name`) the nodes read through `settings.group.name`."""
    visitor = _SettingsRead()
    for node in nodes:
        node.visit(visitor)
    return visitor.keys
