"""Every read of a constant that became a setting reads the settings object instead.

A config cell's `SEED = 42` disappears and every read of `SEED` becomes `settings.params.seed`
(not inside a function or lambda whose parameter has that name).
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from scaffold.extract.rewrites.settings_literals import reference
from scaffold.extract.statements import Stmt


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
