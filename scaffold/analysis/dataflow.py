"""Where each cell's reads come from, and an order of cells that respects it (graphlib)."""

from __future__ import annotations

import builtins
import graphlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from scaffold.analysis.facts import CellSymbols
from scaffold.analysis.results import Finding, Flow

IPYTHON_NAMES = frozenset({"display", "get_ipython", "In", "Out", "_", "__", "___", "exit", "quit"})
KNOWN_NAMES = frozenset(dir(builtins)) | IPYTHON_NAMES | {"__file__", "__name__"}


@dataclass(frozen=True)
class DataFlow:
    """The flows between cells, a valid order of the cells, and what looked wrong."""

    flows: tuple[Flow, ...]
    order: tuple[int, ...]
    findings: tuple[Finding, ...]


def trace(cells: Sequence[tuple[int, CellSymbols]]) -> DataFlow:
    """Link every read to the last earlier cell that bound or changed the name.

    `cells` are (cell number, symbols) of the code cells that take part, in notebook order.
    """
    last_writer: dict[str, int] = {}
    readers_since_write: dict[str, list[int]] = defaultdict(list)
    flows: list[Flow] = []
    findings: list[Finding] = []
    graph: dict[int, set[int]] = {number: set() for number, _ in cells}
    later_definitions = _definers(cells)
    for number, symbols in cells:
        for name in sorted(symbols.reads):
            producer = last_writer.get(name)
            if producer is not None:
                flows.append(Flow(producer, number, name))
                graph[number].add(producer)
                readers_since_write[name].append(number)
            elif name not in KNOWN_NAMES:
                later = [cell for cell in later_definitions.get(name, ()) if cell > number]
                problem = (
                    f"reads '{name}' before it is defined (cell {later[0]} defines it): "
                    "the notebook only ran in another order"
                    if later
                    else f"reads '{name}', which no cell defines"
                )
                findings.append(Finding(problem, cell=number))
        for name in symbols.defines | symbols.mutated_names:
            # A cell that changes a value must run after every cell that read the old value.
            graph[number].update(reader for reader in readers_since_write[name] if reader != number)
            readers_since_write[name] = []
            last_writer[name] = number
        for name in symbols.deletes:
            last_writer.pop(name, None)
    findings.extend(_redefinitions(cells))
    findings.extend(_unused(cells, flows))
    return DataFlow(tuple(flows), _order(graph), tuple(findings))


def _definers(cells: Sequence[tuple[int, CellSymbols]]) -> dict[str, list[int]]:
    definers: dict[str, list[int]] = defaultdict(list)
    for number, symbols in cells:
        for name in symbols.defines:
            definers[name].append(number)
    return definers


def _order(graph: dict[int, set[int]]) -> tuple[int, ...]:
    """A topological order of the cells; among ready cells the notebook's order wins."""
    sorter = graphlib.TopologicalSorter(graph)
    sorter.prepare()
    order: list[int] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return tuple(order)


def _redefinitions(cells: Sequence[tuple[int, CellSymbols]]) -> list[Finding]:
    findings = []
    for name, numbers in sorted(_definers(cells).items()):
        if len(numbers) > 1 and not name.startswith("_"):
            where = ", ".join(str(number) for number in numbers)
            findings.append(Finding(f"'{name}' is bound in cells {where}", cell=numbers[-1]))
    return findings


def _unused(cells: Sequence[tuple[int, CellSymbols]], flows: Sequence[Flow]) -> list[Finding]:
    used = {(flow.producer, flow.name) for flow in flows}
    findings = []
    for number, symbols in cells:
        imported = {item.alias for item in symbols.imports}
        unused = sorted(
            name
            for name in symbols.defines - imported - symbols.functions - symbols.classes
            if (number, name) not in used and not name.startswith("_")
        )
        if unused:
            findings.append(Finding("binds, and no later cell reads: " + ", ".join(unused), number))
    return findings
