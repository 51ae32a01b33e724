"""Functions of the notebook that read its variables (`def loss(w): return (X @ w - y) ...`).

The generated modules have no notebook namespace, so each such function gets the variables it
reads (directly, or through another function of the notebook it calls) as keyword parameters,
and every call in the pipeline passes them: the function sees each value as it is at the call,
as in the notebook. A function that nothing in the pipeline uses is left out with the
exploration; one that cannot be carried over is refused only when the pipeline uses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import libcst as cst

from scaffold.errors import ExtractionError
from scaffold.extract.functions import in_order_of_appearance
from scaffold.extract.names import names_in
from scaffold.extract.rewrites.pass_globals import (
    PARTIAL_MODULE,
    pass_globals,
    with_keyword_parameters,
)
from scaffold.extract.rewrites.settings_names import replace_names
from scaffold.extract.statements import Statement, statement_of

ONLY_EXPLORATION = (
    "its function reads notebook variables and only code left out (exploration, shown values) "
    "uses it"
)


@dataclass(frozen=True)
class HelperGlobals:
    """What the notebook's functions and classes read from the notebook.

    Attributes:
        needs: function name -> the variables it reads, in first-read order (with those of the
            functions it calls).
        problems: function or class name -> (cell, line, why it cannot be carried over).
    """

    needs: Mapping[str, tuple[str, ...]]
    problems: Mapping[str, tuple[int, int, str]]


def helper_globals(helpers: Sequence[Statement], module_names: set[str]) -> HelperGlobals:
    """The variables each helper reads, and the helpers that cannot be carried over."""
    problems: dict[str, tuple[int, int, str]] = {}
    passed: dict[str, tuple[str, ...]] = {}
    functions = {_name(h): h for h in helpers if isinstance(h.node, cst.FunctionDef)}
    direct: dict[str, list[str]] = {}
    for helper in helpers:
        name, symbols = _name(helper), helper.symbols
        outside = in_order_of_appearance(symbols.reads - module_names, helper.code)
        if symbols.global_statements:
            problems[name] = (
                helper.cell,
                _global_line(helper),
                f"'{name}' changes a notebook variable with 'global'; the generated modules "
                "have no notebook variables to change: return the value instead",
            )
        elif outside and isinstance(helper.node, cst.ClassDef):
            problems[name] = (
                helper.cell,
                helper.line,
                f"the class '{name}' reads the notebook variable '{outside[0]}', and the code "
                "calling its methods cannot pass it: give it to the constructor",
            )
        elif early := [n for n in outside if n not in symbols.deferred_reads]:
            problems[name] = (
                helper.cell,
                helper.line,
                f"'{name}' reads the notebook variable '{early[0]}' when it is defined (a "
                "default value or decorator), before the pipeline has it: pass it when calling",
            )
        elif name in functions:
            direct[name] = outside
    needs = {name: list(names) for name, names in direct.items()}
    calls = {
        name: sorted(names_in([functions[name].node]).names & direct.keys() - {name})
        for name in direct
    }
    changed = True
    while changed:  # what a called function reads, its caller must have too
        changed = False
        for name, callees in calls.items():
            for callee in callees:
                for variable in needs[callee]:
                    if variable not in needs[name]:
                        needs[name].append(variable)
                        changed = True
    for name, variables in needs.items():
        helper = functions[name]
        own = names_in([helper.node]).names - helper.symbols.reads
        shadowed = [v for v in variables if v in own]
        if shadowed:
            problems[name] = (
                helper.cell,
                helper.line,
                f"'{name}' has its own '{shadowed[0]}' and calls a function that reads the "
                f"notebook variable '{shadowed[0]}': rename one of them",
            )
        elif variables:
            passed[name] = tuple(variables)
    changed = True
    while changed:  # a caller of a function that cannot be carried over cannot be either
        changed = False
        for name, callees in calls.items():
            troubled = sorted(set(callees) & problems.keys())
            if name not in problems and troubled:
                problems[name] = problems[troubled[0]]
                passed.pop(name, None)
                changed = True
    return HelperGlobals(MappingProxyType(passed), MappingProxyType(problems))


def with_globals_passed(
    statement: Statement, found: HelperGlobals, constants: Mapping[str, str]
) -> Statement:
    """The statement with the variables passed to each helper it calls.

    A variable that became a setting is passed as its setting (`N=settings.params.n`).
    """
    node = pass_globals(statement.node, found.needs)
    if node is statement.node:
        return statement
    return statement.replaced(replace_names(node, constants))


@dataclass(frozen=True)
class SettledHelpers:
    """The helpers the project keeps, rewritten, and the cells of those left out.

    Attributes:
        helpers: the kept helper statements (functions with their keyword parameters).
        left_out: cell -> why its helper is not in the project.
    """

    helpers: tuple[Statement, ...]
    left_out: Mapping[int, str]


def settle_helpers(
    helpers: Sequence[Statement], found: HelperGlobals, used: set[str]
) -> SettledHelpers:
    """Keep what the pipeline (`used`: the names its code mentions) needs, rewritten.

    Raises:
        ExtractionError: the pipeline uses a helper that cannot be carried over.
    """
    by_name = {_name(h): h for h in helpers}
    needed = set(used) & by_name.keys()
    pending = list(needed)
    while pending:  # and what the functions it uses use
        mentioned = names_in([by_name[pending.pop()].node]).names & by_name.keys()
        pending += sorted(mentioned - needed)
        needed |= mentioned
    kept: list[Statement] = []
    left_out: dict[int, str] = {}
    for helper in helpers:
        name = _name(helper)
        troubled = name in found.problems or name in found.needs
        if troubled and name not in needed:
            left_out[helper.cell] = ONLY_EXPLORATION
            continue
        if name in found.problems:
            cell, line, reason = found.problems[name]
            raise ExtractionError(cell, reason, line=line)
        node = pass_globals(helper.node, found.needs)
        if isinstance(node, cst.FunctionDef) and name in found.needs:
            node = with_keyword_parameters(node, found.needs[name])
        kept.append(helper if node is helper.node else helper.replaced(node))
    return SettledHelpers(tuple(kept), MappingProxyType(left_out))


def partial_import(cell: int) -> Statement:
    """`import functools`, for helpers handed on with `functools.partial`.

    Modules import it only where they use it, as with the notebook's imports.
    """
    return statement_of(cell, 1, cst.parse_statement(f"import {PARTIAL_MODULE}"))


def _global_line(helper: Statement) -> int:
    """The cell line of the helper's first `global` statement."""
    comments = len(helper.node.leading_lines)  # part of the statement's own module
    return helper.line + helper.symbols.global_statements[0] - 1 - comments


def _name(helper: Statement) -> str:
    node = helper.node
    if isinstance(node, cst.FunctionDef | cst.ClassDef):
        return node.name.value
    return next(iter(sorted(helper.symbols.defines)), "")
