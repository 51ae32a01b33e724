"""Carry transformers fitted after the split into the served model.

`X_train = scaler.fit_transform(X_train)` becomes `X_train = state.transformer("scaler", scaler,
X_train)` and `X_test = scaler.transform(X_test)` becomes `X_test = state.apply("scaler",
X_test)`: the scaler fitted on the training rows is kept, and the service applies it to a
request after the feature step, as the notebook applied it to the test rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from scaffold.extract.statements import Statement, Stmt


@dataclass(frozen=True)
class AfterSplit:
    """The rewritten statements (by position), the transformers in order, the final row names."""

    nodes: dict[int, Stmt]
    steps: tuple[str, ...]
    train_rows: str
    test_rows: str


def transformers_after_split(
    statements: Sequence[Statement], train_rows: str, test_rows: str
) -> AfterSplit | None:
    """Recognise `fit_transform` on the training rows and `transform` on the test rows.

    `statements` are those after the split. Returns None when another statement changes the
    rows (a step that cannot be served faithfully) or when there is no such transformer.
    """
    rewritten: dict[int, Stmt] = {}
    steps: list[str] = []
    for index, statement in enumerate(statements):
        changed = statement.symbols.defines | statement.symbols.mutated_names
        form = _transform_form(statement.node)
        if form is None:
            if changed & {train_rows, test_rows}:
                return None
            continue
        target, transformer, method, rows = form
        if method == "fit_transform" and rows == train_rows and transformer not in steps:
            steps.append(transformer)
            call = f'state.transformer("{transformer}", {transformer}, {rows})'
            train_rows = target
        elif method == "transform" and rows == test_rows and transformer in steps:
            call = f'state.apply("{transformer}", {rows})'
            test_rows = target
        elif changed & {train_rows, test_rows}:
            return None
        else:
            continue
        rewritten[index] = cst.parse_statement(f"{target} = {call}")
    if not steps:
        return None
    return AfterSplit(rewritten, tuple(steps), train_rows, test_rows)


def _transform_form(node: Stmt) -> tuple[str, str, str, str] | None:
    """(target, transformer, method, rows) of `target = transformer.method(rows)`."""
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return None
    assign = node.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return None
    target, value = assign.targets[0].target, assign.value
    if not (isinstance(target, cst.Name) and isinstance(value, cst.Call)):
        return None
    func = value.func
    if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
        return None
    if func.attr.value not in ("fit_transform", "transform") or len(value.args) != 1:
        return None
    rows = value.args[0].value
    if value.args[0].keyword is not None or not isinstance(rows, cst.Name):
        return None
    return target.value, func.value.value, func.attr.value, rows.value
