"""Whether cross-validation written before training can move to the evaluation."""

from __future__ import annotations

from collections.abc import Sequence

from scaffold.extract.statements import Statement


def moves_safely(
    body: Sequence[tuple[int, Statement]], deferred: Sequence[tuple[int, int, Statement]]
) -> bool:
    """Each deferred statement sees the same values at the end of the pipeline.

    A deferred statement at position `p` of the body moves when the statements from `p` on do
    not rebind what it reads, nor read or rebind what it binds. A name bound before `p` and read
    there (`rf = RandomForestRegressor()` then `cross_validate(rf, ...)`) keeps its value.
    """
    for position, _, statement in deferred:
        after = [later for _, later in body[position:]]
        # fitting the model later does not change cross-validation, which fits clones of it
        rebound = set().union(
            *(
                s.symbols.defines | {c.name for c in s.symbols.mutates if c.how != ".fit()"}
                for s in after
            )
        )
        read_later = set().union(*(s.symbols.reads for s in after))
        if statement.symbols.reads & rebound or statement.symbols.defines & (rebound | read_later):
            return False
    return True
