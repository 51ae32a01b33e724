"""The values the analysis returns: frozen, and free of libcst objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scaffold.analysis.facts import CellSymbols
from scaffold.notebook import Cell, Notebook, Role

TaskKind = Literal[
    "classification", "regression", "forecasting", "survival", "statistical", "unknown"
]
SettingKind = Literal["hyperparameter", "path", "seed", "split", "constant"]


@dataclass(frozen=True)
class CellAnalysis:
    """One cell with its role and the reason the role was chosen.

    `symbols` is None for markdown, raw and skipped cells; `statements` holds each top-level
    statement's source and what it alone defines, reads and mutates (cut from the cell's one
    libcst pass, so that extraction need not gather a statement again unless it rewrites it).
    """

    cell: Cell
    role: Role
    reason: str
    symbols: CellSymbols | None = None
    statements: tuple[tuple[str, CellSymbols], ...] = ()

    @property
    def number(self) -> int:
        """The cell's 1-based position in the notebook."""
        return self.cell.number


@dataclass(frozen=True)
class Flow:
    """The value of `name` read by cell `consumer` was last made (or changed) by `producer`."""

    producer: int
    consumer: int
    name: str


@dataclass(frozen=True)
class Setting:
    """A literal that is a setting of the pipeline (hyperparameter, path, seed, split size).

    Attributes:
        group: the section of `config/params.yaml` it belongs to (`model`, `split`, `data`, ...).
        name: its key in that section.
        value: the literal's value, as the notebook wrote it.
        source: the literal's source text.
        cell, line, column: where it was found (1-based line, 0-based column).
        context: what it parametrises, e.g. `RandomForestClassifier(n_estimators=...)`.
    """

    group: str
    name: str
    kind: SettingKind
    value: object
    source: str
    cell: int
    line: int
    column: int
    context: str

    @property
    def key(self) -> str:
        """`group.name`."""
        return f"{self.group}.{self.name}"


@dataclass(frozen=True)
class Finding:
    """A warning for the user, located where possible."""

    message: str
    cell: int | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.cell is not None:
            where = f"cell {self.cell}" + (f", line {self.line}" if self.line else "") + ": "
        return where + self.message


@dataclass(frozen=True)
class Analysis:
    """Everything scaffold learnt about a notebook before planning the project.

    Attributes:
        notebook: the notebook read.
        cells: every cell with its role, in notebook order.
        flows: where each cross-cell read gets its value.
        order: code cells in an order that respects the flows (graphlib).
        settings: literals lifted as settings.
        imports: alias -> what it names (`pd` -> `pandas`), over the whole notebook.
        target: the outcome column, when the code shows it.
        task: the kind of problem, when the code shows it.
        findings: warnings: unused or redefined names, reads before definition, unsure roles.
    """

    notebook: Notebook
    cells: tuple[CellAnalysis, ...]
    flows: tuple[Flow, ...]
    order: tuple[int, ...]
    settings: tuple[Setting, ...]
    imports: dict[str, str]
    target: str | None
    task: TaskKind
    findings: tuple[Finding, ...]

    def cell(self, number: int) -> CellAnalysis:
        """The analysis of cell `number` (1-based)."""
        return self.cells[number - 1]

    @property
    def estimators(self) -> dict[str, str]:
        """Name -> the class it was made from (`clf` -> `SVC`), over the whole notebook."""
        return {
            name: callee.rsplit(".", 1)[-1]
            for cell in self.cells
            if cell.symbols
            for name, callee in cell.symbols.constructed
        }
