"""Present an `Analysis` for people (a text plan) and for tools (JSON-ready data)."""

from __future__ import annotations

import textwrap
from typing import Any

from scaffold.analysis import Analysis, CellAnalysis
from scaffold.api import ScaffoldResult
from scaffold.notebook import Role
from scaffold.reproduction import PrintedMetric

_COLUMNS = ("cell", "role", "defines", "reads", "mutates", "why")
_WIDTHS = (4, 11, 22, 22, 14, 40)


def analysis_as_data(analysis: Analysis) -> dict[str, Any]:
    """The plan as plain data (what `scaffold inspect --json` prints)."""
    return {
        "notebook": str(analysis.notebook.path),
        "task": analysis.task,
        "target": analysis.target,
        "requirements": list(analysis.notebook.requirements),
        "cells": [_cell_data(cell) for cell in analysis.cells],
        "flows": [
            {"from": flow.producer, "to": flow.consumer, "name": flow.name}
            for flow in analysis.flows
        ],
        "order": list(analysis.order),
        "settings": [
            {
                "key": setting.key,
                "value": setting.value,
                "kind": setting.kind,
                "cell": setting.cell,
                "line": setting.line,
                "context": setting.context,
            }
            for setting in analysis.settings
        ],
        "warnings": [str(finding) for finding in analysis.findings],
    }


def _cell_data(cell: CellAnalysis) -> dict[str, Any]:
    data: dict[str, Any] = {
        "cell": cell.number,
        "kind": cell.cell.kind,
        "role": cell.role.value,
        "why": cell.reason,
        "tags": list(cell.cell.tags),
    }
    if cell.symbols is not None:
        data |= {
            "defines": sorted(cell.symbols.defines),
            "reads": sorted(cell.symbols.reads),
            "mutates": [
                {"name": m.name, "line": m.line, "how": m.how} for m in cell.symbols.mutates
            ],
            "functions": sorted(cell.symbols.functions),
            "classes": sorted(cell.symbols.classes),
            "imports": [item.target for item in cell.symbols.imports],
        }
    if cell.cell.magics:
        data["ipython"] = [
            {"line": magic.line, "kind": magic.kind, "text": magic.original}
            for magic in cell.cell.magics
        ]
    return data


def analysis_as_text(analysis: Analysis) -> str:
    """The plan as a table of cells followed by flows, settings, requirements and warnings."""
    lines = [
        f"{analysis.notebook.path}: {len(analysis.notebook.cells)} cells, task "
        f"{analysis.task}, target {analysis.target or 'not found'}",
        "",
        _row(_COLUMNS),
        _row(tuple("-" * width for width in _WIDTHS)),
    ]
    for cell in analysis.cells:
        if cell.role is Role.MARKDOWN:
            continue
        symbols = cell.symbols
        lines.append(
            _row(
                (
                    str(cell.number),
                    cell.role.value,
                    _names(symbols.defines if symbols else ()),
                    _names(symbols.reads if symbols else ()),
                    _names(symbols.mutated_names if symbols else ()),
                    cell.reason,
                )
            )
        )
    lines += ["", "Data flow (cell -> cell: names):"]
    edges: dict[tuple[int, int], list[str]] = {}
    for flow in analysis.flows:
        edges.setdefault((flow.producer, flow.consumer), []).append(flow.name)
    lines += [f"  {a:>3} -> {b:<3} {', '.join(names)}" for (a, b), names in edges.items()]
    lines += ["", "Settings (config/params.yaml):"]
    lines += [
        f"  {s.key} = {s.source}  ({s.kind}; cell {s.cell}, line {s.line}: {s.context})"
        for s in analysis.settings
    ] or ["  none found"]
    requirements = ", ".join(analysis.notebook.requirements) or "none"
    lines += ["", f"Requirements from !pip/%pip lines: {requirements}"]
    if analysis.findings:
        lines += ["", "Warnings:"] + [f"  {finding}" for finding in analysis.findings]
    return "\n".join(lines)


def _names(names: Any) -> str:
    shown = sorted(names)
    text = ", ".join(shown)
    return text if len(text) <= 22 else textwrap.shorten(text, 22, placeholder="...")


def _row(values: tuple[str, ...]) -> str:
    return "  ".join(
        value.ljust(width) if index < len(values) - 1 else value
        for index, (value, width) in enumerate(zip(values, _WIDTHS, strict=True))
    ).rstrip()


def summary_lines(result: ScaffoldResult) -> list[str]:
    """What `scaffold NOTEBOOK` tells the user at the end."""
    analysis, extraction = result.analysis, result.extraction
    roles: dict[str, list[int]] = {}
    for cell in analysis.cells:
        if cell.cell.kind == "code":
            roles.setdefault(cell.role.value, []).append(cell.number)
    lines = [
        f"wrote {result.target} ({len(result.files)} files, package {result.package})",
        "roles: " + "; ".join(f"{role} {_cells(numbers)}" for role, numbers in roles.items()),
        f"task: {extraction.task}, target: {extraction.target or 'not found'}",
        "settings lifted to config/params.yaml: "
        + (", ".join(s.key for s in extraction.settings) or "none"),
        "metrics the reproduction test checks: "
        + (", ".join(f"{m.key}={m.shown}" for m in _scalars(result)) or "none found"),
    ]
    if result.tables.matched:
        lines.append("tables the reproduction test checks, number by number:")
        lines += [f"  {table}" for table in result.tables.matched]
    if result.tables.unread:
        lines.append("tables shown that scaffold could not read (not compared):")
        lines += [f"  {table}" for table in result.tables.unread]
    if result.unmatched:
        lines.append(
            "  the notebook printed numbers that look like metrics, but scaffold matched none "
            "of them (the test only checks that training gives numbers):"
        )
        lines += [f"    {line}" for line in result.unmatched]
    if result.renamed:
        lines.append(result.renamed)
    if extraction.left_out:
        lines.append(
            "cells left out: "
            + ", ".join(f"{number} ({role})" for number, role, _ in extraction.left_out)
        )
        lines += [f"  {_cells(numbers)}: {why}" for why, numbers in _dropped(result).items()]
    if not extraction.servable:
        lines.append(f"no service: {extraction.no_service_reason}")
    if result.secrets:
        lines.append(
            "credentials read from the environment, written to no file (see .env.example): "
            + ", ".join(f"{secret.variable} (cell {secret.cell})" for secret in result.secrets)
        )
    lines += [f"warning: {finding}" for finding in extraction.warnings]
    package = result.package
    lines += [
        "next:",
        f"  cd {result.target}",
        "  python -m pip install -e '.[dev]' && python -m pytest",
        f"  python -m {package} train && python -m {package} serve"
        if extraction.servable
        else f"  python -m {package} train && python -m {package} evaluate",
    ]
    return lines


def _scalars(result: ScaffoldResult) -> list[PrintedMetric]:
    """The printed metrics that are not numbers of a shown table (those are listed by table)."""
    from_tables = {metric.key for metric in result.tables.printed}
    return [metric for metric in result.printed if metric.key not in from_tables]


def _dropped(result: ScaffoldResult) -> dict[str, list[int]]:
    """Reason -> the cells extraction left out for it (their role alone does not say why)."""
    dropped: dict[str, list[int]] = {}
    for number, _, reason in result.extraction.left_out:
        if reason != result.analysis.cell(number).reason:
            dropped.setdefault(reason, []).append(number)
    return dropped


def _cells(numbers: list[int]) -> str:
    return ",".join(str(number) for number in numbers)
