"""Names nothing reads leave an assignment: the call stays, the dead names go."""

from __future__ import annotations

import libcst as cst

from scaffold.extract.statements import Statement


def without_assignment(statement: Statement) -> Statement | None:
    """`unused = fit_something()` -> `fit_something()`: the call may matter, the name does not.

    What the call's result is then looked into (`.fittedvalues`, `[:, None]`) goes too; with no
    call left, nothing is (None).
    """
    node = statement.node
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return statement
    assign = node.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return statement
    target = assign.targets[0].target
    names = target.elements if isinstance(target, cst.Tuple) else [cst.Element(target)]
    if not all(isinstance(element.value, cst.Name) for element in names):
        return statement
    value = assign.value
    while isinstance(value, cst.Attribute | cst.Subscript):
        value = value.value
    if not isinstance(value, cst.Call):
        return None
    return statement.replaced(node.with_changes(body=[cst.Expr(value)]))


def without_dead_targets(statement: Statement, needed: set[str]) -> Statement:
    """`a[0] = unused = f()` -> `a[0] = f()`: a chained assignment loses its dead names."""
    node = statement.node
    if not isinstance(node, cst.SimpleStatementLine) or not isinstance(node.body[0], cst.Assign):
        return statement
    assign = node.body[0]
    targets = [
        target
        for target in assign.targets
        if not isinstance(target.target, cst.Name) or target.target.value in needed
    ]
    if len(targets) == len(assign.targets) or not targets:
        return statement
    return statement.replaced(node.with_changes(body=[assign.with_changes(targets=targets)]))


def unused_targets_as_underscore(statement: Statement, needed: set[str]) -> Statement:
    """`a, unused = f()` -> `a, _ = f()`: the unpacking stays, the dead name goes."""
    node = statement.node
    if not isinstance(node, cst.SimpleStatementLine) or not isinstance(node.body[0], cst.Assign):
        return statement
    assign = node.body[0]
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Tuple):
        return statement
    target = assign.targets[0].target
    reads = statement.symbols.reads
    elements = [
        element.with_changes(value=cst.Name("_"))
        if isinstance(element.value, cst.Name)
        and element.value.value not in needed | reads
        and element.value.value != "_"
        else element
        for element in target.elements
    ]
    if all(isinstance(e.value, cst.Name) and e.value.value == "_" for e in elements):
        return statement
    new_target = assign.targets[0].with_changes(target=target.with_changes(elements=elements))
    new_node = node.with_changes(body=[assign.with_changes(targets=[new_target]), *node.body[1:]])
    return statement.replaced(new_node) if new_node is not node else statement
