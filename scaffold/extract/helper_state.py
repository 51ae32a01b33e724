"""A helper the feature step calls that learns from data learns it once, through the state.

`def fill(df): df["age"] = df["age"].fillna(df["age"].median())`, called once while preparing
the data, would compute the median of the request's rows when serving (a row alone has its own
median, or none). Its body gets the same rewrites as the feature step's own statements
(statistics, fitted transformers), a keyword parameter `state`, and its call `state=state`.

Only a helper the feature step calls once (and no other helper calls) is rewritten; its calls
from other stages (on a test frame) learn from their own frame with a fresh state, as the
notebook did.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence

import libcst as cst

from scaffold.extract.rewrites.pass_globals import pass_globals, with_keyword_parameters
from scaffold.extract.rewrites.statistics import learn_statistics
from scaffold.extract.rewrites.transformers import fit_transformers_once
from scaffold.extract.stage_code import Stages, frozen_stages
from scaffold.extract.statements import Statement, Stmt

STATE_KEY = re.compile(r"""state\.\w+\(\s*f?["']([^"'{]+)""")
"""The names generated code already records in the feature state."""


def learn_in_helpers(
    stages: Stages, helpers: Sequence[Statement], modules: Collection[str]
) -> tuple[Stages, tuple[Statement, ...]]:
    """The stages and helpers, each once-called learning helper learning through the state.

    The feature step's call passes `state=state`; a call from another stage (the helper run on
    a test frame) passes a fresh `FeatureState()`, which learns from that frame as the notebook
    did and is then dropped.
    """
    from_prepare = Counter(call.dotted for s in stages["prepare"] for call in s.symbols.calls)
    repeated = {name for s in stages["prepare"] for name in _called_repeatedly(s.node)}
    from_helpers = Counter(call.dotted for s in helpers for call in s.symbols.calls)
    prepare_code = "\n".join(s.code for s in stages["prepare"])
    taken = {"raw_columns", *STATE_KEY.findall(prepare_code)}
    learning: set[str] = set()
    rewritten_helpers = []
    for helper in helpers:
        node = helper.node
        if (
            isinstance(node, cst.FunctionDef)
            and from_prepare[node.name.value] == 1
            and node.name.value not in repeated  # in a loop: one call site, several values
            and not from_helpers[node.name.value]
            and "state" not in {param.name.value for param in _params(node)}
        ):
            learnt = _learnt_body(node, modules, taken)
            if learnt is not None:
                helper = helper.replaced(with_keyword_parameters(learnt, ["state"]))
                learning.add(node.name.value)
        rewritten_helpers.append(helper)
    if not learning:
        return stages, tuple(rewritten_helpers)
    passing = {
        stage: [
            _passing_state(s, learning, "state" if stage == "prepare" else "FeatureState()")
            for s in statements
        ]
        for stage, statements in stages.items()
    }
    return frozen_stages(passing), tuple(rewritten_helpers)


def _passing_state(statement: Statement, helpers: set[str], value: str) -> Statement:
    if not any(call.dotted in helpers for call in statement.symbols.calls):
        return statement
    if value == "state":
        return statement.replaced(
            pass_globals(statement.node, {name: ["state"] for name in helpers})
        )
    node = statement.node.visit(_WithFreshState(helpers))
    assert isinstance(node, Stmt)
    return statement.replaced(node)


class _WithFreshState(cst.CSTTransformer):
    """`fill(test)` -> `fill(test, state=FeatureState())`: learns from its frame, kept nowhere."""

    def __init__(self, helpers: set[str]) -> None:
        super().__init__()
        self.helpers = helpers

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        if not isinstance(func, cst.Name) or func.value not in self.helpers:
            return updated_node
        fresh = cst.Arg(
            cst.Call(cst.Name("FeatureState")),
            keyword=cst.Name("state"),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )
        args = [arg.with_changes(comma=cst.MaybeSentinel.DEFAULT) for arg in updated_node.args]
        return updated_node.with_changes(args=[*args, fresh])


def _learnt_body(
    function: cst.FunctionDef, modules: Collection[str], taken: set[str]
) -> cst.FunctionDef | None:
    """`function` with what its body learns from data recorded, or None if it learns nothing."""
    if not isinstance(function.body, cst.IndentedBlock):
        return None
    body = []
    changed = False
    for statement in function.body.body:
        if not isinstance(statement, Stmt):
            return None
        node = fit_transformers_once(statement, taken)
        node, _ = learn_statistics(node, modules, taken)
        changed = changed or _code(node) != _code(statement)
        body.append(node)
    if not changed:
        return None
    return function.with_changes(body=function.body.with_changes(body=body))


def _params(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def _called_repeatedly(node: cst.CSTNode) -> set[str]:
    """Names of the functions `node` calls inside a loop, comprehension or lambda."""
    finder = _RepeatedCalls()
    node.visit(finder)
    return finder.names


class _RepeatedCalls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.depth = 0
        self.names: set[str] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, REPEATING):
            self.depth += 1
        if self.depth and isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
            self.names.add(node.func.value)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, REPEATING):
            self.depth -= 1


REPEATING = (
    cst.For,
    cst.While,
    cst.Lambda,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
)
"""Nodes whose body runs any number of times."""


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)
