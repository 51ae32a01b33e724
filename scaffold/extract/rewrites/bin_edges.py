"""Learn bin edges once: binning by quantiles or by a number of bins.

`pd.qcut(df["fare"], 4, labels=False)` in a feature step becomes

    pd.cut(df["fare"], state.statistic("fare_bins",
           lambda: pd.qcut(df["fare"], 4, retbins=True)[1]), labels=False, include_lowest=True)

The edges are computed from the training rows, as the notebook computed them, and a served row
is binned with those edges instead of its own (a single row has no quantiles). pandas bins
`qcut` as `cut` with the quantile edges and `include_lowest=True`, and `cut(x, n)` as `cut` with
the edges it returns, so training gets the notebook's bins exactly. A value outside the learnt
edges gets no bin: a feature training always had, missing, so the row is outside the model's
input domain.
"""

from __future__ import annotations

import libcst as cst

from scaffold.analysis.symbols import subscript_column
from scaffold.extract.statements import Stmt
from scaffold.naming import unique_name

EDGE_ARGUMENTS = frozenset({"q", "bins", "retbins"})
"""Arguments that choose the edges: they go to the learning call, not to the binning."""


class LearnBinEdges(cst.CSTTransformer):
    """Route `qcut(x, q)` and `cut(x, n)` (a number of bins) through learnt edges."""

    def __init__(self, taken: set[str], state_name: str = "state"):
        super().__init__()
        self.taken = taken
        self.state_name = state_name
        self.learnt: list[str] = []
        self._loops = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_For(self, node: cst.For) -> None:
        self._loops += 1

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.For:
        self._loops -= 1
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = updated_node.func
        if self._loops or not isinstance(func, cst.Attribute):
            return updated_node
        method = func.attr.value
        if method not in ("qcut", "cut") or not updated_node.args:
            return updated_node
        if method == "cut" and not self._counted(updated_node):
            return updated_node
        values = updated_node.args[0]
        if values.keyword is not None:
            return updated_node
        edge_args = [values, *self._edge_arguments(updated_node)]
        learning = updated_node.with_changes(
            args=[
                *_commas(edge_args),
                _keyword("retbins"),
            ]
        )
        column = subscript_column(values.value) or "binned"
        name = unique_name(f"{column}_bins".lower().replace(" ", "_"), self.taken)
        self.learnt.append(name)
        learnt_edges = cst.Call(
            cst.Attribute(cst.Name(self.state_name), cst.Name("statistic")),
            [
                cst.Arg(cst.SimpleString(repr(name))),
                cst.Arg(
                    cst.Lambda(
                        cst.Parameters(),
                        cst.Subscript(
                            learning, [cst.SubscriptElement(cst.Index(cst.Integer("1")))]
                        ),
                    )
                ),
            ],
        )
        rest = [
            arg
            for arg in updated_node.args[1:]
            if not (arg.keyword is None or arg.keyword.value in EDGE_ARGUMENTS | {"include_lowest"})
        ]
        lowest = [_keyword("include_lowest")]
        return updated_node.with_changes(
            func=func.with_changes(attr=cst.Name("cut")),
            args=_commas([values, cst.Arg(learnt_edges), *rest, *lowest]),
        )

    def _counted(self, call: cst.Call) -> bool:
        """Whether `cut(x, bins)` is given a number of bins (its edges come from the data)."""
        return isinstance(_bins(call), cst.Integer)

    @staticmethod
    def _edge_arguments(call: cst.Call) -> list[cst.Arg]:
        positional = [arg for arg in call.args[1:] if arg.keyword is None][:1]
        keywords = [
            arg
            for arg in call.args[1:]
            if arg.keyword is not None and arg.keyword.value in ("q", "bins", "duplicates")
        ]
        return [*positional, *keywords]


def _bins(call: cst.Call) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "bins":
            return arg.value
    positional = [arg.value for arg in call.args if arg.keyword is None]
    return positional[1] if len(positional) > 1 else None


def _keyword(name: str) -> cst.Arg:
    """`name=True`."""
    no_space = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
    return cst.Arg(cst.Name("True"), keyword=cst.Name(name), equal=no_space)


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    """`args` with the separators libcst chooses."""
    return [arg.with_changes(comma=cst.MaybeSentinel.DEFAULT) for arg in args]


def learn_bin_edges(node: Stmt, taken: set[str]) -> Stmt:
    """`node` with its data-driven binning done with edges learnt in training."""
    result = node.visit(LearnBinEdges(taken))
    assert isinstance(result, Stmt)
    return result
