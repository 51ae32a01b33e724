"""Read a notebook file into a `Notebook`: the only place that knows nbformat.

Reads `.ipynb` files of nbformat 4 (and 3, upgraded) and jupytext percent-format `.py` scripts.
Every problem with the file is raised as a `NotebookError` whose message names it.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat

from scaffold.errors import CellError, NotebookError
from scaffold.notebook import Cell, CellKind, Notebook, Output
from scaffold.reading.directives import UnknownDirectiveError, directive_of
from scaffold.reading.magics import neutralise
from scaffold.reading.percent import RawCell, is_percent_script, read_percent
from scaffold.reading.structure import structure_problem
from scaffold.reading.tables import html_as_text

__all__ = ["read_notebook"]

NOTEBOOK_SUFFIXES = (".ipynb", ".py")

MAX_JSON_DEPTH = 64
"""A notebook's JSON nests about 6 levels (cells, outputs, data, metadata); deeper JSON is refused
before nbformat's validation recurses into it (`json.loads` stops itself at Python's limit)."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def read_notebook(path: Path) -> Notebook:
    """Read the notebook at `path`.

    Raises:
        NotebookError: the file is missing, not text, not JSON, not a notebook, of an invalid
            or non-Python notebook format, or has no code.
        CellError: a cell's `# scaffold:` directive names no role.
    """
    text = _read_text(path)
    if path.suffix == ".py":
        return _notebook_from_percent(path, text)
    return _notebook_from_ipynb(path, text)


def _read_text(path: Path) -> str:
    if not path.exists():
        raise NotebookError(path, "no such file; check the path")
    if not path.is_file():
        raise NotebookError(path, "not a file; give the path of a .ipynb notebook")
    if path.suffix not in NOTEBOOK_SUFFIXES:
        raise NotebookError(
            path, "not a notebook: expected a .ipynb file or a jupytext percent-format .py script"
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise NotebookError(path, f"cannot be read: {exc.strerror}") from exc


def _notebook_from_ipynb(path: Path, text: str) -> Notebook:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            path, f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); is it a notebook?"
        ) from exc
    except RecursionError as exc:  # the C decoder stops at Python's recursion limit
        raise NotebookError(path, "its JSON nests too deeply; is it a notebook?") from exc
    if _nests_deeper(data, MAX_JSON_DEPTH):
        raise NotebookError(
            path, f"its JSON nests over {MAX_JSON_DEPTH} levels deep; is it a notebook?"
        )
    if not isinstance(data, dict) or "nbformat" not in data:
        raise NotebookError(path, "JSON but not a Jupyter notebook (no 'nbformat' field)")
    version = data.get("nbformat")
    if not isinstance(version, int) or isinstance(version, bool) or version not in (3, 4):
        raise NotebookError(
            path, f"nbformat {version!r} is not supported; save it with Jupyter as nbformat 4"
        )
    problem = structure_problem(data)
    if problem is not None:
        raise NotebookError(path, f"invalid notebook format: {problem}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat warns of fields it fixes (cell ids)
            node = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
            nbformat.validate(node)
    except nbformat.ValidationError as exc:
        raise NotebookError(path, f"invalid notebook format: {_validation_problem(exc)}") from exc
    except Exception as exc:  # nbformat raises plain exceptions for malformed content
        raise NotebookError(
            path, "invalid notebook format: nbformat cannot read it; open it in Jupyter and save it"
        ) from exc
    _check_python_kernel(path, node.get("metadata", {}))
    cells = _make_cells(
        (cell.get("cell_type", "raw"), _joined(cell.get("source", "")), cell) for cell in node.cells
    )
    kernel = node.get("metadata", {}).get("kernelspec", {}).get("name", "python3")
    return _finish(path, cells, source_format="ipynb", version=version, kernel=_text(kernel))


def _nests_deeper(data: object, most: int) -> bool:
    """Whether JSON value `data` nests deeper than `most` levels (walked without recursion)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > most:
            return True
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)
    return False


def _validation_problem(exc: Exception) -> str:
    """A jsonschema error of nbformat as `cell 3: 'source' is a required property`.

    jsonschema's own message starts with the offending value, which may be a whole output;
    the value's kind is said instead.
    """
    steps = list(getattr(exc, "absolute_path", None) or getattr(exc, "path", None) or ())
    where = ""
    if len(steps) >= 2 and steps[0] == "cells" and isinstance(steps[1], int):
        where = f"cell {steps[1] + 1}"
        steps = steps[2:]
    if steps:
        where = (where + " " if where else "") + ".".join(str(step) for step in steps)
    validator = getattr(exc, "validator", None)
    expected = getattr(exc, "validator_value", None)
    if validator == "type":
        message = f"is {_json_kind(getattr(exc, 'instance', None))}, expected {expected}"
    elif validator in ("anyOf", "oneOf", "allOf", "not", "if"):
        message = "is not in any form the notebook format allows"
    elif validator in ("enum", "const"):
        message = f"is not one of {expected}"[:120]
    else:
        message = str(getattr(exc, "message", "") or "").split("\n", 1)[0]
        message = message[:160] + "..." if len(message) > 160 else message
    return f"{where}: {message}" if where and message else (message or where or "not valid")


def _json_kind(value: object) -> str:
    kinds: tuple[tuple[type, str], ...] = ((bool, "a boolean"), (int, "a number"))
    kinds += ((float, "a number"), (str, "a string"), (list, "a list"), (dict, "an object"))
    return next((kind for type_, kind in kinds if isinstance(value, type_)), "null")


def _notebook_from_percent(path: Path, text: str) -> Notebook:
    if not is_percent_script(text):
        raise NotebookError(
            path, "a .py file without '# %%' cell markers: not a jupytext percent-format notebook"
        )
    raw: list[RawCell] = read_percent(text)
    cells = _make_cells(
        (cell.kind, cell.source, {"metadata": {"tags": list(cell.tags)}}) for cell in raw
    )
    return _finish(path, cells, source_format="percent", version=4, kernel="python3")


def _check_python_kernel(path: Path, metadata: Mapping[str, Any]) -> None:
    language = metadata.get("kernelspec", {}).get("language") or metadata.get(
        "language_info", {}
    ).get("name")
    if language and str(language).lower() != "python":
        raise NotebookError(
            path, f"its kernel runs {language}, not Python; scaffold reads Python notebooks only"
        )


def _text(value: object) -> str:
    """`value` as text, a lone surrogate (not encodable) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", str(value))


def _joined(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def _make_cells(
    raw: Iterable[tuple[str, str, Mapping[str, Any]]],
) -> tuple[list[Cell], list[str]]:
    """The cells, and the requirements their `!pip install` lines declare (first seen first)."""
    cells: list[Cell] = []
    requirements: list[str] = []
    for number, (cell_type, source, node) in enumerate(raw, start=1):
        kind: CellKind = cell_type if cell_type in ("code", "markdown") else "raw"  # type: ignore[assignment]
        tags = tuple(_text(tag) for tag in node.get("metadata", {}).get("tags", ()))
        if kind != "raw" and (surrogate := _SURROGATE.search(source)):
            line = source.count("\n", 0, surrogate.start()) + 1
            raise CellError(
                number,
                f"holds a lone surrogate ({surrogate.group()!a}), which is not text: an escape "
                "'\\ud8xx' in the JSON without its pair",
                line=line,
                hint="retype that character in Jupyter and save",
            )
        if kind != "code":
            cells.append(Cell(number=number, kind=kind, source=source, tags=tags))
            continue
        try:
            directive = directive_of(source, tags)
        except UnknownDirectiveError as exc:
            raise CellError(number, str(exc), line=1, hint="") from exc
        neutral = neutralise(source)
        requirements += [r for r in neutral.requirements if r not in requirements]
        cells.append(
            Cell(
                number=number,
                kind="code",
                source=source,
                code=neutral.code,
                tags=tags,
                directive=directive,
                magics=neutral.magics,
                outputs=tuple(_outputs(node.get("outputs", ()))),
                execution_count=node.get("execution_count"),
            )
        )
    return cells, requirements


def _outputs(outputs: Iterable[Mapping[str, Any]]) -> Iterable[Output]:
    for output in outputs:
        output_type = output.get("output_type")
        if output_type == "stream":
            yield Output("stream", _text(_joined(output.get("text", ""))))
        elif output_type in ("execute_result", "display_data"):
            data = output.get("data", {})
            text = data.get("text/plain")
            if text is not None:
                yield Output("result", _text(_joined(text)))
            elif data.get("text/html") is not None:  # a table kept only as HTML
                yield Output("result", html_as_text(_text(_joined(data["text/html"]))))
        elif output_type == "error":
            yield Output("error", _text(f"{output.get('ename', '')}: {output.get('evalue', '')}"))


def _finish(
    path: Path,
    made: tuple[list[Cell], list[str]],
    *,
    source_format: str,
    version: int,
    kernel: str,
) -> Notebook:
    cells, requirements = made
    if not any(cell.kind == "code" and cell.source.strip() for cell in cells):
        raise NotebookError(path, "the notebook has no code to scaffold (no non-empty code cell)")
    return Notebook(
        path=path,
        cells=tuple(cells),
        requirements=tuple(requirements),
        source_format="percent" if source_format == "percent" else "ipynb",
        nbformat_version=version,
        kernel=kernel,
    )
