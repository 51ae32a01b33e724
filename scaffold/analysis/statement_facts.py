"""Facts read off one node without scopes: kinds of statements, literals, callees, columns."""

from __future__ import annotations

import libcst as cst


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def root_name(node: cst.BaseExpression) -> str | None:
    """The name whose object `a.b[c].d` refers into; None through a call (a new object)."""
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute | cst.Subscript):
            node = node.value
        else:
            return None


def has_inplace_true(node: cst.Call) -> bool:
    """Whether the call passes `inplace=True`."""
    return any(
        arg.keyword is not None
        and arg.keyword.value == "inplace"
        and isinstance(arg.value, cst.Name)
        and arg.value.value == "True"
        for arg in node.args
    )


def statement_kind(statement: cst.BaseStatement) -> str:
    """Classify a module-level statement for role detection."""
    if isinstance(statement, cst.FunctionDef):
        return "def"
    if isinstance(statement, cst.ClassDef):
        return "class"
    if not isinstance(statement, cst.SimpleStatementLine):
        return "other"
    kinds = {_small_kind(small) for small in statement.body}
    return kinds.pop() if len(kinds) == 1 else "other"


def _small_kind(small: cst.BaseSmallStatement) -> str:
    if isinstance(small, cst.Import | cst.ImportFrom):
        return "import"
    if isinstance(small, cst.Expr):
        return "docstring" if isinstance(small.value, cst.SimpleString) else "expression"
    if isinstance(small, cst.Assign | cst.AnnAssign) and small.value is not None:
        return "literal" if is_literal(small.value) else "assign"
    if isinstance(small, cst.Pass):
        return "docstring"
    return "other"


def is_literal(node: cst.BaseExpression) -> bool:
    """A number, string, bool, None, or a list/tuple/set/dict of literals."""
    if isinstance(node, cst.Integer | cst.Float | cst.SimpleString | cst.ConcatenatedString):
        return True
    if isinstance(node, cst.Name):
        return node.value in {"True", "False", "None"}
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return isinstance(node.expression, cst.Integer | cst.Float)
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        return all(is_literal(element.value) for element in node.elements)
    if isinstance(node, cst.Dict):
        return all(
            isinstance(element, cst.DictElement)
            and is_literal(element.key)
            and is_literal(element.value)
            for element in node.elements
        )
    return False


def subscript_column(node: cst.BaseExpression) -> str | None:
    """`"age"` for `frame["age"]`; None for anything else."""
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            column = index.value.evaluated_value
            return column if isinstance(column, str) else None
    return None


def constructed(statements: list[cst.BaseStatement]) -> list[tuple[str, str]]:
    """`name = Callee(...)` bindings of `statements`: name -> callee as written."""
    found = []
    for name, value in _assignments(statements):
        call = value
        # `model = Estimator(...).fit(X, y)` constructs too.
        while isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
            if not isinstance(call.func.value, cst.Call):
                break
            call = call.func.value
        if isinstance(call, cst.Call):
            callee = dotted_name(call.func)
            if callee and callee.rsplit(".", 1)[-1][:1].isupper():
                found.append((name, callee))
    return found


def column_picks(statements: list[cst.BaseStatement]) -> list[tuple[str, str]]:
    """`name = frame["column"]` (`frame[NAME]`, `frame.pop("column")`) bindings: name -> column."""
    found = []
    for name, value in _assignments(statements):
        column = _picked_column(value)
        if column is not None:
            found.append((name, column))
    return found


def _assignments(statements: list[cst.BaseStatement]) -> list[tuple[str, cst.BaseExpression]]:
    """Module-level `name = value` bindings with a single name target."""
    found = []
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Name):
                    found.append((target.value, small.value))
    return found


def _picked_column(value: cst.BaseExpression) -> str | None:
    """The column `value` takes: `"age"` for `df["age"]`, `"$TARGET"` for `df[TARGET]`."""
    column = subscript_column(value)
    if column is not None:
        return column
    if isinstance(value, cst.Subscript) and len(value.slice) == 1:
        index = value.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.Name):
            return "$" + index.value.value
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "pop"
        and len(value.args) == 1
    ):
        arg = value.args[0].value
        if isinstance(arg, cst.SimpleString) and isinstance(arg.evaluated_value, str):
            return arg.evaluated_value
    return None
