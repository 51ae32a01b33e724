"""Check the shape of a notebook's JSON before nbformat reads it.

nbformat assumes the shape it upgrades and validates: a cell that is a string, `cells` that is
an object or a `source` that is a number end in Python errors (`'str' object has no attribute
'get'`) that say nothing to the user. `structure_problem` says what is wrong, where, in the
notebook's own terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["structure_problem"]

CELL_TYPES = ("code", "markdown", "raw")
_V3_CELL_TYPES = ("code", "markdown", "raw", "heading")


def structure_problem(data: Mapping[str, Any]) -> str | None:
    """What is wrong with the shape of notebook JSON `data` (nbformat 3 or 4), or None."""
    metadata = data.get("metadata", {})
    if not isinstance(metadata, dict):
        return f"'metadata' is {_kind(metadata)}, not an object"
    for key in ("kernelspec", "language_info"):
        if not isinstance(metadata.get(key, {}), dict):
            return f"'metadata.{key}' is {_kind(metadata[key])}, not an object"
    if data.get("nbformat") == 3:
        return _v3_problem(data)
    cells = data.get("cells")
    if not isinstance(cells, list):
        found = "missing" if cells is None else _kind(cells)
        return f"no list of cells ('cells' is {found})"
    for number, cell in enumerate(cells, start=1):
        problem = _cell_problem(cell, "source", CELL_TYPES)
        if problem is not None:
            return f"cell {number}: {problem}"
    return None


def _v3_problem(data: Mapping[str, Any]) -> str | None:
    worksheets = data.get("worksheets", [])
    if not isinstance(worksheets, list):
        return f"'worksheets' is {_kind(worksheets)}, not a list"
    number = 0
    for sheet in worksheets:
        if not isinstance(sheet, dict):
            return f"a worksheet is {_kind(sheet)}, not an object"
        cells = sheet.get("cells", [])
        if not isinstance(cells, list):
            return f"a worksheet's 'cells' is {_kind(cells)}, not a list"
        for cell in cells:
            number += 1
            code = isinstance(cell, dict) and cell.get("cell_type") == "code"
            text_key = "input" if code else "source"
            problem = _cell_problem(cell, text_key, _V3_CELL_TYPES)
            if problem is not None:
                return f"cell {number}: {problem}"
    return None


def _cell_problem(cell: object, text_key: str, cell_types: tuple[str, ...]) -> str | None:
    if not isinstance(cell, dict):
        return f"is {_kind(cell)}, not an object"
    cell_type = cell.get("cell_type")
    if cell_type not in cell_types:
        expected = ", ".join(cell_types)
        if cell_type is None:
            return f"has no 'cell_type' (one of {expected})"
        return f"'cell_type' is {cell_type!r}, not one of {expected}"
    if not _is_text(cell.get(text_key, "")):
        return f"'{text_key}' is {_kind(cell[text_key])}, not text or a list of lines"
    metadata = cell.get("metadata", {})
    if not isinstance(metadata, dict):
        return f"'metadata' is {_kind(metadata)}, not an object"
    tags = metadata.get("tags", [])
    if not isinstance(tags, list):
        return f"'metadata.tags' is {_kind(tags)}, not a list"
    if cell_type != "code":
        return None
    outputs = cell.get("outputs", [])
    if not isinstance(outputs, list):
        return f"'outputs' is {_kind(outputs)}, not a list"
    for output in outputs:
        if not isinstance(output, dict):
            return f"an output is {_kind(output)}, not an object"
        if not isinstance(output.get("output_type"), str):
            return "an output has no 'output_type'"
        for key in ("data", "metadata"):
            if not isinstance(output.get(key, {}), dict):
                return f"an output's '{key}' is {_kind(output[key])}, not an object"
        if not _is_text(output.get("text", "")):
            return f"an output's 'text' is {_kind(output['text'])}, not text"
    return None


def _is_text(value: object) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(line, str) for line in value)
    )


def _kind(value: object) -> str:
    """`a number`, `a string`, ... for a JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
