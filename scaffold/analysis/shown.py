"""Cells that show a statistical model's results table evaluate the model.

`res = teff.ipw()` then `res` (or `print(results.summary())` in a cell of its own) shows the
coefficient table a statistician reads as the result: the cell is the evaluation, whatever
else the heuristics would call it (a display only, exploration).
"""

from __future__ import annotations

import libcst as cst

from scaffold.notebook import Cell, Role
from scaffold.reading.tables import tables_in

Stmt = cst.SimpleStatementLine | cst.BaseCompoundStatement

DEMOTED = frozenset({Role.EXPLORE, Role.PREPARE})
"""Roles a cell showing a results table is taken out of."""


def displayed(node: Stmt) -> cst.BaseExpression | None:
    """The one value a statement shows: a bare expression, `print(x)` or `display(x)`."""
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return None
    expr = node.body[0]
    if not isinstance(expr, cst.Expr):
        return None
    value = expr.value
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value in ("print", "display")
    ):
        args = [arg for arg in value.args if arg.keyword is None]
        if len(args) != 1 or args[0].star or len(value.args) != 1:
            return None
        value = args[0].value
    if isinstance(value, cst.BaseString | cst.Integer | cst.Float):
        return None
    return value


def shows_results(cell: Cell, module: cst.Module) -> bool:
    """A top-level statement of the cell shows a value, and its output holds a results table."""
    if not any(displayed(statement) is not None for statement in module.body):
        return False
    return any(table.kind == "results" for table in tables_in(cell.output_text))
