"""Rewrite the feature step (the prepare stage) to learn once and replay when serving.

Statistics, categories, bin edges and transformers are learnt in training through the feature
state; dataset-level steps run only while training, row filters also when serving. Takes the
planned stages, gives new ones; `binning_problem` tells beforehand what this cannot learn.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import libcst as cst

from scaffold.extract.rewrites.bin_edges import learn_bin_edges
from scaffold.extract.rewrites.categories import learn_categories
from scaffold.extract.rewrites.constants import always_add_constant
from scaffold.extract.rewrites.row_filters import served_filter
from scaffold.extract.rewrites.settings_recorded import record_settings
from scaffold.extract.rewrites.statistics import learn_statistics
from scaffold.extract.rewrites.training_only import guard, is_training_only, uses_outcome
from scaffold.extract.rewrites.transformers import fit_transformers_once
from scaffold.extract.stage_code import Stages, frozen_stages
from scaffold.extract.statements import Statement, Stmt


def _literal_sequences(statement: Statement) -> set[str]:
    """The names `statement` binds to a list or tuple display (`bins = [0, 5, 12]`)."""
    node = statement.node
    if isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[0], cst.Assign):
        assign = node.body[0]
        if isinstance(assign.value, cst.List | cst.Tuple):
            return {t.target.value for t in assign.targets if isinstance(t.target, cst.Name)}
    return set()


def _binning_from_data(statement: Statement, edges: Collection[str] = ()) -> str | None:
    """`pd.cut(x, 5)` / `pd.qcut(x, q=4)`: bins computed from the values being binned.

    `edges`: names bound to literal lists of bin edges (`pd.cut(x, bins)` with those is fine).
    """
    found: list[str] = []

    class _Finder(cst.CSTVisitor):
        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False  # `state.statistic(..., lambda: ...)`: learnt in training

        def visit_Call(self, node: cst.Call) -> None:
            name = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
            bins = _bins(node)
            if name == "qcut":
                found.append("qcut()")
            elif (
                name == "cut"
                and isinstance(bins, cst.Integer | cst.Name | cst.Attribute)
                and not (isinstance(bins, cst.Name) and bins.value in edges)
            ):
                found.append("cut() with a number of bins")

    statement.node.visit(_Finder())
    return found[0] if found else None


def _bins(call: cst.Call) -> cst.BaseExpression | None:
    """The `bins` argument of `pd.cut(x, bins)`, given by keyword or second."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "bins":
            return arg.value
    positional = [arg.value for arg in call.args if arg.keyword is None]
    return positional[1] if len(positional) > 1 else None


def binning_problem(prepare: Sequence[Statement], target: str | None) -> str:
    """Why the feature step cannot be served for its binning ("" when it can).

    `pd.cut(x, 5)` or `pd.qcut(x, q=4)` that the feature rewrite cannot learn bin edges for
    decides the bins from the data being binned: a served row would be binned on its own.
    """
    edges: set[str] = set()  # names bound to a literal list of bin edges
    for statement in prepare:
        edges = (edges - statement.symbols.defines) | _literal_sequences(statement)
        if is_training_only(statement.node, target) is not None:
            continue
        learnt = statement.replaced(learn_bin_edges(statement.node, set()))
        binned = _binning_from_data(learnt, edges)
        if binned:
            return (
                f"cell {statement.cell}, line {statement.line}: {binned} learns its bin edges "
                "from the data it is given, so a served row would be binned on its own; "
                "pass explicit bins to serve the model"
            )
    return ""


def rewrite_prepare(stages: Stages, module_names: Collection[str], target: str | None) -> Stages:
    """Statistics and categories learnt once; dataset-level steps only while training.

    Gives the stages with the prepare stage (and the split's statements that make the model's
    inputs) rewritten.
    """
    taken: set[str] = {"raw_columns"}
    rewritten: list[Statement] = []
    for statement in stages["prepare"]:
        reason = is_training_only(statement.node, target)
        node = statement.node
        if reason is None:
            node = learn_bin_edges(node, taken)
            node, _ = learn_statistics(node, module_names, taken)
            node = learn_categories(node, taken)
            node = fit_transformers_once(node, taken)
            node = record_settings(node)
            node = always_add_constant(node)
        else:
            served = _served_filter(node, statement.cell, target, module_names, taken)
            node = served or guard([node], reason)
        rewritten.append(statement.replaced(node))
    # the split stage's statements before the split make the model's inputs: feature step too
    split = [_rewritten(s, always_add_constant) for s in stages["split"]]
    return frozen_stages({**stages, "prepare": rewritten, "split": split})


def _served_filter(
    node: Stmt, cell: int, target: str | None, module_names: Collection[str], taken: set[str]
) -> Stmt | None:
    """A row filter that serving runs too (rejecting the rows it removes), or None."""
    if uses_outcome(node, target):
        return None  # a request has no outcome
    learnt, _ = learn_statistics(node, module_names, taken)
    return served_filter(learnt, cell)


def _rewritten(statement: Statement, rewrite: Callable[[Stmt], Stmt]) -> Statement:
    """`statement` after `rewrite`; analysed again only when the rewrite changed it."""
    node = rewrite(statement.node)
    return statement if node is statement.node else statement.replaced(node)
