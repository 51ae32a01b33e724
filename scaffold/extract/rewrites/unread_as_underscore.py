"""Outputs of a stage call that nothing after it reads are bound to `_`."""

from __future__ import annotations

import libcst as cst

from scaffold.extract.names import used_names
from scaffold.extract.statements import Stmt


def unread_as_underscore(body: list[Stmt]) -> list[Stmt]:
    """`rng, X, y = load_data()` -> `_, X, y = load_data()` when nothing after reads `rng`."""
    kept: list[Stmt] = []
    for index, node in enumerate(body):
        if isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[0], cst.Assign):
            assign = node.body[0]
            target = assign.targets[0].target
            if len(assign.targets) == 1 and isinstance(target, cst.Tuple):
                later = used_names(body[index + 1 :])
                elements = [
                    element.with_changes(value=cst.Name("_"))
                    if isinstance(element.value, cst.Name) and element.value.value not in later
                    else element
                    for element in target.elements
                ]
                new_target = assign.targets[0].with_changes(
                    target=target.with_changes(elements=elements)
                )
                node = node.with_changes(body=[assign.with_changes(targets=[new_target])])
        kept.append(node)
    return kept
