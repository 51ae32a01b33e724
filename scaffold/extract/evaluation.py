"""Rewrite the evaluate stage: printed and displayed metrics become entries of a dictionary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from scaffold.analysis import Analysis
from scaffold.cst_search import is_call_of
from scaffold.extract.plan import (
    split_outputs,
)
from scaffold.extract.rewrites.metrics import (
    MetricSpec,
    is_metric_call,
    metric_assignments,
    printed_metrics,
    score_arrays,
    slug,
)
from scaffold.extract.rewrites.print_helpers import print_helpers
from scaffold.extract.rewrites.report_metrics import is_classification_report, report_assignments
from scaffold.extract.stage_code import Stages, frozen_stages
from scaffold.extract.statements import Statement, Stmt, statement_of
from scaffold.extract.table_metrics import TABLE_FUNCTIONS, TableRewrite, TableSpec
from scaffold.naming import unique_name

NON_SCALAR_METRICS = frozenset({"classification_report", "confusion_matrix"})


def may_show_metric(statement: Statement) -> bool:
    """A print, or a displayed f-string, name or metric call: a metric if it is evaluated."""
    node = statement.node
    if not isinstance(node, cst.SimpleStatementLine) or not isinstance(node.body[0], cst.Expr):
        return False
    value = node.body[0].value
    if isinstance(value, cst.Call):
        return _is_print(statement) or is_metric_call(value)
    return isinstance(value, cst.FormattedString | cst.Name)


@dataclass(frozen=True)
class Evaluated:
    """The evaluate stage rewritten, and what it returns.

    Attributes:
        stages: the stages, with the evaluate stage's shown metrics as dictionary entries.
        metrics: the metrics the evaluation returns, in order.
        tables: the shown tables whose numbers it returns too.
        module_names: the names the generated code takes from modules, with the functions the
            rewritten evaluation calls (the template's table readers, a default metric).
    """

    stages: Stages
    metrics: tuple[MetricSpec, ...]
    tables: tuple[TableSpec, ...]
    module_names: frozenset[str]


def rewrite_evaluate(
    stages: Stages,
    *,
    names: EvaluationNames,
    task: str,
    results: Mapping[int, str],
    tables: TableRewrite,
) -> Evaluated:
    """Printed and displayed metrics become entries of a `metrics` dictionary.

    `results`: cell -> the text of the value it showed last, when the notebook kept it.
    `tables`: turns a shown results summary or frame of scores into metrics.
    """
    statements = stages["evaluate"]
    module_names = set(names.module_names)
    metrics: list[MetricSpec] = []
    metric_names = {
        name
        for s in statements
        if s.kind == "assign" and _calls_scalar_metric(s)
        for name in s.symbols.defines
    }
    taken: set[str] = set()
    rewritten: list[Statement] = [
        statement_of(0, 0, cst.parse_statement(f"{names.metrics_name}: dict[str, float] = {{}}"))
    ]
    heading = ""  # the text of a print that shows only a label, for the next number's key
    helpers = print_helpers(helper.node for helper in names.helpers)
    arrays = score_arrays(statements)
    for statement in statements:
        table = tables.rewritten(statement)
        if table is not None:
            rewritten += table
            module_names |= TABLE_FUNCTIONS  # the template's, imported by the assembly
            continue
        found = printed_metrics(statement.node, metric_names, helpers, arrays)
        for _, _, value in found:
            if isinstance(value, cst.Call) and is_classification_report(value):
                report = unique_name("report", module_names | metric_names | taken)
                lines, rows = report_assignments(value, taken, names.metrics_name, report)
                rewritten += [statement_of(statement.cell, statement.line, a) for a in lines]
                metrics += [MetricSpec(k, label, statement.cell, col) for k, label, col in rows]
        found = [item for item in found if not _non_scalar(item[2])]
        if found and not _shows_a_number(statement, results.get(statement.cell)):
            found = []  # the notebook showed a table (or text) there, not one number
        found = [(label, _key(label, key, heading), value) for label, key, value in found]
        heading = _printed_text(statement.node) or ("" if found else heading)
        if found:
            assignments, specs = metric_assignments(found, taken, names.metrics_name)
            rewritten += [statement_of(statement.cell, statement.line, a) for a in assignments]
            metrics += [MetricSpec(key, label, statement.cell) for key, label in specs]
            continue
        if may_show_metric(statement):
            continue  # shown, and not a metric
        rewritten.append(statement)
    split = split_outputs(stages["split"])
    estimator = names.estimator
    if (
        not metrics
        and estimator
        and split
        and task in DEFAULT_METRICS
        and _bound_once(stages, {split[1], split[3]})
    ):
        # The notebook printed no number: report the usual one for the task on the test rows.
        metric = DEFAULT_METRICS[task]
        if task == "survival":  # a survival estimator's own score is Harrell's concordance
            computed = f"{estimator}.score({split[1]}, {split[3]})"
        else:
            computed = f"{metric}({split[3]}, {estimator}.predict({split[1]}))"
            module_names.add(metric)
        score = f'{names.metrics_name}["{metric.removesuffix("_score")}"] = float({computed})'
        rewritten.append(statement_of(0, 0, cst.parse_statement(score)))
    if len(rewritten) > 1 or statements:
        stages = frozen_stages({**stages, "evaluate": rewritten})
    return Evaluated(stages, tuple(metrics), tuple(tables.specs), frozenset(module_names))


@dataclass(frozen=True)
class EvaluationNames:
    """The planned names the evaluation's rewrite works with.

    Attributes:
        metrics_name: the dictionary the evaluation returns.
        estimator: the fitted model, when there is one.
        module_names: the names the generated code takes from modules.
        helpers: the notebook's functions (a print helper may print a metric).
    """

    metrics_name: str
    estimator: str | None
    module_names: frozenset[str]
    helpers: tuple[Statement, ...]


def _shows_a_number(statement: Statement, result: str | None) -> bool:
    """A displayed expression (`extract_score(cv)`, the cell's value) showed one number.

    Only a bare expression, and only when the notebook kept the cell's result: a metric helper
    of the notebook may return a table, which `float()` would refuse.
    """
    node = statement.node
    if result is None or not isinstance(node, cst.SimpleStatementLine):
        return True
    small = node.body[0]
    if not isinstance(small, cst.Expr) or is_call_of(small.value, "print"):
        return True
    try:
        float(result.strip().strip("'\""))  # a formatted string shows in quotes
    except ValueError:
        return False
    return True


def shown_results(analysis: Analysis) -> dict[int, str]:
    """Cell -> the text/plain of its result (the value of its last expression), if kept."""
    shown = {}
    for cell in analysis.cells:
        results = [out.text for out in cell.cell.outputs if out.kind == "result"]
        if results:
            shown[cell.number] = results[-1]
    return shown


def _bound_once(stages: Stages, names: set[str]) -> bool:
    """No statement after the split binds the held-out rows or outcome again.

    A second split (`X_train, X_test, Y_train, Y_test = ...`) makes the first one's names
    stale: a default metric would pair one split's outcome with another's rows.
    """
    binding = [
        statement
        for stage in ("split", "train", "evaluate")
        for statement in stages[stage]
        if names & (statement.symbols.defines | statement.symbols.mutated_names)
    ]
    return len(binding) <= 1


DEFAULT_METRICS = {
    "classification": "accuracy_score",
    "regression": "r2_score",
    "survival": "concordance_index",
}
"""The metric reported when a notebook with a train/test split prints none."""


def _key(label: str, key: str, heading: str) -> str:
    """An unlabelled number takes its key from the label printed just before it."""
    return slug(heading) or key if not label.strip() and heading else key


def _printed_text(node: Stmt) -> str | None:
    """The text of `print("some text")`, if that is all the statement does."""
    if not (isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[0], cst.Expr)):
        return None
    call = node.body[0].value
    if (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Name)
        and call.func.value == "print"
        and len(call.args) == 1
        and isinstance(call.args[0].value, cst.SimpleString)
    ):
        text = call.args[0].value.evaluated_value
        return text if isinstance(text, str) else None
    return None


def _calls_scalar_metric(statement: Statement) -> bool:
    node = statement.node
    return is_metric_call(node) and not any(
        call.method in NON_SCALAR_METRICS for call in statement.symbols.calls
    )


def _non_scalar(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Call) and (
        getattr(node.func, "value", None) in NON_SCALAR_METRICS
        or (isinstance(node.func, cst.Attribute) and node.func.attr.value in NON_SCALAR_METRICS)
    )


def _is_print(statement: Statement) -> bool:
    return any(call.dotted == "print" for call in statement.symbols.calls)
