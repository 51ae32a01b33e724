"""Row filters of the feature step define the model's input domain.

`df = df.dropna(subset=["age"])` becomes

    df = state.keep_rows(df, df.dropna(subset=["age"]), "cell 7: df.dropna(...)", ["age"])

Training keeps the rows the filter kept, as the notebook did. Serving runs the same filter on
the request, and each row it removes is rejected (a 422 from the service, a `rejected` reason
from batch scoring) naming the columns, the condition and the cell, instead of being scored on
values the model never saw.

Only filters that test each row on its own are served: `dropna` (of rows), a boolean mask of
comparisons and per-value tests (`df[df.age < 90]`, `df.loc[mask]`, `df[df.x.notna()]`),
`df.query("...")` and `df.drop(df[mask].index)`. Thresholds computed from the data
(`df.x.quantile(0.99)`) are learnt statistics by then. Anything that depends on the other rows
of the batch (duplicates, sampling, positions, an unknown function of the whole column) stays
a training-only step.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from scaffold.extract.statements import Stmt

PER_ROW_METHODS = frozenset(
    {
        "notna", "notnull", "isna", "isnull", "isin", "between", "eq", "ne", "lt", "gt", "le",
        "ge", "contains", "startswith", "endswith", "abs", "all", "any", "str", "astype",
        "isdigit", "isnumeric", "isalpha", "match", "fullmatch", "len", "lower", "upper",
        "strip", "round",
    }
)  # fmt: skip
"""Methods whose result for a row depends on that row alone (`all`/`any` across its columns)."""
PER_ROW_FUNCTIONS = frozenset({"abs", "np.abs", "np.isnan", "np.isfinite", "numpy.abs"})
MAX_CONDITION = 120
"""How much of the filter's code a rejection quotes."""


def served_filter(node: Stmt, cell: int, state_name: str = "state") -> Stmt | None:
    """`node` as a filter that serving runs too, or None when it must stay training-only."""
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return None
    assign = node.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return None
    if not isinstance(assign.targets[0].target, cst.Name):
        return None
    found = _filtered(assign.value)
    if found is None:
        return None
    frame, columns = found
    condition = f"cell {cell}: {_shortened(_code(assign.value))}"
    args = [
        cst.Arg(cst.Name(frame)),
        cst.Arg(assign.value),
        cst.Arg(cst.SimpleString(repr(condition))),
    ]
    if columns:
        listed = [cst.Element(cst.SimpleString(repr(column))) for column in columns]
        args.append(cst.Arg(cst.List(listed)))
    call = cst.Call(cst.Attribute(cst.Name(state_name), cst.Name("keep_rows")), args)
    return node.with_changes(body=[assign.with_changes(value=call)])


def _filtered(value: cst.BaseExpression) -> tuple[str, list[str]] | None:
    """(the frame filtered, the columns it tests) when `value` keeps rows by a per-row test."""
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
        frame = _frame_name(value.func.value)
        method = value.func.attr.value
        if frame is None:
            return None
        if method == "dropna":
            return _dropna(frame, value.args)
        if method == "query" and value.args and isinstance(value.args[0].value, cst.SimpleString):
            return frame, []
        if method == "drop":
            return _drop_by_mask(frame, value.args)
        return None
    if isinstance(value, cst.Subscript) and len(value.slice) == 1:
        index = value.slice[0].slice
        target = value.value
        if isinstance(target, cst.Attribute) and target.attr.value == "loc":
            target = target.value
        frame = _frame_name(target)
        if frame is None or not isinstance(index, cst.Index):
            return None
        return _mask(frame, index.value)
    return None


def _frame_name(node: cst.BaseExpression) -> str | None:
    return node.value if isinstance(node, cst.Name) else None


def _dropna(frame: str, args: Sequence[cst.Arg]) -> tuple[str, list[str]] | None:
    columns: list[str] = []
    for arg in args:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword is None or keyword == "axis":
            if not _is_rows_axis(arg.value):
                return None  # dropna(1) / axis="columns" drops columns: not a row filter
        elif keyword == "subset":
            names = _strings(arg.value)
            if names is None:
                return None
            columns = names
        elif keyword not in ("how", "inplace"):
            return None  # thresh=...: counts across the row; kept training-only for clarity
    return frame, columns


def _is_rows_axis(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Integer):
        return node.value == "0"
    return isinstance(node, cst.SimpleString) and node.evaluated_value in ("index", "rows")


def _drop_by_mask(frame: str, args: Sequence[cst.Arg]) -> tuple[str, list[str]] | None:
    """`df.drop(df[mask].index)` / `df.drop(index=df[mask].index)`: rows where mask holds."""
    if len(args) != 1 or (args[0].keyword is not None and args[0].keyword.value != "index"):
        return None
    value = args[0].value
    if not (isinstance(value, cst.Attribute) and value.attr.value == "index"):
        return None
    inner = value.value
    if isinstance(inner, cst.Subscript) and len(inner.slice) == 1:
        index = inner.slice[0].slice
        base = inner.value
        if isinstance(base, cst.Attribute) and base.attr.value == "loc":
            base = base.value
        if _frame_name(base) == frame and isinstance(index, cst.Index):
            return _mask(frame, index.value)
    return None


def _mask(frame: str, mask: cst.BaseExpression) -> tuple[str, list[str]] | None:
    """(frame, columns tested) when `mask` is a per-row boolean test of `frame`."""
    if isinstance(mask, cst.SimpleString | cst.List | cst.Tuple | cst.Slice):
        return None
    if not isinstance(mask, cst.Comparison | cst.BinaryOperation | cst.UnaryOperation | cst.Call):
        return None
    checker = _PerRow(frame)
    mask.visit(checker)
    if not checker.per_row or not checker.reads_frame:
        return None
    return frame, checker.columns


class _PerRow(cst.CSTVisitor):
    """Whether an expression tests each row on its own, and which columns of `frame` it reads."""

    def __init__(self, frame: str) -> None:
        self.frame = frame
        self.per_row = True
        self.reads_frame = False
        self.columns: list[str] = []

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        dotted = _dotted(func)
        if dotted in PER_ROW_FUNCTIONS:
            return True
        if isinstance(func, cst.Attribute) and dotted.startswith("state."):
            return False  # a learnt statistic: one value, the same for every row
        if isinstance(func, cst.Attribute) and func.attr.value in PER_ROW_METHODS:
            return True
        self.per_row = False
        return False

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        if _frame_name(node.value) == self.frame:
            self.reads_frame = True
            if len(node.slice) == 1:
                index = node.slice[0].slice
                if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                    column = index.value.evaluated_value
                    if isinstance(column, str) and column not in self.columns:
                        self.columns.append(column)
        return True

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if _frame_name(node.value) == self.frame:
            self.reads_frame = True
            name = node.attr.value
            if name in ("index", "iloc", "shape", "values"):
                self.per_row = False  # positions and whole-frame values
            elif name not in self.columns and name not in PER_ROW_METHODS | {"loc"}:
                self.columns.append(name)
        return True


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr.value}" if head else ""
    return ""


def _strings(node: cst.BaseExpression) -> list[str] | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return [value] if isinstance(value, str) else None
    if isinstance(node, cst.List | cst.Tuple):
        found = []
        for element in node.elements:
            if not isinstance(element.value, cst.SimpleString):
                return None
            value = element.value.evaluated_value
            if not isinstance(value, str):
                return None
            found.append(value)
        return found
    return None


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _shortened(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_CONDITION else flat[: MAX_CONDITION - 3] + "..."
