"""Find the numbers the notebook printed for its metrics: render data of the test comparing them."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import libcst as cst

from scaffold.analysis.results import Setting
from scaffold.cst_search import find_all
from scaffold.extract import MetricSpec, TableSpec
from scaffold.extract.rewrites.report_metrics import REPORT_ROWS
from scaffold.notebook import Notebook
from scaffold.reading.tables import tables_in

_NUMBER = re.compile(
    r"[-+]?(?:\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d*)?|\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?"
)
"""A printed number; `402,469.95` (a thousands separator, `{:,.2f}`) is one number."""


@dataclass(frozen=True)
class PrintedMetric:
    """A metric's value as the notebook printed it, and how many decimals it showed.

    A percentage (`91.71%`) is kept as the fraction it shows (0.9171, 4 decimals): compared
    with the fraction the pipeline computes, that is the comparison of both as percentages to
    the printed precision.
    """

    key: str
    value: float
    decimals: int
    percent: bool = False

    @property
    def shown(self) -> str:
        """The number as the notebook showed it (`91.71%`)."""
        if self.percent:
            return f"{self.value * 100:.{max(self.decimals - 2, 0)}f}%"
        if 0 <= self.decimals < 12:
            return f"{self.value:.{self.decimals}f}"
        return f"{self.value:.4g}" if self.decimals < 0 else repr(self.value)


def printed_values(notebook: Notebook, specs: Sequence[MetricSpec]) -> tuple[PrintedMetric, ...]:
    """The printed value of each metric, read from its cell's stored output.

    Metrics of one cell are found in the order they were printed, each after the one before:
    a labelled one right after its label (several `name=value` pairs share a line), one whose
    label ends in a line break on a later line, an unlabelled one on a line (or the rest of a
    line) that holds only a number.
    """
    found = []
    cursors: dict[int, tuple[int, int]] = {}  # cell -> (line, column) to search from
    for spec in specs:
        lines = notebook.cells[spec.cell - 1].output_text.splitlines()
        hit = _find(lines, spec, *cursors.get(spec.cell, (0, 0)))
        if hit is None:
            continue
        metric, line, column = hit
        found.append(metric)
        # the other numbers of a report row are read from the same line
        cursors[spec.cell] = (line, 0) if _row_continues(spec) else (line, column)
    return tuple(found)


def _find(
    lines: list[str], spec: MetricSpec, line: int, column: int
) -> tuple[PrintedMetric, int, int] | None:
    """The metric of `spec` at or after (line, column), and where its number ends."""
    head, newline, label = spec.label.rpartition("\n")
    if newline and head.strip():  # the label, then the number on a later line
        heading = next(
            (
                i
                for i in range(line, len(lines))
                if head.strip() in lines[i][column if i == line else 0 :]
            ),
            None,
        )
        if heading is None:
            return None
        line, column = heading + 1, 0
    for index in range(line, len(lines)):
        start = column if index == line else 0
        # a label printed after another value (`f"rows={n} acc={acc}"`: " acc=") may be
        # found mid-line; one that starts its print starts its line
        anywhere = label[:1].isspace()
        value = _value_on(lines[index][start:], label.strip(), spec.column, anywhere=anywhere)
        if value is not None:
            number, decimals, percent, end = value
            return PrintedMetric(spec.key, number, decimals, percent), index, start + end
    return None


def _row_continues(spec: MetricSpec) -> bool:
    """Whether more metrics are printed on the line of `spec` (a report row's columns)."""
    columns = {label: len(fields) for label, _, fields in REPORT_ROWS}
    return spec.column + 1 < columns.get(spec.label.strip(), 0)


def _value_on(
    line: str, label: str, column: int = 0, *, anywhere: bool = False
) -> tuple[float, int, bool, int] | None:
    """(value, decimals, percent, end) of the number after `label` in `line`, if there."""
    for start in _label_ends(line, label, anywhere=anywhere):
        value = _number_at(line, start, column, alone=not label)
        if value is not None:
            return value
    return None


def _label_ends(line: str, label: str, *, anywhere: bool) -> list[int]:
    """Where the text after each whole-word occurrence of `label` starts.

    Without a label, the start of the line (after the quotes a displayed string shows).
    """
    opening = len(line) - len(line.lstrip().lstrip("'\""))
    if not label:
        return [opening]
    ends = []
    for match in re.finditer(re.escape(label), line):
        before = line[match.start() - 1] if match.start() > opening else " "
        if match.start() == opening or (anywhere and not (before.isalnum() or before == "_")):
            ends.append(match.end())
    return ends


def _number_at(
    line: str, start: int, column: int, *, alone: bool
) -> tuple[float, int, bool, int] | None:
    position = start
    for _ in range(column + 1):  # skip the numbers before this column of a report row
        while position < len(line) and line[position] in " \t":
            position += 1
        match = _NUMBER.match(line, position)
        if match is None:
            return None
        position = match.end()
    assert match is not None
    rest = line[position:]
    percent = rest.lstrip().startswith("%")
    if alone and rest.strip().strip("'\"") not in ("", "%"):
        return None  # an unlabelled metric is a number printed on its own
    number = match.group(0).replace(",", "")
    mantissa = re.split(r"[eE]", number)[0]
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    if percent:
        end = position + len(rest) - len(rest.lstrip()) + 1
        return round(float(number) / 100, decimals + 2), decimals + 2, True, end
    return float(number), decimals, False, position


METRIC_WORDS = re.compile(
    r"(?<![a-z])(acc|accuracy|auc|roc[ _-]?auc|r2|r\^2|r-squared|f1|f1[ _-]score|precision|"
    r"recall|mse|rmse|mae|mape|log[ _-]?loss|kappa|mcc|score|error)(?![a-z])",
    re.IGNORECASE,
)
"""Words that name a metric on a printed line (`R2 of lr: 91.71%`, `acc=0.87`)."""


def metric_like_lines(notebook: Notebook, limit: int = 3) -> tuple[str, ...]:
    """Printed lines that look like a metric (a metric word, then a number), as `cell N: line`.

    Said to the user when scaffold matched none of the notebook's printed numbers to its
    metrics: the reproduction test then only checks that the metrics are numbers.
    """
    found: list[str] = []
    for cell in notebook.code_cells:
        for line in cell.output_text.splitlines():
            word = METRIC_WORDS.search(line)
            log = line.lstrip().startswith("[")  # `[LightGBM] [Info] ... from score 1.5`
            if word and not log and len(line) <= 120 and _NUMBER.search(line, word.end()):
                found.append(f"cell {cell.number}: {line.strip()}")
                if len(found) == limit:
                    return tuple(found)
    return tuple(found)


UNSEEDED_TOLERANCE = 0.1
"""Relative tolerance when a random step has no seed: the notebook's own reruns differ."""

THREADED_TOLERANCE = 1e-3
"""Relative tolerance when the model computes on several threads (`n_jobs=-1`).

Threads add partial results in a different order each run, so the last digits of a score
move, and a prediction tied between two classes can flip; 0.1 % holds both for a test set
of a thousand rows or more, and the printed precision already allows more for smaller ones.
"""

THREAD_KEYWORDS = frozenset({"n_jobs", "nthread", "num_threads", "thread_count"})
THREADED_BY_DEFAULT = frozenset(
    {
        "XGBClassifier",
        "XGBRegressor",
        "XGBRanker",
        "LGBMClassifier",
        "LGBMRegressor",
        "LGBMRanker",
        "CatBoostClassifier",
        "CatBoostRegressor",
    }
)
"""Estimators that use every core unless told otherwise."""


def threaded_model(sources: Iterable[str], settings: Iterable[Setting]) -> str | None:
    """The first call of the pipeline that computes on several threads (`RF(n_jobs=-1)`).

    A thread count of 1 (or None, scikit-learn's one thread) is single-threaded; one lifted to
    the settings is looked up there.
    """
    values = {setting.key: setting.value for setting in settings}
    for source in sources:
        if not any(word in source for word in (*THREAD_KEYWORDS, *THREADED_BY_DEFAULT)):
            continue  # no call in it can match: spare parsing it
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError:
            continue
        for call in find_all(module, cst.Call):
            name = _called_name(call.func)
            counts = [
                arg.value
                for arg in call.args
                if arg.keyword is not None and arg.keyword.value in THREAD_KEYWORDS
            ]
            if counts and any(_thread_count(count, values) not in (1, None) for count in counts):
                return f"{name}({_CODE.code_for_node(counts[0])})"
            if not counts and name in THREADED_BY_DEFAULT:
                return f"{name}() on every core by default"
    return None


_CODE = cst.Module(body=[])


def _called_name(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def _thread_count(node: cst.BaseExpression, settings: dict[str, object]) -> object:
    """The value of a thread-count argument: a literal, a setting, or "unknown"."""
    try:
        return ast.literal_eval(_CODE.code_for_node(node))
    except (ValueError, SyntaxError):
        pass
    dotted = _CODE.code_for_node(node)
    if dotted.startswith("settings."):
        return settings.get(dotted.removeprefix("settings."), "unknown")
    return "unknown"


def relative_tolerance(*, unseeded: bool, threaded: bool) -> float:
    """How far training may stray from the printed numbers (beyond the printed precision)."""
    return UNSEEDED_TOLERANCE if unseeded else THREADED_TOLERANCE if threaded else 0.0


def reproduction_data(
    printed: Sequence[PrintedMetric],
    notebook_name: str,
    *,
    unseeded: bool = False,
    threaded: str | None = None,
) -> dict[str, object]:
    """Render data of the template's `tests/test_reproduction.py`.

    Training must give the numbers the notebook printed, each to the precision it was printed
    with, or within a relative tolerance when a random step has no seed or the model computes
    on several threads (`threaded`: that call, `RandomForestClassifier(n_jobs=-1)`).
    """
    return {
        "notebook_name": notebook_name,
        "printed_metrics": [
            {"key": metric.key, "value": repr(metric.value), "decimals": metric.decimals}
            for metric in printed
        ],
        "reproduction_tolerance": relative_tolerance(
            unseeded=unseeded, threaded=threaded is not None
        ),
        "unseeded": unseeded,
        "threaded_call": threaded or "",
    }


@dataclass(frozen=True)
class TableReading:
    """What was read of the tables the notebook showed.

    Attributes:
        printed: one metric per number shown, named as the evaluation names it.
        matched: `cell N: <statement> (K numbers)` for each table read.
        unread: `cell N: <statement>` for each table whose numbers could not be read.
    """

    printed: tuple[PrintedMetric, ...] = ()
    matched: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()


def table_values(notebook: Notebook, specs: Sequence[TableSpec]) -> TableReading:
    """The numbers of each shown table, read from its cell's output, to the precision shown.

    A number shown twice (a summary, then the same coefficients with more digits) is compared
    with its most precise showing.
    """
    found: dict[str, PrintedMetric] = {}
    matched, unread = [], []
    for spec in specs:
        cell = notebook.cells[spec.cell - 1]
        tables = tables_in(cell.output_text)
        table = tables[spec.position] if 0 <= spec.position < len(tables) else None
        if table is None or table.kind != spec.kind or not table.numbers:
            unread.append(f"cell {spec.cell}: {spec.shown}")
            continue
        for name, shown in table.numbers:
            key = f"{spec.prefix}{name}" if spec.kind == "results" else f"{spec.prefix}.{name}"
            earlier = found.get(key)
            if earlier is None or earlier.decimals <= shown.decimals:
                found[key] = PrintedMetric(key, shown.value, shown.decimals)
        matched.append(f"cell {spec.cell}: {spec.shown} ({len(table.numbers)} numbers)")
    return TableReading(tuple(found.values()), tuple(matched), tuple(unread))
