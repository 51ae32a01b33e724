"""Analyse a read notebook: roles, data flow, settings, target and task (libcst)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

import libcst as cst

from scaffold.analysis.dataflow import trace
from scaffold.analysis.facts import CellSymbols
from scaffold.analysis.limits import check_cell, nesting_guard
from scaffold.analysis.literals import LiteralUse, literal_gatherer
from scaffold.analysis.results import Analysis, CellAnalysis, Finding, Flow, Setting
from scaffold.analysis.roles import RoleChoice, choose_role, classify_call
from scaffold.analysis.settings import find_settings
from scaffold.analysis.shown import DEMOTED, shows_results
from scaffold.analysis.symbols import cell_and_statement_symbols, cell_wrapper
from scaffold.analysis.task import find_target, find_task
from scaffold.analysis.unroll import unroll_frame_loops
from scaffold.errors import CellSyntaxError
from scaffold.notebook import Cell, Notebook, Role

__all__ = ["Analysis", "CellAnalysis", "Finding", "Flow", "Setting", "analyse", "focus"]

_EMPTY = cst.Module(body=[])

PIPELINE_ROLES = frozenset(
    {Role.CONFIG, Role.LOAD, Role.PREPARE, Role.SPLIT, Role.TRAIN, Role.EVALUATE, Role.PREDICT}
)


def analyse(notebook: Notebook) -> Analysis:
    """Analyse every cell of `notebook`.

    Raises:
        CellSyntaxError: a code cell (not marked `# scaffold: skip`) does not parse.
        CellError: a code cell is beyond what the analysis takes (see `limits`).
    """
    for cell in notebook.code_cells:  # before any libcst: refuse what it cannot take safely
        if cell.directive is not Role.SKIP:
            check_cell(cell)
    modules: dict[int, cst.Module] = {}  # parsed once, by the unrolling
    notebook = unroll_frame_loops(notebook, modules)  # `for d in [train, test]: d[...] = ...`
    parsed: dict[int, tuple[CellSymbols, tuple[LiteralUse, ...]]] = {}
    statements: dict[int, tuple[tuple[str, CellSymbols], ...]] = {}
    for cell in notebook.code_cells:
        if cell.directive is not Role.SKIP:
            with nesting_guard(cell):  # the net under `check_cell`
                module = modules.pop(cell.number) if cell.number in modules else parse_cell(cell)
                wrapper = cell_wrapper(module)
                literals = literal_gatherer()  # in the same walk as the symbols
                codes = [_EMPTY.code_for_node(node) for node in module.body]
                symbols, each = cell_and_statement_symbols(module, wrapper, [literals], codes)
                parsed[cell.number] = (symbols, tuple(literals.found))
                statements[cell.number] = tuple(zip(codes, each, strict=True))
    imports = {
        item.alias: item.target for symbols, _ in parsed.values() for item in symbols.imports
    }
    estimators = {
        name: callee.rsplit(".", 1)[-1]
        for symbols, _ in parsed.values()
        for name, callee in symbols.constructed
    }
    choices = _first_roles(notebook, parsed, imports, estimators)
    flow = trace([(number, symbols) for number, (symbols, _) in parsed.items()])
    choices = _exploration_by_use(choices, flow.flows, notebook)
    cells = tuple(
        CellAnalysis(
            cell,
            choices[cell.number].role,
            choices[cell.number].reason,
            parsed[cell.number][0] if cell.number in parsed else None,
            statements.get(cell.number, ()),
        )
        for cell in notebook.cells
    )
    settings = find_settings(
        (
            (number, choices[number].role, use)
            for number, (_, literals) in parsed.items()
            for use in literals
        ),
        imports,
    )
    pipeline_symbols = [
        symbols for number, (symbols, _) in parsed.items() if choices[number].role in PIPELINE_ROLES
    ]
    return Analysis(
        notebook=notebook,
        cells=cells,
        flows=flow.flows,
        order=flow.order,
        settings=settings,
        imports=imports,
        target=find_target(pipeline_symbols, _constants(settings)),
        task=find_task(pipeline_symbols, imports),
        findings=flow.findings,
    )


def focus(analysis: Analysis, cells: Collection[int]) -> Analysis:
    """The analysis of a pipeline made of `cells` only: their own task and target.

    A notebook of several examples (a regressor, then a classifier on other data) has one task
    per example; the project of one of them must not take another's.
    """
    symbols = [
        cell.symbols
        for cell in analysis.cells
        if cell.number in cells and cell.symbols is not None and cell.role in PIPELINE_ROLES
    ]
    return replace(
        analysis,
        target=find_target(symbols, _constants(analysis.settings)),
        task=find_task(symbols, analysis.imports),
    )


def _constants(settings: tuple[Setting, ...]) -> dict[str, object]:
    """Constant name -> value, for resolving `df[TARGET]`."""
    return {s.context.split(" ", 1)[0]: s.value for s in settings if s.group == "params"}


def parse_cell(cell: Cell) -> cst.Module:
    """Parse a code cell's neutralised code.

    Raises:
        CellSyntaxError: naming the cell, the line and the line's text.
    """
    try:
        return cst.parse_module(cell.code)
    except cst.ParserSyntaxError as exc:
        lines = cell.source.split("\n")
        text = lines[exc.raw_line - 1] if 0 < exc.raw_line <= len(lines) else None
        problem = exc.message.split("\n", 1)[0].rstrip(".")
        raise CellSyntaxError(
            cell.number, f"does not parse ({problem})", line=exc.raw_line, source_line=text
        ) from exc


def _first_roles(
    notebook: Notebook,
    parsed: dict[int, tuple[CellSymbols, tuple[LiteralUse, ...]]],
    imports: dict[str, str],
    estimators: dict[str, str],
) -> dict[int, RoleChoice]:
    choices: dict[int, RoleChoice] = {}
    heading: str | None = None
    for cell in notebook.cells:
        if cell.kind != "code":
            heading = _heading(cell.source) or heading
            choices[cell.number] = RoleChoice(Role.MARKDOWN, "markdown")
        elif cell.directive is not None:
            choices[cell.number] = RoleChoice(cell.directive, "directive or tag")
        else:
            symbols = parsed[cell.number][0]
            choice = choose_role(symbols, imports, estimators, heading)
            if choice.role in DEMOTED and cell.outputs and shows_results(cell, parse_cell(cell)):
                choice = RoleChoice(Role.EVALUATE, "shows a model's results table")
            choices[cell.number] = choice
    return _evaluation_by_helpers(choices, parsed, imports, estimators)


def _evaluation_by_helpers(
    choices: dict[int, RoleChoice],
    parsed: dict[int, tuple[CellSymbols, tuple[LiteralUse, ...]]],
    imports: dict[str, str],
    estimators: dict[str, str],
) -> dict[int, RoleChoice]:
    """A cell that only calls a helper of the notebook that prints a metric evaluates.

    `report("lr", y_test, pred)`, with `def report(name, y, p): print(name, f1_score(y, p))`:
    the helper's calls (a metric, prints, nothing else to show) say what the call does. So
    does a cell that only prints what an evaluating cell computed.
    """
    helpers: set[str] = set()
    for symbols, _ in parsed.values():
        roles = {
            classify_call(call, imports, estimators)
            for call in symbols.calls
            if not call.module_level and call.dotted != "print"
        }
        if symbols.functions and Role.EVALUATE in roles and Role.EXPLORE not in roles:
            helpers |= symbols.functions
    scored: dict[str, int] = {}  # name -> the evaluating cell that made it (< 0: and printed)
    for number, (symbols, _) in parsed.items():
        calls = {c.dotted for c in symbols.calls if c.module_level}
        called = sorted(calls & helpers)
        if choices[number].role is Role.EXPLORE and not symbols.mutates:
            # names a scoring cell printed itself are shown again, for a table of results
            shown = sorted(name for name in symbols.reads & scored.keys() if scored[name] > 0)
            if called:
                choices[number] = RoleChoice(Role.EVALUATE, f"calls {called[0]}(), which scores")
            elif shown and "print" in calls and calls <= PRINTING and not symbols.defines:
                # print(f"Accuracy: {acc}") in a cell of its own, after `acc = accuracy_score(..)`
                cell = scored[shown[0]]
                reason = f"prints {shown[0]}, which cell {cell} scores"
                choices[number] = RoleChoice(Role.EVALUATE, reason)
        if choices[number].role is Role.EVALUATE:
            prints = any(call.dotted == "print" for call in symbols.calls if call.module_level)
            scored |= dict.fromkeys(symbols.defines, -number if prints else number)
    return choices


PRINTING = frozenset({"print", "round", "float", "str"})
"""The calls of a cell that only prints numbers."""


def _heading(markdown: str) -> str | None:
    for line in markdown.split("\n"):
        if line.lstrip().startswith("#"):
            return line.lstrip("# ").strip()
    return None


def _exploration_by_use(
    choices: dict[int, RoleChoice], flows: tuple[Flow, ...], notebook: Notebook
) -> dict[int, RoleChoice]:
    """Correct roles with the data flow.

    An exploration cell whose values a pipeline cell reads is part of the pipeline (leaving it
    out would change the numbers); a prepare cell whose results nothing but exploration reads
    is exploration. A function or class the pipeline uses counts as pipeline: what its body
    reads is needed too. Both walks repeat until no role changes, so chains resolve.
    """
    consumers: dict[int, set[int]] = {}
    for flow in flows:
        consumers.setdefault(flow.producer, set()).add(flow.consumer)
    result = dict(choices)
    heuristic = [cell.number for cell in notebook.code_cells if cell.directive is None]
    changed = True
    while changed:
        changed = False
        needed = _needed_cells(result, consumers)  # definitions the pipeline uses
        for number in reversed(heuristic):
            role = result[number].role
            readers = sorted(consumers.get(number, set()))
            feeds = [
                reader
                for reader in readers
                if result[reader].role in PIPELINE_ROLES or reader in needed
            ]
            if role is Role.EXPLORE and feeds:
                reason = f"{result[number].reason}; but cell {feeds[0]} uses what it binds"
                result[number] = RoleChoice(Role.PREPARE, reason)
                changed = True
            elif role is Role.PREPARE and not feeds:
                why = "only exploration uses" if readers else "no later cell uses"
                result[number] = RoleChoice(Role.EXPLORE, f"{why} what it computes")
                changed = True
    return result


def _needed_cells(choices: dict[int, RoleChoice], consumers: dict[int, set[int]]) -> set[int]:
    """The definitions and imports cells that pipeline cells use, directly or through others."""
    needed = {number for number, choice in choices.items() if choice.role in PIPELINE_ROLES}
    supporting = [
        number
        for number, choice in choices.items()
        if choice.role in (Role.DEFINITIONS, Role.IMPORTS)
    ]
    grown = True
    while grown:
        grown = False
        for number in supporting:
            if number not in needed and consumers.get(number, set()) & needed:
                needed.add(number)
                grown = True
    return needed.intersection(supporting)
