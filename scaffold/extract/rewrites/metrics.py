"""Turn printed metrics into entries of the evaluation's metrics dictionary.

`print(f"Accuracy: {accuracy_score(y_test, y_pred):.4f}")` becomes
`metrics["accuracy"] = float(accuracy_score(y_test, y_pred))`, and the label and format are
recorded so the number the notebook printed can be found in its output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import libcst as cst

from scaffold.analysis.roles import METRIC_NAMES, METRIC_SUFFIXES
from scaffold.cst_search import find_all
from scaffold.extract.rewrites.print_helpers import inlined_prints
from scaffold.extract.rewrites.print_pieces import Piece, Separator, print_pieces, string_pieces
from scaffold.extract.rewrites.report_metrics import is_classification_report
from scaffold.extract.statements import Statement, Stmt
from scaffold.naming import unique_name


@dataclass(frozen=True)
class MetricSpec:
    """A metric the notebook printed.

    Attributes:
        key: its key in the metrics dictionary.
        label: the text printed before the number (`"Accuracy: "`), used to find the number in
            the notebook's output.
        cell: the cell that printed it.
        column: which number of the labelled line is this metric (a report row holds several).
    """

    key: str
    label: str
    cell: int
    column: int = 0


def slug(text: str) -> str:
    """`"ROC AUC:"` -> `roc_auc`."""
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()[:40].strip("_")


def is_metric_call(node: cst.CSTNode) -> bool:
    """A call of a metric function or `.score()` anywhere in `node`."""
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            nonlocal found
            func = call.func
            name = (
                func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
            )
            if isinstance(name, str) and (name in METRIC_NAMES or name.endswith(METRIC_SUFFIXES)):
                found = True

    node.visit(_Finder())
    return found


def printed_metrics(
    statement: Stmt,
    metric_names: set[str],
    helpers: Mapping[str, cst.FunctionDef] | None = None,
    score_arrays: frozenset[str] = frozenset(),
) -> list[tuple[str, str, cst.BaseExpression]]:
    """The (label, key, expression) of each number a `print(...)` statement shows.

    A value counts as a metric when it calls a metric function, is a name bound to one
    (`metric_names`) or a summary of cross-validation scores (`scores.mean()`), or is printed
    with a number format (`:.4f`). A call of one of the notebook's print `helpers` shows what
    the helper prints. `score_arrays`: names bound to cross-validation scores (an array or a
    dict), metrics only when summarised.
    """
    inlined = inlined_prints(statement, helpers or {})
    if inlined:
        return [
            found
            for line in inlined
            for found in printed_metrics(line, metric_names, score_arrays=score_arrays)
        ]
    arrays = score_arrays
    metric_names = metric_names - arrays
    shown = _shown_value(statement)
    if shown is not None:
        if isinstance(shown, cst.FormattedString | cst.ConcatenatedString):
            return _from_pieces(string_pieces(shown), metric_names, arrays)
        return _labelled("", [shown], metric_names, numeric=False, arrays=arrays)
    call = _print_call(statement)
    if call is None or not call.args:
        return []
    first = call.args[0].value
    if is_classification_report(first):
        return [("", "report", first)]
    if (
        isinstance(first, cst.Call)
        and isinstance(first.func, cst.Attribute)
        and first.func.attr.value == "format"
        and isinstance(first.func.value, cst.SimpleString)
    ):
        template = first.func.value.evaluated_value
        if isinstance(template, str):
            label = template.split("{", 1)[0]
            values = [arg.value for arg in first.args if arg.keyword is None]
            return _labelled(
                label, values[:1], metric_names, numeric="{:" in template, arrays=arrays
            )
    if (
        isinstance(first, cst.BinaryOperation)
        and isinstance(first.operator, cst.Modulo)
        and isinstance(first.left, cst.SimpleString)
    ):
        # print("Accuracy: %.4f" % value) or print("%s: %.4f" % (name, value))
        template = first.left.evaluated_value
        if isinstance(template, str):
            right = first.right
            values = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
            specs = re.findall(r"%[-+ 0#]*\d*(?:\.\d+)?([a-zA-Z%])", template)
            specs = [spec for spec in specs if spec != "%"]
            numbers = [i for i, spec in enumerate(specs) if spec in "eEfFgG"]
            if not numbers or len(specs) != len(values):
                return []
            position = numbers[0]  # the number found in the output is the first one
            label = re.split(r"%[-+ 0#]*\d*(?:\.\d+)?[a-zA-Z]", template)[position]
            return _labelled(label, [values[position]], metric_names, numeric=True, arrays=arrays)
    return _from_pieces(print_pieces(call), metric_names, arrays)


def _from_pieces(
    pieces: list[Piece], metric_names: set[str], arrays: frozenset[str] = frozenset()
) -> list[tuple[str, str, cst.BaseExpression]]:
    """Each metric value with the text printed since the value before it as its label.

    A value followed by a `%` sign is a percentage: `acc * 100` becomes `acc`, and its
    printed number is read as a fraction.
    """
    found = []
    label = ""
    for index, piece in enumerate(pieces):
        if isinstance(piece, str):
            following = pieces[index + 1 : index + 2]
            if not (
                isinstance(piece, Separator) and following and not isinstance(following[0], str)
            ):
                label += piece
            continue
        value, numeric = piece
        after = "".join(p for p in pieces[index + 1 :][:2] if isinstance(p, str))
        if after.lstrip().startswith("%"):
            value = _without_hundred(_unrounded(value))
        found += _labelled(label, [value], metric_names, numeric=numeric, arrays=arrays)
        label = ""
    return found


def _without_hundred(value: cst.BaseExpression) -> cst.BaseExpression:
    """`acc` of `acc * 100` or `100 * acc`: the fraction a percentage shows."""
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Multiply):
        for number, other in ((value.right, value.left), (value.left, value.right)):
            if isinstance(number, cst.Integer | cst.Float) and float(number.value) == 100:
                return other.with_changes(lpar=[], rpar=[]) if other.lpar else other
    return value


def _unrounded(value: cst.BaseExpression) -> cst.BaseExpression:
    """`x` of `round(x, 3)`: the metric itself, not the rounding done to show it."""
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == "round"
        and value.args
        and value.args[0].keyword is None
    ):
        return value.args[0].value
    return value


def _shown_value(statement: Stmt) -> cst.BaseExpression | None:
    """The value of a bare expression statement (what a cell displays), if it is one."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    expr = statement.body[0]
    if not isinstance(expr, cst.Expr) or isinstance(expr.value, cst.SimpleString):
        return None
    value = expr.value
    if isinstance(value, cst.Call) and (_print_call(statement) or not is_metric_call(value)):
        return None
    return value


def _print_call(statement: Stmt) -> cst.Call | None:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    expr = statement.body[0]
    if (
        isinstance(expr, cst.Expr)
        and isinstance(expr.value, cst.Call)
        and isinstance(expr.value.func, cst.Name)
        and expr.value.func.value == "print"
    ):
        return expr.value
    return None


NOT_NUMBERS = frozenset(
    {
        "f_test",
        "t_test",
        "confusion_matrix",
        "concordance_index_censored",
        "concordance_index_ipcw",
        "cross_val",  # cross_val_score: one score per fold
        "cross_validate",
    }
)
"""Evaluation calls whose result is a table, a tuple or an array, not one number."""


def _labelled(
    label: str,
    values: list[cst.BaseExpression],
    metric_names: set[str],
    *,
    numeric: bool,
    arrays: frozenset[str] = frozenset(),
) -> list[tuple[str, str, cst.BaseExpression]]:
    found = []
    for value in map(_unrounded, values):
        named = isinstance(value, cst.Name) and value.value in metric_names
        named = named or _summarises_scores(value, metric_names | arrays)
        if not (numeric or named or is_metric_call(value)) or _callee(value) in NOT_NUMBERS:
            continue
        if not is_metric_call(value) and _measures_time(label, value):
            continue  # a run time is no number to reproduce
        key = value.value if isinstance(value, cst.Name) else slug(label) or _callee(value)
        found.append((label, key, value))
    return found


TIMING_LABEL = re.compile(r"\b(done in|took|elapsed|seconds|duration|run ?time|fit time)\b", re.I)
CLOCKS = frozenset({"time", "perf_counter", "monotonic", "process_time", "time_ns"})


def _measures_time(label: str, value: cst.BaseExpression) -> bool:
    """`f"done in {time() - t0:.3f}s"`, `f"Elapsed: {toc - tic:.2f}"`: a wall-clock reading."""
    if TIMING_LABEL.search(label):
        return True
    clocks = find_all(value, cst.Call, lambda call: isinstance(call.func, cst.Name | cst.Attribute))
    return any(_callee_name(call) in CLOCKS for call in clocks)


def _code(node: cst.BaseExpression) -> str:
    """`cv["test_score"]` as written; its slug names a summary of it."""
    return cst.Module(body=[]).code_for_node(node)


def _callee_name(call: cst.Call) -> str:
    func = call.func
    return func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")


CROSS_VALIDATION_SCORES = frozenset({"cross_val_score", "cross_validate"})


def score_arrays(statements: Iterable[Statement]) -> frozenset[str]:
    """Names bound to cross-validation scores (`scores = cross_val_score(...)`): not one number."""
    return frozenset(
        name
        for statement in statements
        if statement.kind == "assign"
        and any(
            call.module_level and call.method in CROSS_VALIDATION_SCORES
            for call in statement.symbols.calls
        )
        for name in statement.symbols.defines
    )


REDUCTIONS = frozenset({"mean", "std", "median", "min", "max"})
"""Summaries of the scores of several folds printed as one number."""


def _reduced(value: cst.BaseExpression) -> tuple[str, cst.BaseExpression] | None:
    """(`mean`, `scores`) of `scores.mean()` or `np.mean(scores)`."""
    if not isinstance(value, cst.Call) or _callee_name(value) not in REDUCTIONS:
        return None
    func = value.func
    if isinstance(func, cst.Attribute) and not value.args:
        if isinstance(func.value, cst.Name) and func.value.value in ("np", "numpy", "statistics"):
            return None
        return func.attr.value, func.value
    positional = [arg.value for arg in value.args if arg.keyword is None]
    return (_callee_name(value), positional[0]) if len(positional) == 1 else None


def _summarises_scores(value: cst.BaseExpression, metric_names: set[str]) -> bool:
    """`scores.mean()`, `np.mean(cv["test_score"])`: a summary of cross-validation scores."""
    reduced = _reduced(value)
    if reduced is None:
        return False
    scores = reduced[1]
    if isinstance(scores, cst.Name):
        return scores.value in metric_names
    if isinstance(scores, cst.Subscript) and len(scores.slice) == 1:
        index = scores.slice[0].slice
        key = index.value if isinstance(index, cst.Index) else None
        text = key.evaluated_value if isinstance(key, cst.SimpleString) else None
        return isinstance(text, str) and text.startswith(("test_", "train_"))
    return is_metric_call(scores)


def _callee(value: cst.BaseExpression) -> str:
    reduced = _reduced(value)
    if reduced is not None:
        reduction, scores = reduced
        inner = _callee(scores) if isinstance(scores, cst.Call) else slug(_code(scores))
        return f"{inner}_{reduction}" if inner != "metric" else reduction
    if isinstance(value, cst.Call):
        return re.sub(r"_score$", "", str(_callee_name(value))) or "metric"
    return "metric"


def metric_assignments(
    found: list[tuple[str, str, cst.BaseExpression]], taken: set[str], dict_name: str = "metrics"
) -> tuple[list[cst.SimpleStatementLine], list[tuple[str, str]]]:
    """`metrics["key"] = float(value)` statements, and (key, label) of each."""
    statements, specs = [], []
    for label, base, value in found:
        key = unique_name(base, taken)
        target = cst.Subscript(
            value=cst.Name(dict_name),
            slice=[cst.SubscriptElement(cst.Index(cst.SimpleString(f'"{key}"')))],
        )
        number = cst.Call(func=cst.Name("float"), args=[cst.Arg(value)])
        statements.append(cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(target)], number)]))
        specs.append((key, label))
    return statements, specs
