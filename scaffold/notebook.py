"""The notebook as scaffold sees it: cells with neutralised code, tags, directives and outputs.

These values are produced by `scaffold.reading` and never mutated afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal


class Role(StrEnum):
    """What a cell does in the pipeline; the heuristics and the user's directives choose one."""

    IMPORTS = "imports"
    CONFIG = "config"
    DEFINITIONS = "definitions"
    LOAD = "load"
    PREPARE = "prepare"
    SPLIT = "split"
    TRAIN = "train"
    EVALUATE = "evaluate"
    PREDICT = "predict"
    EXPLORE = "explore"
    MARKDOWN = "markdown"
    SKIP = "skip"


MagicKind = Literal["line_magic", "cell_magic", "shell", "help"]


@dataclass(frozen=True)
class Magic:
    """One piece of IPython syntax replaced before parsing, recorded so it can be put back.

    Attributes:
        line: 1-based line in the cell where the original text starts.
        kind: which IPython form it was.
        original: the original text (may span lines for a cell magic's first line only).
        replacement: the Python text that stands in its place in `Cell.code`.
    """

    line: int
    kind: MagicKind
    original: str
    replacement: str


@dataclass(frozen=True)
class Output:
    """Text an executed cell produced: a stream, a result's text/plain, or an error."""

    kind: Literal["stream", "result", "error"]
    text: str


CellKind = Literal["code", "markdown", "raw"]


@dataclass(frozen=True)
class Cell:
    """One notebook cell.

    Attributes:
        number: 1-based position in the notebook, counting every cell (what users see as
            "cell 7" when scrolling; execution counts are not stable).
        kind: code, markdown or raw.
        source: the cell's text as written.
        code: for code cells, `source` with IPython syntax neutralised (valid Python to parse).
        tags: the cell's metadata tags.
        directive: the role the user chose with a tag or a `# scaffold: ROLE` first line.
        magics: the IPython syntax that was neutralised, in order.
        outputs: stored outputs of an executed cell.
        execution_count: the stored execution count, if the cell was run.
    """

    number: int
    kind: CellKind
    source: str
    code: str = ""
    tags: tuple[str, ...] = ()
    directive: Role | None = None
    magics: tuple[Magic, ...] = ()
    outputs: tuple[Output, ...] = ()
    execution_count: int | None = None

    @property
    def output_text(self) -> str:
        """Every stream and result text of the cell, joined."""
        return "".join(out.text for out in self.outputs if out.kind != "error")


@dataclass(frozen=True)
class Notebook:
    """A read notebook.

    Attributes:
        path: where it was read from.
        cells: every cell, markdown included, in order.
        requirements: packages installed by `!pip install` / `%pip install` lines.
        source_format: "ipynb" or "percent" (a jupytext percent-format script).
        nbformat_version: the major nbformat version of the file before upgrading.
    """

    path: Path
    cells: tuple[Cell, ...]
    requirements: tuple[str, ...] = ()
    source_format: Literal["ipynb", "percent"] = "ipynb"
    nbformat_version: int = 4
    kernel: str = field(default="python3")

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        """The code cells, in order."""
        return tuple(cell for cell in self.cells if cell.kind == "code")
