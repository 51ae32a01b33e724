"""A printed `classification_report` becomes its summary numbers in the metrics dictionary.

`print(classification_report(y_test, pred))` -> `report = classification_report(y_test, pred,
output_dict=True)` and one `metrics[...]` entry per summary number.
"""

from __future__ import annotations

import libcst as cst

from scaffold.naming import unique_name

REPORT_ROWS = (
    ("accuracy", "accuracy", ()),
    ("macro avg", "macro_avg", ("precision", "recall", "f1-score")),
    ("weighted avg", "weighted_avg", ("precision", "recall", "f1-score")),
)
"""The summary rows of `classification_report`: printed label, key prefix, columns."""


def is_classification_report(node: cst.BaseExpression) -> bool:
    """A call of `classification_report(...)` (as a name or an attribute)."""
    if not isinstance(node, cst.Call):
        return False
    func = node.func
    name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
    return name == "classification_report"


def report_assignments(
    call: cst.Call, taken: set[str], dict_name: str, report_name: str
) -> tuple[list[cst.SimpleStatementLine], list[tuple[str, str, int]]]:
    """The summary numbers of a printed classification report as metrics.

    `report = classification_report(..., output_dict=True)` then one `metrics[...]` entry per
    summary number; returns the statements and (key, printed row label, column) of each.
    """
    args = [a for a in call.args if not (a.keyword and a.keyword.value == "output_dict")]
    args = [*args[:-1], args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)] if args else args
    as_dict = call.with_changes(
        args=[
            *args,
            cst.Arg(
                cst.Name("True"),
                keyword=cst.Name("output_dict"),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            ),
        ]
    )
    statements = [
        cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(report_name))], as_dict)])
    ]
    specs = []
    for label, prefix, columns in REPORT_ROWS:
        for column, field in enumerate(columns or ("",)):
            base = f"{prefix}_{field.replace('-', '_')}" if field else prefix
            key = unique_name(base, taken)
            lookup = f'{report_name}["{label}"]' + (f'["{field}"]' if field else "")
            entry = cst.parse_statement(f'{dict_name}["{key}"] = float({lookup})')
            assert isinstance(entry, cst.SimpleStatementLine)
            statements.append(entry)
            specs.append((key, label, column))
    return statements, specs
