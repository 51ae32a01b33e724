"""Rewrite the feature step (the prepare stage) to learn once and replay when serving.

Statistics, categories, bin edges and transformers are learnt in training through the feature
state; dataset-level steps run only while training, row filters also when serving. Takes the
planned stages, gives new ones; `binning_problem` tells beforehand what this cannot learn.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import libcst as cst

from scaffold.extract.rewrites.bin_edges import (
    DataBinning,
    PandasCut,
    binning_from_data,
    learn_bin_edges,
    pandas_cut,
)
from scaffold.extract.rewrites.categories import learn_categories
from scaffold.extract.rewrites.constants import always_add_constant
from scaffold.extract.rewrites.row_filters import served_filter
from scaffold.extract.rewrites.settings_recorded import record_settings
from scaffold.extract.rewrites.statistics import learn_statistics
from scaffold.extract.rewrites.training_only import guard, is_training_only, uses_outcome
from scaffold.extract.rewrites.transformers import fit_transformers_once
from scaffold.extract.stage_code import Stages, frozen_stages
from scaffold.extract.statements import Statement, Stmt, statement_of


def _literal_sequences(statement: Statement) -> set[str]:
    """The names `statement` binds to a list or tuple display (`bins = [0, 5, 12]`)."""
    node = statement.node
    if isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[0], cst.Assign):
        assign = node.body[0]
        if isinstance(assign.value, cst.List | cst.Tuple):
            return {t.target.value for t in assign.targets if isinstance(t.target, cst.Name)}
    return set()


def import_names(imports: Sequence[Statement]) -> dict[str, str]:
    """What the notebook's imports bind: alias -> qualified name."""
    return {item.alias: item.target for s in imports for item in s.symbols.imports}


def cut_for(
    stages: Stages, imports: Sequence[Statement], module_names: Collection[str]
) -> PandasCut:
    """How the learnt bins call `pandas.cut`: through the notebook's imports, or a new one."""
    return pandas_cut(import_names(imports), set(module_names) | _names(stages))


def binning_problem(
    stages: Stages,
    target: str | None,
    imports: Sequence[Statement],
    helpers: Sequence[Statement],
    module_names: Collection[str],
) -> str:
    """Why the feature step cannot be served for its binning ("" when it can).

    `qcut(x, 4)` or `cut(x, 5)` that the feature rewrite cannot learn bin edges for (in a loop,
    a lambda, a helper the feature step calls) decides the bins from the data being binned: a
    served row would be binned on its own.
    """
    names = import_names(imports)
    cut = cut_for(stages, imports, module_names)
    edges: set[str] = set()  # names bound to a literal list of bin edges
    for statement in stages["prepare"]:
        edges = (edges - statement.symbols.defines) | _literal_sequences(statement)
        if is_training_only(statement.node, target) is not None:
            continue
        learnt = learn_bin_edges(statement.node, set(), names, cut.name)
        binned = binning_from_data(learnt, names, edges)
        if binned:
            return _unlearnt(binned, statement)
    return _helper_binning(stages["prepare"], helpers, names)


def rewrite_prepare(
    stages: Stages,
    module_names: Collection[str],
    target: str | None,
    imports: Sequence[Statement],
    cut: PandasCut,
) -> Stages:
    """Statistics and categories learnt once; dataset-level steps only while training.

    Gives the stages with the prepare stage (and the split's statements that make the model's
    inputs) rewritten; `cut` is how learnt bins call `pandas.cut` (`cut_import` imports it).
    """
    taken: set[str] = {"raw_columns"}
    rewritten: list[Statement] = []
    names = import_names(imports)
    for statement in stages["prepare"]:
        reason = is_training_only(statement.node, target)
        node = statement.node
        if reason is None:
            node = learn_bin_edges(node, taken, names, cut.name)
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


def cut_import(cut: PandasCut, prepare: Sequence[Statement]) -> Statement | None:
    """The import of `pandas.cut` for the learnt bins of a bare `qcut(...)`, if one is needed."""
    users = [s for s in prepare if cut.name in s.symbols.reads]
    if cut.statement is None or not users:
        return None
    return statement_of(users[0].cell, 1, cst.parse_statement(cut.statement))


def _unlearnt(binned: DataBinning, statement: Statement, where: str = "") -> str:
    line = statement.line + binned.line - 1
    return (
        f"cell {statement.cell}, line {line}: {binned.what}{where} learns its bin edges from the "
        "data it is given, so a served row would be binned on its own; pass explicit bins to "
        "serve the model"
    )


def _names(stages: Stages) -> set[str]:
    """Every module-level name the stages bind or read."""
    return {
        name
        for statements in stages.values()
        for statement in statements
        for name in statement.symbols.defines | statement.symbols.reads
    }


def _helper_binning(
    prepare: Sequence[Statement], helpers: Sequence[Statement], imports: dict[str, str]
) -> str:
    """A helper the feature step calls that bins by its own data: its rows decide the edges."""
    called = {  # `bands(df["fare"])`, `df["fare"].pipe(bands)`
        name
        for statement in prepare
        for name in statement.symbols.reads | {call.dotted for call in statement.symbols.calls}
    }
    for helper in helpers:
        node = helper.node
        if isinstance(node, cst.FunctionDef) and node.name.value in called:
            binned = binning_from_data(node, imports)
            if binned:
                where = f" in '{node.name.value}', which the feature step calls,"
                return _unlearnt(binned, helper, where)
    return ""


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
