"""Keep dataset-level steps out of serving: they run only while training.

Dropping rows (`dropna`, `drop_duplicates`, boolean filters, `query`, `sample`) and anything that
uses the outcome column makes sense for a training set, not for a request: such a statement is
wrapped in `if state.fitting:`.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from scaffold.extract.statements import Stmt

ROW_DROPPING_METHODS = frozenset(
    {"dropna", "drop_duplicates", "query", "sample", "head", "tail", "nlargest", "nsmallest"}
)


def is_training_only(node: Stmt, target: str | None) -> str | None:
    """Why `node` is a training-only step, or None when it applies to single rows too."""
    finder = _Finder(target)
    node.visit(finder)
    return finder.reason


def uses_outcome(node: Stmt, target: str | None) -> bool:
    """Whether `node` names the outcome column (a request does not have it)."""
    finder = _Finder(target)
    node.visit(finder)
    return finder.uses_target


class _Finder(cst.CSTVisitor):
    def __init__(self, target: str | None) -> None:
        self.target = target
        self.reason: str | None = None
        self.uses_target = False
        self._dropped: set[int] = set()  # column names a `.drop(...)` removes

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) in self._dropped:
            return  # `df.drop(columns=["churn"])` works on a request too (its outcome is empty)
        if self.target is not None and node.evaluated_value == self.target:
            self.uses_target = True
            self.reason = self.reason or f"uses the outcome column {self.target!r}"

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "drop" and _drops_columns(node):
            for arg in node.args:
                for string in _strings_in(arg.value):
                    self._dropped.add(id(string))
        if isinstance(func, cst.Attribute) and func.attr.value in ROW_DROPPING_METHODS:
            self.reason = self.reason or f"drops rows (.{func.attr.value}())"
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "drop"
            and any(
                arg.keyword is not None and arg.keyword.value in ("index", "labels")
                for arg in node.args
            )
        ):
            self.reason = self.reason or "drops rows (.drop(index=...))"
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "drop"
            and node.args
            and node.args[0].keyword is None
            and isinstance(node.args[0].value, cst.Attribute)
            and node.args[0].value.attr.value == "index"
        ):
            self.reason = self.reason or "drops rows (.drop(frame[...].index))"

    def visit_Assign(self, node: cst.Assign) -> None:
        # df = df[df["age"] > 0] / df = df.loc[mask, cols] / df = df[:100]: a row filter
        value = node.value
        if isinstance(value, cst.Subscript) and value.slice:
            reason = _row_selection(value)
            self.reason = self.reason or reason


MASK_METHODS = frozenset(
    {
        "notna", "notnull", "isna", "isnull", "isin", "between", "duplicated", "eq", "ne",
        "lt", "gt", "le", "ge", "contains", "startswith", "endswith", "any", "all",
    }
)  # fmt: skip


def _row_selection(subscript: cst.Subscript) -> str | None:
    """Why `frame[...]` keeps only some rows, or None when it selects columns."""
    first = subscript.slice[0].slice
    by_label = isinstance(subscript.value, cst.Attribute) and subscript.value.attr.value in (
        "loc",
        "iloc",
    )
    if isinstance(first, cst.Slice):
        whole = first.lower is None and first.upper is None and first.step is None
        return None if whole else "keeps only some rows (a slice)"
    if not isinstance(first, cst.Index):
        return None
    index = first.value
    if by_label:
        return "keeps only some rows (.loc[...])"
    if len(subscript.slice) != 1 or isinstance(
        index, cst.SimpleString | cst.List | cst.ConcatenatedString
    ):
        return None
    if isinstance(index, cst.Comparison | cst.BinaryOperation | cst.UnaryOperation):
        return "keeps only some rows (a boolean filter)"
    if (
        isinstance(index, cst.Call)
        and isinstance(index.func, cst.Attribute)
        and index.func.attr.value in MASK_METHODS
    ):
        return "keeps only some rows (a boolean filter)"
    return None


def guard(statements: Sequence[Stmt], reason: str, state_name: str = "state") -> cst.If:
    """`if state.fitting:  # training only: REASON` around `statements`."""
    body = [statements[0].with_changes(leading_lines=[]), *statements[1:]]
    return cst.If(
        test=cst.Attribute(cst.Name(state_name), cst.Name("fitting")),
        body=cst.IndentedBlock(
            body=body,
            header=cst.TrailingWhitespace(
                whitespace=cst.SimpleWhitespace("  "),
                comment=cst.Comment(f"# training only: {reason}"),
            ),
        ),
    )


def _drops_columns(call: cst.Call) -> bool:
    """`df.drop(columns=...)`, `df.drop("a", axis=1)`: the call removes columns, not rows."""
    for arg in call.args:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword == "columns":
            return True
        if keyword == "axis":
            value = arg.value
            return (isinstance(value, cst.Integer) and value.value == "1") or (
                isinstance(value, cst.SimpleString) and value.evaluated_value == "columns"
            )
    return False


def _strings_in(node: cst.BaseExpression) -> list[cst.SimpleString]:
    """The string literals `node` is or lists (`"a"`, `["a", "b"]`)."""
    if isinstance(node, cst.SimpleString):
        return [node]
    if isinstance(node, cst.List | cst.Tuple):
        return [e.value for e in node.elements if isinstance(e.value, cst.SimpleString)]
    return []
