"""Tables the notebook showed become metrics: a model's results summary, a frame of scores.

`print(results.summary())` (or a displayed results object, `results.summary_frame()`) becomes
`metrics.update(results_metrics(results))`, and a displayed or printed DataFrame of scores
`metrics.update(frame_metrics(scores, "scores"))`: the template's `table_metrics` module names
each number (`params.x1`, `rsquared`, `scores.lr.accuracy`), and the numbers the notebook
showed are read back from the cell's output (`scaffold.reading.tables`) to compare with them.

Which table of a cell's output a statement showed is decided by order: the cell's displays
(a bare expression, a `print` of one value) take the tables read from its output in turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import libcst as cst

from scaffold.analysis import parse_cell
from scaffold.analysis.shown import displayed
from scaffold.extract.statements import Statement, split_statements, statement_of
from scaffold.notebook import Notebook
from scaffold.reading.tables import ShownTable, tables_in

TABLE_FUNCTIONS = frozenset({"results_metrics", "frame_metrics"})
"""The template's functions (`<pkg>.table_metrics`) the rewritten statements call."""

SUMMARY_METHODS = frozenset({"summary", "summary_frame"})
"""Methods whose result shows a model's results table; the metrics come from the model."""

SCORE_WORDS = re.compile(
    r"(?<![a-z])(acc|accuracy|auc|roc|r2|f1|precision|recall|mse|rmse|mae|mape|loss|kappa|"
    r"mcc|score|scores|error|brier|deviance|aic|bic|likelihood|test|train|valid|cv|mean|std)"
    r"(?![a-z])",
    re.IGNORECASE,
)
"""Words of a frame's row or column labels that make it a table of scores, not of data."""

MAX_FRAME_NUMBERS = 200
"""A larger displayed frame is data (predictions, rows), not a table of scores to reproduce."""


@dataclass(frozen=True)
class TableSpec:
    """A table the notebook showed that the evaluation now returns as metrics.

    Attributes:
        cell: the cell that showed it.
        position: which table of the cell's output it is (0-based, in the order shown).
        kind: `results` (a model's summary), `frame` (a DataFrame or Series of scores), or
            `unread`: a summary the evaluation showed whose table is not in the output as
            scaffold can read it (reported, not compared).
        prefix: what the metric names start with (`""` for the served model's results,
            `res.` for another results object, `scores` for a frame).
        shown: the statement that showed it, as written (for the summary).
    """

    cell: int
    position: int
    kind: Literal["results", "frame", "unread"]
    prefix: str
    shown: str


def _summarised(value: cst.BaseExpression) -> cst.BaseExpression | None:
    """The results object whose summary `value` is, else None.

    `results.summary()`, `results.summary_frame()`, or linearmodels' `results.summary` (a
    property).
    """
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value in SUMMARY_METHODS
        and not value.args
    ):
        return value.func.value
    if isinstance(value, cst.Attribute) and value.attr.value == "summary":
        return value.value
    return None


class ShownTables:
    """The tables each cell of a notebook showed, and the statements that showed them."""

    def __init__(self, notebook: Notebook) -> None:
        self._notebook = notebook
        self._read: dict[int, dict[int, tuple[int, ShownTable]]] = {}

    def table(self, statement: Statement) -> ShownTable | None:
        """The table `statement` showed, if it is a display and its cell's output has one."""
        found = self._found(statement)
        return found[1] if found is not None else None

    def position(self, statement: Statement) -> int:
        """Which table of its cell's output `statement` showed (-1: none)."""
        found = self._found(statement)
        return found[0] if found is not None else -1

    def _found(self, statement: Statement) -> tuple[int, ShownTable] | None:
        if displayed(statement.node) is None or not 0 < statement.cell <= len(self._cells):
            return None
        if statement.cell not in self._read:
            self._read[statement.cell] = self._align(statement.cell)
        return self._read[statement.cell].get(statement.line)

    @cached_property
    def _cells(self) -> tuple[int, ...]:
        return tuple(cell.number for cell in self._notebook.cells)

    def _align(self, number: int) -> dict[int, tuple[int, ShownTable]]:
        """Line of each display statement of the cell -> (index, table) of what it showed."""
        cell = self._notebook.cells[number - 1]
        if cell.kind != "code" or not cell.outputs:
            return {}
        tables = list(enumerate(tables_in(cell.output_text)))
        statements = split_statements(number, parse_cell(cell))  # it parsed in the analysis
        found: dict[int, tuple[int, ShownTable]] = {}
        for statement in statements:
            value = displayed(statement.node)
            if value is None or not tables:
                continue
            wanted = "results" if _summarised(value) is not None else None
            while tables and wanted is not None and tables[0][1].kind != wanted:
                tables.pop(0)
            if tables:
                found[statement.line] = tables.pop(0)
        return found


@dataclass
class TableRewrite:
    """Rewrites the evaluation's table displays into metrics (one per evaluation stage)."""

    tables: ShownTables
    metrics_name: str
    estimator: str | None
    specs: list[TableSpec] = field(default_factory=list)
    _bound: dict[str, int] = field(default_factory=dict)  # name -> times bound so far
    _made: list[tuple[str, dict[str, int]]] = field(default_factory=list)  # calls written

    @classmethod
    def for_notebook(
        cls, notebook: Notebook, metrics_name: str, estimator: str | None
    ) -> TableRewrite:
        """A rewrite for the evaluation of `notebook`'s pipeline."""
        return cls(ShownTables(notebook), metrics_name, estimator)

    def rewritten(self, statement: Statement) -> list[Statement] | None:
        """`metrics.update(...)` for a statement that showed a table it can read, else None.

        Names a statement binds are counted, so a results object shown again after it was
        bound anew gets metric names of its own (`res_2.params.x1`); the same object shown
        again unchanged (its summary, then its `summary_frame()`) needs no second update.
        """
        for name in statement.symbols.defines:
            self._bound[name] = self._bound.get(name, 0) + 1
        table = self.tables.table(statement)
        value = displayed(statement.node)
        if value is None:
            return None
        if table is None or not table.numbers:
            if _summarised(value) is None:
                return None
            self.specs.append(TableSpec(statement.cell, -1, "unread", "", statement.code.strip()))
            return []  # the summary is not computed for nothing
        term_values = _term_values(value)
        if term_values is not None and table.kind == "frame":
            return self._term_series(statement, table, *term_values)
        if table.kind == "frame" and not _scores(table):
            return None
        shown = _summarised(value) or value
        code = _code(shown)
        if table.kind == "results":
            prefix = "" if code == self.estimator else self._name(shown) + "."
            call = f"results_metrics({code}, {prefix!r})" if prefix else f"results_metrics({code})"
        else:
            prefix = self._name(shown)
            call = f"frame_metrics({code}, {prefix!r})"
        spec = TableSpec(
            statement.cell,
            self.tables.position(statement),
            table.kind,
            prefix,
            statement.code.strip(),
        )
        self.specs.append(spec)
        if (call, dict(self._bound)) in self._made:
            return []
        self._made.append((call, dict(self._bound)))
        node = cst.parse_statement(f"{self.metrics_name}.update({call})".replace("'", '"'))
        return [statement_of(statement.cell, statement.line, node)]

    def _term_series(
        self, statement: Statement, table: ShownTable, results: cst.BaseExpression, column: str
    ) -> list[Statement]:
        """`print(res.params)`: named as the summary's column is (`params.x1`)."""
        code = _code(results)
        prefix = ("" if code == self.estimator else self._name(results) + ".") + column
        self.specs.append(
            TableSpec(
                statement.cell,
                self.tables.position(statement),
                table.kind,
                prefix,
                statement.code.strip(),
            )
        )
        call = f"frame_metrics({code}.{column}, {prefix!r})"
        node = cst.parse_statement(f"{self.metrics_name}.update({call})".replace("'", '"'))
        return [statement_of(statement.cell, statement.line, node)]

    def _name(self, value: cst.BaseExpression) -> str:
        """A stable name for a shown object: its code, made a name (`res`, `res.results_gmm`)."""
        text = re.sub(r"[^0-9A-Za-z_.]+", "_", _code(value)).strip("_.") or "table"
        root = re.split(r"[^0-9A-Za-z_]", text, maxsplit=1)[0]
        count = self._bound.get(root, 0)
        return f"{text}_{count}" if count > 1 else text


TERM_COLUMNS = frozenset({"params", "bse", "tvalues", "pvalues"})
"""A results object's values per term; shown as a Series, each is that summary column."""


def _term_values(value: cst.BaseExpression) -> tuple[cst.BaseExpression, str] | None:
    """(`res`, `params`) of `res.params`, (`res`, `bse`) of `res.bse`, ..., else None."""
    if isinstance(value, cst.Attribute) and value.attr.value in TERM_COLUMNS:
        return value.value, value.attr.value
    return None


def shows_table(statement: Statement, tables: ShownTables) -> bool:
    """Whether a statement showed a model's results table or one of its columns (`res.params`).

    Such a statement is kept for the evaluation, wherever the notebook showed it.
    """
    table = tables.table(statement)
    if table is None or not table.numbers:
        return False
    value = displayed(statement.node)
    return table.kind == "results" or (value is not None and _term_values(value) is not None)


def _scores(table: ShownTable) -> bool:
    """A frame small enough, with a label that names a score: a table of results."""
    if len(table.numbers) > MAX_FRAME_NUMBERS:
        return False
    return any(SCORE_WORDS.search(name) for name, _ in table.numbers)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)
