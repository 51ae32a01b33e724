"""The names generated code mentions: what decides its imports and what it binds."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst

from scaffold.cst_search import iter_nodes

FORMULA_CALLEE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*[.(]")
"""`np` of `np.log(x)` in a formula: patsy looks such names up where the formula is used."""


@dataclass
class MentionedNames:
    """`names`: every `Name`; `in_formulas`: names a formula string calls or looks into."""

    names: set[str] = field(default_factory=set)
    in_formulas: set[str] = field(default_factory=set)


def used_names(nodes: Iterable[cst.CSTNode]) -> set[str]:
    """Every `Name` in the nodes (a superset of what they read, which is safe for imports)."""
    return names_in(nodes).names


def names_in(nodes: Iterable[cst.CSTNode]) -> MentionedNames:
    """The names the nodes mention, and those their formula strings call."""
    found = MentionedNames()
    for node in nodes:
        for inner in iter_nodes(node):
            if isinstance(inner, cst.Name):
                found.names.add(inner.value)
            elif isinstance(inner, cst.SimpleString):
                # A formula (`"y ~ np.log(x)"`) names what patsy looks up where it is used.
                text = inner.evaluated_value
                if isinstance(text, str) and "~" in text:
                    found.in_formulas |= set(FORMULA_CALLEE.findall(text))
    return found


def settings_read(nodes: Iterable[cst.CSTNode]) -> set[str]:
    """The settings (`group.name`) the nodes read through `settings.group.name`."""
    keys: set[str] = set()
    for node in nodes:
        for inner in iter_nodes(node):
            if (
                isinstance(inner, cst.Attribute)
                and isinstance(inner.value, cst.Attribute)
                and isinstance(inner.value.value, cst.Name)
                and inner.value.value.value == "settings"
            ):
                keys.add(f"{inner.value.attr.value}.{inner.attr.value}")
    return keys
