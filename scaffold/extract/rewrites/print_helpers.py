"""See through a print helper the notebook defined: `report("lr", y_test, pred)`.

`def report(name, y, p): print(name, accuracy_score(y, p))` prints a metric and returns None.
A call of it prints what `print("lr", accuracy_score(y_test, pred))` would: the helper's prints
with its parameters replaced by the call's arguments (and its local names by their values), so
the metrics it prints are found as if the notebook had printed them itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

import libcst as cst

from scaffold.cst_search import is_call_of
from scaffold.extract.statements import Stmt

_SIMPLE = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.BaseString, cst.Integer, cst.Float)
"""Expressions that need no parentheses where a name stood."""


def print_helpers(definitions: Iterable[Stmt]) -> dict[str, cst.FunctionDef]:
    """The functions among `definitions` that only compute locals and print, returning None."""
    return {
        node.name.value: node
        for node in definitions
        if isinstance(node, cst.FunctionDef) and _only_prints(node)
    }


def _only_prints(function: cst.FunctionDef) -> bool:
    parameters = function.params
    if isinstance(parameters.star_arg, cst.Param) or parameters.star_kwarg:
        return False  # `*args`, `**kwargs`; a bare `*` (keyword-only parameters after it) is fine
    if function.decorators or not isinstance(function.body, cst.IndentedBlock):
        return False
    prints = 0
    for statement in function.body.body:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return False
        small = statement.body[0]
        if isinstance(small, cst.Expr) and is_call_of(small.value, "print"):
            prints += 1
        elif (isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)) or (
            isinstance(small, cst.Return) and small.value is None
        ):
            continue  # a docstring, a bare return
        elif not (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
        ):
            return False  # any other effect (`results.append(...)`) must stay in the pipeline
    return prints > 0


def inlined_prints(statement: Stmt, helpers: Mapping[str, cst.FunctionDef]) -> list[Stmt]:
    """The prints a call of a print helper makes, written with the call's own arguments."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return []
    expression = statement.body[0]
    if not isinstance(expression, cst.Expr) or not isinstance(expression.value, cst.Call):
        return []
    call = expression.value
    if not isinstance(call.func, cst.Name):
        return []
    function = helpers.get(call.func.value)
    if function is None:
        return []
    values = _bound_arguments(function, call)
    if values is None:
        return []
    assert isinstance(function.body, cst.IndentedBlock)
    prints: list[Stmt] = []
    for line in function.body.body:
        assert isinstance(line, cst.SimpleStatementLine)
        small = line.body[0]
        if isinstance(small, cst.Assign):
            target = small.targets[0].target
            assert isinstance(target, cst.Name)
            values[target.value] = _substituted(small.value, values)
        elif isinstance(small, cst.Expr) and is_call_of(small.value, "print"):
            printed = _substituted(small, values)
            prints.append(cst.SimpleStatementLine([printed]))
    return prints


def _bound_arguments(
    function: cst.FunctionDef, call: cst.Call
) -> dict[str, cst.BaseExpression] | None:
    """Parameter -> the expression the call passes (or its default); None if unclear."""
    parameters = [*function.params.posonly_params, *function.params.params]
    keyword_only = list(function.params.kwonly_params)
    values: dict[str, cst.BaseExpression] = {}
    positional = [arg for arg in call.args if arg.keyword is None]
    if any(arg.star for arg in call.args) or len(positional) > len(parameters):
        return None
    for parameter, arg in zip(parameters, positional, strict=False):
        values[parameter.name.value] = arg.value
    for arg in call.args:
        if arg.keyword is not None:
            values[arg.keyword.value] = arg.value
    for parameter in [*parameters, *keyword_only]:
        if parameter.name.value not in values:
            if parameter.default is None:
                return None
            values[parameter.name.value] = parameter.default
    return values


Node = TypeVar("Node", bound=cst.CSTNode)


def _substituted(node: Node, values: Mapping[str, cst.BaseExpression]) -> Node:
    """`node` with each name in `values` replaced by its expression (parenthesised if needed)."""
    result = node.visit(_Substitute(values))
    assert isinstance(result, type(node))
    return result


class _Substitute(cst.CSTTransformer):
    def __init__(self, values: Mapping[str, cst.BaseExpression]) -> None:
        super().__init__()
        self.values = values

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        value = self.values.get(original_node.value)
        if value is None:
            return updated_node
        if isinstance(value, _SIMPLE) or value.lpar:
            return value
        return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        return updated_node.with_changes(attr=original_node.attr)  # `.name` is no variable

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(keyword=original_node.keyword)  # nor is `name=`
