"""libcst's scope metadata, with each provider's visitor table built once per class.

libcst builds a batched provider's table of `visit_*` / `leave_*` methods with
`inspect.getmembers` on every instance, about 0.7 ms each time; a notebook of 2,000 cells
resolves two such providers per cell. The subclasses here build the table once per class and
are otherwise libcst's own `ScopeProvider` and `ExpressionContextProvider`. The gatherers
that walk a cell together (`collector`, `literals`) use the same cache.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, ClassVar

import libcst as cst
from libcst._batched_visitor import VisitorMethod
from libcst.metadata import ExpressionContextProvider, ScopeProvider
from libcst.metadata.base_provider import ProviderT


class VisitorTableOnce:
    """Cache `get_visitors`' method names per class (their bound methods are per instance)."""

    _names: ClassVar[dict[type, tuple[str, ...]]] = {}

    def get_visitors(self) -> Mapping[str, VisitorMethod]:
        """The `visit_*` / `leave_*` methods of this provider, as libcst's would return."""
        names = self._names.get(type(self))
        if names is None:
            names = tuple(super().get_visitors())  # type: ignore[misc]
            self._names[type(self)] = names
        return {name: getattr(self, name) for name in names}


class CellExpressionContextProvider(VisitorTableOnce, ExpressionContextProvider):
    """libcst's `ExpressionContextProvider`, visitor table built once."""


class CellScopeProvider(VisitorTableOnce, ScopeProvider):
    """libcst's `ScopeProvider`, visitor table built once, on `CellExpressionContextProvider`."""

    METADATA_DEPENDENCIES = (CellExpressionContextProvider,)

    @classmethod
    def get_inherited_dependencies(cls) -> Collection[ProviderT]:
        """Only the cached expression-context provider (not libcst's own as well)."""
        return (CellExpressionContextProvider,)

    def get_metadata(self, key: Any, node: cst.CSTNode, *default: Any) -> Any:
        """The metadata of `node`; asked for libcst's expression contexts, gives ours."""
        if key is ExpressionContextProvider:
            key = CellExpressionContextProvider
        return super().get_metadata(key, node, *default)
