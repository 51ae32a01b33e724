"""Read the numbers of the tables a notebook showed: statistical summaries and frames of scores.

A statsmodels or linearmodels summary (`print(results.summary())`, a displayed results object)
shows fit statistics as `Label: value` pairs and a coefficient table (one row per term: the
coefficient, its standard error, test statistic and p-value). A pandas DataFrame or Series
printed as text shows one number per row and column, right-aligned under its column name. Each
number keeps the precision it was shown with, so it can be compared to that precision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?$")
"""A number as a table cell shows it (`-3.482e+06`, `144.`, `0.000`)."""

STATISTICS: dict[str, str] = {
    "R-squared": "rsquared",
    "Adj. R-squared": "rsquared_adj",
    "F-statistic": "fvalue",
    "Prob (F-statistic)": "f_pvalue",
    "P-value (F-stat)": "f_pvalue",
    "Log-Likelihood": "llf",
    "LL-Null": "llnull",
    "LLR p-value": "llr_pvalue",
    "AIC": "aic",
    "BIC": "bic",
    "Pseudo R-squ.": "prsquared",
    "Pseudo R-squared": "prsquared",
    "Pseudo R-squ. (CS)": "pseudo_rsquared_cs",
    "Deviance": "deviance",
    "Pearson chi2": "pearson_chi2",
    "Scale": "scale",
    "No. Observations": "nobs",
    "Df Residuals": "df_resid",
    "Df Model": "df_model",
    "Bandwidth": "bandwidth",
    "Sparsity": "sparsity",
}
"""A summary's label -> the metric name the generated project gives that statistic."""

TERM_COLUMNS: dict[str, str] = {
    "coef": "params",
    "Coef.": "params",
    "Parameter": "params",
    "std err": "bse",
    "Std.Err.": "bse",
    "Std. Err.": "bse",
    "t": "tvalues",
    "z": "tvalues",
    "T-stat": "tvalues",
    "P>|t|": "pvalues",
    "P>|z|": "pvalues",
    "P-value": "pvalues",
}
"""A coefficient table's column heading -> the metric name of its values (`params.<term>`)."""

_LABELLED = re.compile(
    r"(?:^|\s{2,}|>)("
    + "|".join(re.escape(label) for label in sorted(STATISTICS, key=len, reverse=True))
    + r"):?\s+(\S+)"
)
_SEPARATOR = re.compile(r"^[\s=\-]*$")
_TIMING = re.compile(r"(^|_)(fit|score)_time$|^time$", re.IGNORECASE)
"""Columns of run times (`mean_fit_time` of `cv_results_`): not numbers to reproduce."""


@dataclass(frozen=True)
class Shown:
    """A number as a table showed it.

    `decimals` is where its last shown digit is (`0.014` -> 3, `2.99e-05` -> 7, `4.020e+06`
    -> -3): the number is known to within half a unit of that digit.
    """

    value: float
    decimals: int


@dataclass(frozen=True)
class ShownTable:
    """A table read from a cell's output.

    Attributes:
        kind: `results` (a statistical model's summary) or `frame` (a DataFrame or Series).
        numbers: metric name (without the table's prefix) -> the number shown, in order:
            `params.x1`, `rsquared` for a summary; `row.column` (`row` for a Series) for a frame.
        truncated: the table was shown abridged (`...`): some of its numbers were not shown.
    """

    kind: Literal["results", "frame"]
    numbers: tuple[tuple[str, Shown], ...]
    truncated: bool = False


def shown_number(text: str) -> Shown | None:
    """The number a table cell shows, with its precision; None if it is not a number."""
    text = text.strip()
    if not NUMBER.match(text):
        return None
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    return Shown(float(text), decimals - (int(exponent) if exponent else 0))


def tables_in(text: str) -> list[ShownTable]:
    """Every summary and frame shown in `text` (a cell's output), in the order shown."""
    lines = text.splitlines()
    found: list[tuple[int, ShownTable]] = []
    used: set[int] = set()
    start = 0
    for header in [i for i, line in enumerate(lines) if _term_columns(line)]:
        if header < start:
            continue
        statistics = _statistics(lines[start:header])
        rows, end = _term_rows(lines, header)
        labelled = [i for i in range(start, header) if _LABELLED.search(lines[i])]
        used.update(range(labelled[0] if labelled else header, end))  # a frame may be above
        found.append((header, ShownTable("results", (*statistics, *rows))))
        start = end
    blocks = _blocks([line if i not in used else "" for i, line in enumerate(lines)])
    for first, block in blocks:
        table = _frame(block)
        if table is not None:
            found.append((first, table))
    return [table for _, table in sorted(found, key=lambda item: item[0])]


def _columns(line: str) -> list[str]:
    return [part for part in re.split(r"\s{2,}", line.strip()) if part]


def _last_column(text: str) -> str:
    columns = _columns(text)
    return columns[-1] if columns else ""


def _term_columns(line: str) -> list[str] | None:
    """The metric names of a coefficient table's columns, if `line` is its heading."""
    columns = _columns(line)
    names = [TERM_COLUMNS.get(column, "") for column in columns]
    if "params" not in names or "bse" not in names:
        return None
    return names


def _statistics(lines: list[str]) -> list[tuple[str, Shown]]:
    found: dict[str, Shown] = {}
    for line in lines:
        for match in _LABELLED.finditer(line):
            shown = shown_number(match.group(2))
            if shown is not None:
                found.setdefault(STATISTICS[match.group(1)], shown)
    return list(found.items())


def _term_rows(lines: list[str], header: int) -> tuple[list[tuple[str, Shown]], int]:
    """The (metric, number) of each term's row under the heading, and the line after them."""
    names = _term_columns(lines[header]) or []
    rows: list[tuple[str, Shown]] = []
    index = header + 1
    seen_row = False
    while index < len(lines):
        line = lines[index]
        if _SEPARATOR.match(line):
            if seen_row and "=" in line:
                return rows, index + 1
            index += 1
            continue
        parts = line.split()
        values = parts[len(parts) - len(names) :] if len(parts) > len(names) else []
        shown = [shown_number(value) for value in values]
        pairs = list(zip(shown, values, strict=True))
        if not values or any(number is None and value != "nan" for number, value in pairs):
            break
        term = " ".join(parts[: len(parts) - len(names)])
        for name, number in zip(names, shown, strict=True):
            if name and number is not None:
                rows.append((f"{name}.{term}", number))
        seen_row = True
        index += 1
    return rows, index


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, with the index of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for index, line in enumerate([*lines, ""]):
        if line.strip():
            if not current:
                blocks.append((index, current))
            current.append(line)
        else:
            current = []
    return blocks


def _frame(block: list[str]) -> ShownTable | None:
    """A DataFrame (a heading line, then rows) or a Series (rows, then `dtype: ...`) as text."""
    rows = [(index, _row(line)) for index, line in enumerate(block)]
    data = [(index, row) for index, row in rows if row is not None]
    if not data:
        return None
    truncated = any(line.strip() == "..." or " ... " in line for line in block)
    footer = block[-1].strip()
    if footer.startswith(("dtype:", "Name:", "Freq:")):  # a Series
        if any(len(values) != 1 for _, (_, values) in data):
            return None
        numbers = [(label, values[0][1]) for _, (label, values) in data]
        return ShownTable("frame", tuple(numbers), truncated) if numbers else None
    first = data[0][0]
    if first == 0:
        return None  # no heading: not a frame
    ends = [end for end, _ in data[0][1][1]]
    if any([end for end, _ in values] != ends for _, (_, values) in data):
        return None  # not aligned as a frame is
    heading = block[0]
    starts = [0, *ends[:-1]]
    # the first name is the heading's last word group before its right edge (not the index's)
    names = [_last_column(heading[start:end]) for start, end in zip(starts, ends, strict=True)]
    if not all(names) or heading[ends[-1] :].strip() not in ("", "\\"):
        return None
    numbers = [
        (f"{label}.{name}", shown)
        for _, (label, values) in data
        for name, (_, shown) in zip(names, values, strict=True)
        if not _TIMING.search(name)
    ]
    return ShownTable("frame", tuple(numbers), truncated) if numbers else None


def _row(line: str) -> tuple[str, list[tuple[int, Shown]]] | None:
    """(label, [(end column, number), ...]) of a frame's row: a label, then numbers."""
    tokens = _tokens(line)
    values: list[tuple[int, Shown]] = []
    while tokens:
        _, end, text = tokens[-1]
        shown = shown_number(text)
        if shown is None:
            break
        values.insert(0, (end, shown))
        tokens.pop()
    if not tokens and len(values) > 1:  # a numeric label (`0`, `1`, ... of a RangeIndex)
        tokens = _tokens(line)[:1]
        values.pop(0)
    if not tokens or not values or tokens[0][0] != 0:
        return None  # a row starts with its label at the left edge
    label = line[: tokens[-1][1]].strip()
    return label, values


def _tokens(line: str) -> list[tuple[int, int, str]]:
    return [(match.start(), match.end(), match.group()) for match in re.finditer(r"\S+", line)]


def html_as_text(html: str) -> str:
    """The tables of an HTML output as aligned text (a summary's or a frame's HTML form).

    Cells are right-aligned in columns two spaces apart, as pandas prints a frame, so the
    same reading serves the text and the HTML form of a table.
    """
    parser = _TableText()
    parser.feed(html)
    parser.close()
    lines: list[str] = []
    for table in parser.tables:
        width = max((len(row) for row in table), default=0)
        rows = [row + [""] * (width - len(row)) for row in table]
        widths = [max(len(row[i]) for row in rows) for i in range(width)]
        for row in rows:
            cells = [row[0].ljust(widths[0])] + [
                cell.rjust(size) for cell, size in zip(row[1:], widths[1:], strict=True)
            ]
            lines.append("  ".join(cells).rstrip())
        lines.append("=" * 10)
    return "\n".join(lines) + ("\n" if lines else "")


class _TableText(HTMLParser):
    """Collects the text of each `<td>`/`<th>` of each `<tr>`, per `<table>`."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
