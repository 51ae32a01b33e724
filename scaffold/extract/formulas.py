"""Models fitted through a formula: `smf.ols("y ~ a + C(b)", data=df).fit()`.

Such a model is served on the table's columns that its formula names: the fitted results keep the
formula's design (category levels, stateful transforms), so `results.predict(rows)` builds a
single row exactly as it built the training rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from scaffold.extract.statements import Statement

FORMULA_FUNCTIONS = frozenset(
    {
        "from_formula",
        "ols",
        "wls",
        "gls",
        "glm",
        "logit",
        "probit",
        "mnlogit",
        "poisson",
        "negativebinomial",
        "quantreg",
        "rlm",
    }
)
"""statsmodels' formula constructors (`statsmodels.formula.api` and `Model.from_formula`)."""

CALLED = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*\(")
IDENTIFIER = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(?!\s*[\w(.=])")
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")


@dataclass(frozen=True)
class FormulaFit:
    """What a formula model is fitted on.

    Attributes:
        data: the table the formula reads (`df`, `train`, `data.frame`).
        outcome: the column on the formula's left-hand side, "" when that side is an expression.
        inputs: the columns its right-hand side names, in order.
        formula: the formula as written.
        calls: the functions its terms call (`C`, `np.log` is `np`'s, `double_it`).
    """

    data: str
    outcome: str
    inputs: tuple[str, ...]
    formula: str
    calls: tuple[str, ...] = ()


def formula_fit(
    statements: Sequence[Statement], estimator: str, everything: Sequence[Statement]
) -> FormulaFit | None:
    """How `estimator` was fitted, when a formula made it.

    `statements` are the ones the model could be made in; `everything` are all the pipeline's
    statements, where a formula held in a variable (`formula = "y ~ x"`) is looked up.
    """
    strings = _string_bindings(everything)
    needed = {estimator}
    for statement in reversed(statements):
        if not statement.symbols.defines & needed:
            continue
        for call in statement.symbols.calls:
            if call.method not in FORMULA_FUNCTIONS:
                continue
            keywords = dict(call.keyword_dotted)
            formula = next((text for text in call.string_args if "~" in text), None)
            held_in = keywords.get("formula") or next(iter(call.positional_names[:1]), None)
            if formula is None and held_in:
                formula = strings.get(held_in)
            data = keywords.get("data") or next(iter(call.positional_dotted[1:2]), None)
            if formula is not None and data:
                return parse_formula(formula, data)
        needed |= statement.symbols.reads
    return None


def parse_formula(formula: str, data: str) -> FormulaFit:
    """The outcome column and the input columns of `formula`."""
    left, _, right = formula.partition("~")
    outcome = left.strip() if re.fullmatch(r"\s*[A-Za-z_]\w*\s*", left) else ""
    inputs: list[str] = []
    for name in IDENTIFIER.findall(QUOTED.sub("", right)):
        if name not in inputs and name != outcome:
            inputs.append(name)
    calls = tuple(dict.fromkeys(CALLED.findall(QUOTED.sub("", formula))))
    return FormulaFit(data, outcome, tuple(inputs), formula, calls)


def _string_bindings(statements: Sequence[Statement]) -> dict[str, str]:
    """`name = "text"` bindings, the last one of each name."""
    found: dict[str, str] = {}
    for statement in statements:
        node = statement.node
        if not isinstance(node, cst.SimpleStatementLine):
            continue
        for small in node.body:
            if not isinstance(small, cst.Assign) or len(small.targets) != 1:
                continue
            target, value = small.targets[0].target, small.value
            if isinstance(target, cst.Name) and isinstance(
                value, cst.SimpleString | cst.ConcatenatedString
            ):
                text = value.evaluated_value
                if isinstance(text, str):
                    found[target.value] = text
    return found
