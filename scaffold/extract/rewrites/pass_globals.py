"""Pass the notebook variables a helper reads as keyword arguments.

`def loss(w): return ((X @ w - y) ** 2).sum() / N` becomes `def loss(w, *, X, y, N)`, and every
call `loss(w0)` becomes `loss(w0, X=X, y=y, N=N)`: the helper sees each value as it is at the
call, as the notebook's function did. A helper named without a call (`df["a"].apply(clean)`)
becomes `functools.partial(clean, X=X)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import libcst as cst

from scaffold.extract.names import used_names
from scaffold.extract.statements import Stmt

PARTIAL_MODULE = "functools"


class PassGlobals(cst.CSTTransformer):
    """Add `name=name` for each variable a called helper reads (`needs`: helper -> names)."""

    def __init__(self, needs: Mapping[str, Sequence[str]]) -> None:
        self.needs = needs
        self.not_references: set[int] = set()

    def _skip(self, node: cst.CSTNode | None) -> None:
        if node is not None:
            self.not_references.add(id(node))

    def visit_Call(self, node: cst.Call) -> None:
        """The callee is called, not named."""
        self._skip(node.func)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        """`obj.name` does not name the helper."""
        self._skip(node.attr)

    def visit_Arg(self, node: cst.Arg) -> None:
        """A keyword is no reference."""
        self._skip(node.keyword)

    def visit_Param(self, node: cst.Param) -> None:
        """A parameter binds its own name."""
        self._skip(node.name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """The defined name is no reference."""
        self._skip(node.name)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """The defined name is no reference."""
        self._skip(node.name)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        """`loss(w)` -> `loss(w, X=X)`."""
        func = original_node.func
        if not isinstance(func, cst.Name) or func.value not in self.needs:
            return updated_node
        return updated_node.with_changes(
            args=_with_keywords(updated_node.args, self.needs[func.value])
        )

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        """`clean` handed to other code -> `functools.partial(clean, X=X)`."""
        name = original_node.value
        if id(original_node) in self.not_references or name not in self.needs:
            return updated_node
        partial = cst.Attribute(cst.Name(PARTIAL_MODULE), cst.Name("partial"))
        args = _with_keywords([cst.Arg(updated_node)], self.needs[name])
        return cst.Call(partial, args)


def _with_keywords(args: Sequence[cst.Arg], names: Sequence[str]) -> list[cst.Arg]:
    """The arguments plus `name=name` for each name not passed by keyword already."""
    given = {arg.keyword.value for arg in args if arg.keyword is not None}
    added = [
        cst.Arg(
            cst.Name(name),
            keyword=cst.Name(name),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )
        for name in names
        if name not in given
    ]
    if not added:
        return list(args)
    head = list(args)
    if head and isinstance(head[-1].comma, cst.Comma):  # a trailing comma: keep the layout
        comma = head[-1].comma
        return [*head, *(arg.with_changes(comma=comma) for arg in added)]
    if head:
        head[-1] = head[-1].with_changes(comma=_COMMA)
    return [*head, *(arg.with_changes(comma=_COMMA) for arg in added[:-1]), added[-1]]


_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def pass_globals(node: Stmt, needs: Mapping[str, Sequence[str]]) -> Stmt:
    """`node` with the variables passed to every helper of `needs` (itself if it names none)."""
    if not used_names([node]) & needs.keys():
        return node
    result = node.visit(PassGlobals(needs))
    assert isinstance(result, cst.SimpleStatementLine | cst.BaseCompoundStatement)
    return result


def with_keyword_parameters(function: cst.FunctionDef, names: Sequence[str]) -> cst.FunctionDef:
    """`def f(a)` -> `def f(a, *, X, y)`: the variables the function reads, passed by name."""
    params = function.params
    existing = {p.name.value for p in [*params.params, *params.kwonly_params]}
    added = [cst.Param(cst.Name(name)) for name in names if name not in existing]
    if not added:
        return function
    star = params.star_arg
    if isinstance(star, cst.MaybeSentinel):
        star = cst.ParamStar()
    return function.with_changes(
        params=params.with_changes(star_arg=star, kwonly_params=[*params.kwonly_params, *added])
    )
