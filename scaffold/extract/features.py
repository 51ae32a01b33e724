"""Rewrite the feature step (the prepare stage) to learn once and replay when serving.

Statistics, categories, bin edges and transformers are learnt in training through the feature
state; dataset-level steps run only while training, row filters also when serving.
"""

from __future__ import annotations

from collections.abc import Callable

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
from scaffold.extract.stage_code import (
    StageCode,
)
from scaffold.extract.statements import Statement, Stmt, statement_of


def _literal_sequences(statement: Statement) -> set[str]:
    """The names `statement` binds to a list or tuple display (`bins = [0, 5, 12]`)."""
    node = statement.node
    if isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[0], cst.Assign):
        assign = node.body[0]
        if isinstance(assign.value, cst.List | cst.Tuple):
            return {t.target.value for t in assign.targets if isinstance(t.target, cst.Name)}
    return set()


def rewrite_prepare(
    stages: dict[str, list[Statement]], code: StageCode, target: str | None
) -> None:
    """Statistics and categories learnt once; dataset-level steps only while training."""
    taken: set[str] = {"raw_columns"}
    rewritten: list[Statement] = []
    edges: set[str] = set()  # names bound to a literal list of bin edges
    imports = {item.alias: item.target for s in code.imports for item in s.symbols.imports}
    cut = pandas_cut(imports, code.module_names | _names(stages))
    for statement in stages["prepare"]:
        reason = is_training_only(statement.node, target)
        node = statement.node
        edges = (edges - statement.symbols.defines) | _literal_sequences(statement)
        if reason is None:
            node = learn_bin_edges(node, taken, imports, cut.name)
            binned = binning_from_data(node, imports, edges)
            if binned and not code.feature_problem:
                code.feature_problem = _unlearnt(binned, statement)
            node, _ = learn_statistics(node, code.module_names, taken)
            node = learn_categories(node, taken)
            node = fit_transformers_once(node, taken)
            node = record_settings(node)
            node = always_add_constant(node)
        else:
            served = _served_filter(node, statement.cell, target, code, taken)
            node = served or guard([node], reason)
        rewritten.append(statement.replaced(node))
    stages["prepare"] = rewritten
    _import_cut(cut, rewritten, code)
    _check_helpers(rewritten, code, imports)
    # the split stage's statements before the split make the model's inputs: feature step too
    stages["split"] = [_rewritten(s, always_add_constant) for s in stages["split"]]


def _unlearnt(binned: DataBinning, statement: Statement, where: str = "") -> str:
    line = statement.line + binned.line - 1
    return (
        f"cell {statement.cell}, line {line}: {binned.what}{where} learns its bin edges from the "
        "data it is given, so a served row would be binned on its own; pass explicit bins to "
        "serve the model"
    )


def _names(stages: dict[str, list[Statement]]) -> set[str]:
    """Every module-level name the stages bind or read."""
    return {
        name
        for statements in stages.values()
        for statement in statements
        for name in statement.symbols.defines | statement.symbols.reads
    }


def _import_cut(cut: PandasCut, prepare: list[Statement], code: StageCode) -> None:
    """Import `pandas.cut` for the learnt bins of a bare `qcut(...)`, if the notebook did not."""
    users = [s for s in prepare if cut.name in s.symbols.reads]
    if cut.statement is not None and users:
        code.imports.append(statement_of(users[0].cell, 1, cst.parse_statement(cut.statement)))
        code.module_names.add(cut.name)  # no parameter of the stage functions


def _check_helpers(prepare: list[Statement], code: StageCode, imports: dict[str, str]) -> None:
    """A helper the feature step calls that bins by its own data: its rows decide the edges."""
    called = {  # `bands(df["fare"])`, `df["fare"].pipe(bands)`
        name
        for statement in prepare
        for name in statement.symbols.reads | {call.dotted for call in statement.symbols.calls}
    }
    for helper in code.helpers:
        node = helper.node
        if isinstance(node, cst.FunctionDef) and node.name.value in called:
            binned = binning_from_data(node, imports)
            if binned and not code.feature_problem:
                where = f" in '{node.name.value}', which the feature step calls,"
                code.feature_problem = _unlearnt(binned, helper, where)


def _served_filter(
    node: Stmt, cell: int, target: str | None, code: StageCode, taken: set[str]
) -> Stmt | None:
    """A row filter that serving runs too (rejecting the rows it removes), or None."""
    if uses_outcome(node, target):
        return None  # a request has no outcome
    learnt, _ = learn_statistics(node, code.module_names, taken)
    return served_filter(learnt, cell)


def _rewritten(statement: Statement, rewrite: Callable[[Stmt], Stmt]) -> Statement:
    """`statement` after `rewrite`; analysed again only when the rewrite changed it."""
    node = rewrite(statement.node)
    return statement if node is statement.node else statement.replaced(node)
