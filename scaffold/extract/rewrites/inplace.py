"""Rewrite pandas' in-place calls as assignments.

`df.drop(columns=c, inplace=True)` becomes `df = df.drop(columns=c)`.

The result is the same frame, but the data flow is visible (the statement binds `df`), the code
runs on pandas versions that deprecate `inplace`, and a chained `df["a"].fillna(v, inplace=True)`
becomes `df["a"] = df["a"].fillna(v)`, which is what the notebook meant.
"""

from __future__ import annotations

import libcst as cst

from scaffold.analysis.symbols import has_inplace_true
from scaffold.extract.statements import Stmt


class InplaceToAssignment(cst.CSTTransformer):
    """Turn an expression statement `TARGET.method(..., inplace=True)` into an assignment."""

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        body = [_rewrite(small) for small in updated_node.body]
        return updated_node.with_changes(body=body)


def _rewrite(small: cst.BaseSmallStatement) -> cst.BaseSmallStatement:
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return small
    call = small.value
    if not isinstance(call.func, cst.Attribute) or not _is_assignable(call.func.value):
        return small
    if not has_inplace_true(call):
        return small
    args = [arg for arg in call.args if not (arg.keyword and arg.keyword.value == "inplace")]
    if args:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    target = call.func.value
    assert isinstance(target, cst.Name | cst.Subscript | cst.Attribute)
    return cst.Assign(
        targets=[cst.AssignTarget(target=target.deep_clone())],  # one node, one place
        value=call.with_changes(args=args),
    )


def _is_assignable(node: cst.BaseExpression) -> bool:
    """A name, or a column of one (`df`, `df["a"]`, `df.a`): something that can be rebound."""
    if isinstance(node, cst.Name):
        return True
    if isinstance(node, cst.Subscript | cst.Attribute):
        return _is_assignable(node.value)
    return False


def inplace_to_assignment(node: Stmt) -> Stmt:
    """`node` with its `inplace=True` calls turned into assignments."""
    result = node.visit(InplaceToAssignment())
    assert isinstance(result, Stmt)
    return result


def is_chained_inplace(node: Stmt) -> bool:
    """`df["a"].fillna(v, inplace=True)`: an in-place call on a column taken from a frame.

    Under pandas' copy-on-write (the default from pandas 3) such a call changes a temporary
    copy and leaves the frame as it was.
    """
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return False
    small = node.body[0]
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return False
    call = small.value
    return (
        isinstance(call.func, cst.Attribute)
        and isinstance(call.func.value, cst.Subscript | cst.Attribute)
        and has_inplace_true(call)
    )
