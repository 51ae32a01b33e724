"""Drop the statements whose results nothing the pipeline returns needs any more."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import libcst as cst

from scaffold.analysis.symbols import Call
from scaffold.extract.call_facts import CallFacts
from scaffold.extract.plan import (
    STAGES,
)
from scaffold.extract.rewrites.dead_targets import (
    unused_targets_as_underscore,
    without_assignment,
    without_dead_targets,
)
from scaffold.extract.stage_code import Stages, editable_stages, frozen_stages
from scaffold.extract.statements import Statement
from scaffold.notebook import Role

PURE_ROLES = frozenset({Role.LOAD, Role.PREDICT, Role.EVALUATE, Role.EXPLORE, Role.PREPARE})
"""Calls of these roles compute values and change nothing else (`fit` is training)."""


NEUTRAL = frozenset(
    {"zip", "enumerate", "range", "len", "sorted", "reversed", "list", "dict", "str", "round"}
)
"""Builtins a plotting loop calls that do not make it part of the pipeline."""


def drop_dead_code(
    laid_out: Stages,
    returned: Collection[str | None],
    helper_statements: Sequence[Statement],
    facts: CallFacts,
) -> Stages:
    """Drop, back to front, statements whose results nothing needs any more.

    `returned`: what the pipeline gives back (the estimator, the frame, the metrics). Two kinds
    go: what only feeds plots (`fig, ax = plt.subplots()`, a plotting loop), and assignments
    made only of known side-effect-free calls (`y_pred = model.predict(X)` for a report that
    was printed and is gone). A call scaffold does not know is kept.
    """
    stages = editable_stages(laid_out)
    needed = {name for name in returned if name}
    helpers = {name for helper in helper_statements for name in helper.symbols.defines}
    aliased = _aliased_names(stages)
    for stage in reversed(STAGES):
        kept: list[Statement] = []
        for statement in reversed(stages[stage]):
            calls = [
                c for c in statement.symbols.calls if c.module_level and c.dotted not in NEUTRAL
            ]
            roles = [facts.role(c) for c in calls]
            binds = statement.symbols.defines | statement.symbols.mutated_names
            unneeded = not binds & needed and statement.kind != "expression"
            only_display = bool(calls) and all(role is Role.EXPLORE for role in roles)
            changed = statement.symbols.mutated_names - statement.symbols.defines
            pure = (
                # a compound statement only when it edits something unneeded (a test frame)
                (statement.kind in ("assign", "literal") or (statement.kind == "other" and changed))
                # an object nothing needs may change (a test frame edited beside the training one)
                and not changed & (needed | aliased)
                and all(
                    role in PURE_ROLES
                    or _numpy_function(call, facts)
                    or (role is None and _method_of_unneeded(call, needed | aliased, facts.imports))
                    for call, role in zip(calls, roles, strict=True)
                )
                and not any(c.dotted in helpers for c in calls)
            )
            if unneeded and (only_display or pure):
                continue
            if statement.kind == "assign" and not statement.symbols.defines & needed:
                # kept for what its call changes (`unused = model.fit()`), not for its name
                value_only = without_assignment(statement)
                if value_only is None and unneeded:
                    continue
                statement = value_only or statement
            statement = without_dead_targets(statement, needed)
            kept.append(unused_targets_as_underscore(statement, needed))
            needed |= statement.symbols.reads | statement.symbols.mutated_names
        stages[stage] = list(reversed(kept))
    return frozen_stages(stages)


def _method_of_unneeded(call: Call, kept: set[str], imports: Mapping[str, str]) -> bool:
    """`test.Name.str.extract(...)`, `frame["a"].map(...)`: a method of a value, not of a module.

    Its only effect is on the object it is called on, which the statement's other checks
    (what it binds and changes) already found nothing needs.
    """
    head, dot, _ = call.dotted.partition(".")
    return bool(dot) and (head == "?" or (head not in kept and head not in imports))


def _aliased_names(stages: dict[str, list[Statement]]) -> set[str]:
    """Names bound to another name's object (`b = a`): changing one changes the other."""
    found: set[str] = set()
    for statement in (s for statements in stages.values() for s in statements):
        node = statement.node
        if isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[0], cst.Assign):
            assign = node.body[0]
            if isinstance(assign.value, cst.Name):
                found.add(assign.value.value)
                found |= {t.target.value for t in assign.targets if isinstance(t.target, cst.Name)}
    return found


PANDAS_CONSTRUCTORS = frozenset(
    {"pandas.DataFrame", "pandas.Series", "pandas.concat", "pandas.Index", "pandas.crosstab"}
)
"""pandas calls that build a new object from their arguments and change nothing."""


def _numpy_function(call: Call, facts: CallFacts) -> bool:
    """`np.arange(...)`, `pd.DataFrame(...)`, `state.statistic(...)`: a new value, no effect."""
    qualified = facts.qualify(call.dotted)
    if qualified in PANDAS_CONSTRUCTORS or qualified.startswith("state."):
        return True  # `state.statistic(...)`: learnt only for the value it gives here
    return qualified.startswith("numpy.") and not qualified.startswith("numpy.random")
