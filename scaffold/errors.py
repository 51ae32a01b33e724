"""The exceptions of scaffold: each message says what went wrong and what to do.

Exceptions never print; the CLI presents them (one line, non-zero exit code).
"""

from __future__ import annotations


class ScaffoldError(Exception):
    """Base of every error a user can cause and act on."""


class NotebookError(ScaffoldError):
    """The notebook file cannot be read as a Python notebook."""

    def __init__(self, path: object, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class CellError(ScaffoldError):
    """A problem located in one cell (and optionally one line) of the notebook."""

    def __init__(
        self,
        cell: int,
        problem: str,
        *,
        line: int | None = None,
        source_line: str | None = None,
        hint: str = "mark the cell '# scaffold: skip' to leave it out",
    ) -> None:
        where = f"cell {cell}" if line is None else f"cell {cell}, line {line}"
        message = f"{where}: {problem}"
        if source_line is not None:
            message += f": {source_line.strip()!r}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)
        self.cell = cell
        self.line = line
        self.problem = problem


class CellSyntaxError(CellError):
    """A code cell that does not parse as Python, even with IPython syntax neutralised."""


class OutputExistsError(ScaffoldError):
    """The output directory exists and is not empty."""


class RenderError(ScaffoldError):
    """The project template could not be rendered."""


class ExtractionError(CellError):
    """A construct the extraction cannot carry over faithfully; it refuses rather than guess."""
