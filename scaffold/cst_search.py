"""Find nodes in a libcst tree by type, without `libcst.matchers`.

`libcst.matchers` is the slowest import of libcst (more than half a second); the few searches
scaffold makes are plain type tests, done here with one visitor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import libcst as cst

N = TypeVar("N", bound=cst.CSTNode)


def find_all(
    node: cst.CSTNode,
    kinds: type[N] | tuple[type[N], ...],
    where: Callable[[N], bool] = lambda found: True,
) -> list[N]:
    """Every node of the given types under `node` (itself included) for which `where` holds."""
    finder = _Finder(kinds, where)
    node.visit(finder)
    return finder.found


def iter_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under `node` (itself included), in no particular order.

    For searches whose answer is a set: several times faster than a `CSTVisitor`, which makes
    libcst rebuild (and validate) every node it passes, even when nothing changes.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        for name in _child_fields(type(current)):
            value = getattr(current, name)
            if isinstance(value, cst.CSTNode):
                stack.append(value)
            elif isinstance(value, tuple | list):
                stack.extend(item for item in value if isinstance(item, cst.CSTNode))


def has_shared_nodes(node: cst.CSTNode) -> bool:
    """Whether one node object sits at two places of the tree (assembled code may reuse one).

    libcst's metadata is keyed by node, so only a tree without shared nodes may skip the
    deep copy `MetadataWrapper` makes otherwise (a fifth of resolving a large function's scopes).
    """
    seen: set[int] = set()
    for inner in iter_nodes(node):
        if id(inner) in seen:
            return True
        seen.add(id(inner))
    return False


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    """The dataclass fields of a node class (each may hold a child node or a sequence of them)."""
    names = _CHILD_FIELDS.get(kind)
    if names is None:
        names = _CHILD_FIELDS[kind] = tuple(field.name for field in dataclasses.fields(kind))
    return names


def is_call_of(node: cst.CSTNode, name: str) -> bool:
    """`name(...)`: a call of the plain name `name` (`print(...)`)."""
    return (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == name
    )


class _Finder(cst.CSTVisitor):
    def __init__(self, kinds: Any, where: Callable[[Any], bool]) -> None:
        self.kinds = kinds
        self.where = where
        self.found: list[Any] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, self.kinds) and self.where(node):
            self.found.append(node)
        return True


def target_names(node: cst.CSTNode) -> list[str]:
    """The names an assignment or loop target binds, in order: `c`, `i, c`, `[a, *rest]`."""
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, cst.Tuple | cst.List):
        return [name for element in node.elements for name in target_names(element.value)]
    if isinstance(node, cst.StarredElement):
        return target_names(node.value)
    return []


def variable_names(node: cst.CSTNode) -> set[str]:
    """Every name read or bound in `node`; attribute names and keywords are no variables."""
    finder = _Variables()
    node.visit(finder)
    return finder.names


class _Variables(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False  # `s.mean`: `mean` is no name

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False  # `f(axis=1)`: `axis` is no name
