"""The model's inputs as a function of the prepared frame: a backward slice of the split."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from scaffold.analysis.roles import SPLIT_FUNCTIONS
from scaffold.extract.functions import Signature, call_statement
from scaffold.extract.statements import Statement, Stmt

if TYPE_CHECKING:
    from scaffold.extract.stage_code import StageCode


def split_with_model_inputs(
    code: StageCode, split_node: cst.FunctionDef
) -> tuple[list[Statement], cst.FunctionDef]:
    """The split's statements that make the features, and the split calling `model_inputs`."""
    from scaffold.extract.statements import statement_of

    features = code.features or "X"
    body = [node for node in split_node.body.body if isinstance(node, Stmt)]
    statements = [statement_of(0, 0, node) for node in body]
    split_at = next(
        (
            i
            for i, s in enumerate(statements)
            if any(c.method in SPLIT_FUNCTIONS for c in s.symbols.calls)
        ),
        len(statements),
    )
    # Backward slice: the statements before the split that the features depend on.
    needed, chosen = {features}, set()
    for index in range(split_at - 1, -1, -1):
        symbols = statements[index].symbols
        if (symbols.defines | symbols.mutated_names) & needed:
            chosen.add(index)
            needed |= symbols.reads - {code.frame or ""}
    if not chosen:
        return [], split_node
    # A chosen statement that also makes something else the split needs (`X, y = ...`) stays.
    others = set().union(*(s.symbols.reads for i, s in enumerate(statements) if i not in chosen))
    keep = {
        i
        for i in chosen
        if (statements[i].symbols.defines | statements[i].symbols.mutated_names) - {features}
        & others
    }
    frame = code.frame
    assert frame is not None  # a frame pipeline's split
    call = call_statement(Signature("model_inputs", (frame,), (features,)), [frame])
    removed = chosen - keep
    at = min(removed) if removed else split_at  # where the features were made
    kept: list[Stmt] = []
    for index, node in enumerate(body):
        if index == at:
            kept.append(call)
        if index not in removed:
            kept.append(node)
    new_split = split_node.with_changes(body=split_node.body.with_changes(body=kept))
    return [statements[index] for index in sorted(chosen)], new_split
