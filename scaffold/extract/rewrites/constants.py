"""Add the intercept column to every frame, a single row included.

`sm.add_constant(X)` skips frames that already hold a constant column, and a single row holds
only constant columns: a served row would reach the model without its intercept. In the feature
step the call becomes `sm.add_constant(X, has_constant="add")`, which is what it did to the
training rows (unless they had a constant column of their own: then the notebook's numbers and
the reproduction test tell the difference).
"""

from __future__ import annotations

import libcst as cst

from scaffold.extract.statements import Stmt


class AlwaysAddConstant(cst.CSTTransformer):
    """`add_constant(X)` -> `add_constant(X, has_constant="add")`."""

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        keywords = {arg.keyword.value for arg in updated_node.args if arg.keyword is not None}
        if name != "add_constant" or not updated_node.args or "has_constant" in keywords:
            return updated_node
        always = cst.Arg(
            keyword=cst.Name("has_constant"),
            value=cst.SimpleString('"add"'),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            ),
        )
        last = updated_node.args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(args=[*updated_node.args[:-1], last, always])


def always_add_constant(node: Stmt) -> Stmt:
    """`node` with every `add_constant` call adding the intercept, whatever the rows."""
    return node.visit(AlwaysAddConstant())  # type: ignore[return-value]
