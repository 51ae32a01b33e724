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

The callee is resolved through the import table, so `from pandas import qcut` (`qcut(x, 4)`),
an alias (`from pandas import qcut as q`) and `import pandas` are the same function, and the
values or edges may be given by keyword (`pd.qcut(x=df["fare"], q=4)`). `binning_from_data`
finds what is left: binning that decides its edges from the data and that this rewrite could
not carry over (in a loop, a lambda, a function passed by name): the caller refuses to serve it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from scaffold.analysis.roles import qualify
from scaffold.analysis.symbols import dotted_name, subscript_column
from scaffold.extract.statements import Stmt
from scaffold.naming import unique_name

QCUT, CUT = "pandas.qcut", "pandas.cut"
PARAMETERS = {
    QCUT: ("x", "q", "labels", "retbins", "precision", "duplicates"),
    CUT: (
        "x", "bins", "right", "labels", "retbins", "precision", "include_lowest", "duplicates",
        "ordered",
    ),
}  # fmt: skip
"""Each function's parameters in order, to name the arguments given by position."""
EDGE_ARGUMENTS = {QCUT: ("q", "duplicates"), CUT: ("bins", "right", "duplicates")}
"""Arguments that choose the edges: they go to the learning call too."""
REPLACED = frozenset({"q", "bins", "include_lowest"})
"""Arguments of the notebook's call that the binning with learnt edges sets itself."""


@dataclass(frozen=True)
class PandasCut:
    """How generated code calls `pandas.cut` where the notebook's call is a bare name.

    Attributes:
        name: `cut`, `pd.cut`, or a free name when the notebook uses `cut` for something else.
        statement: the import that binds it, or None when the notebook's imports already do.
    """

    name: str
    statement: str | None


def pandas_cut(imports: Mapping[str, str], names: Collection[str]) -> PandasCut:
    """`pandas.cut` through the notebook's imports (`imports`: alias -> qualified name).

    `names`: the names the generated code already uses, which a new import must not rebind.
    """
    for alias, target in imports.items():
        if target == CUT:
            return PandasCut(alias, None)
    for alias, target in imports.items():
        if target == "pandas":
            return PandasCut(f"{alias}.cut", None)
    free = set(names) | set(imports)
    if "cut" not in free:
        return PandasCut("cut", "from pandas import cut")
    name = unique_name("pandas_cut", free)
    return PandasCut(name, f"from pandas import cut as {name}")


def binning_function(call: cst.Call, imports: Mapping[str, str]) -> str | None:
    """`pandas.qcut` or `pandas.cut` when `call` calls one of them, else None."""
    dotted = dotted_name(call.func)
    qualified = qualify(dotted, imports) if dotted else None
    return qualified if qualified in PARAMETERS else None


class LearnBinEdges(cst.CSTTransformer):
    """Route `qcut(x, q)` and `cut(x, n)` (a number of bins) through learnt edges."""

    def __init__(
        self,
        taken: set[str],
        imports: Mapping[str, str],
        cut: str,
        state_name: str = "state",
    ):
        super().__init__()
        self.taken = taken
        self.imports = imports
        self.cut = cut
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
        function = binning_function(updated_node, self.imports)
        if self._loops or function is None:
            return updated_node
        named = _named_arguments(updated_node, PARAMETERS[function])
        if named is None or "x" not in named:
            return updated_node
        edges = named.get("q" if function == QCUT else "bins")
        if edges is None or (function == CUT and not isinstance(edges.value, cst.Integer)):
            return updated_node  # `cut(x, [0, 18, 65])`: the edges are given
        values = named["x"]
        by_position = [values] + ([edges] if edges.keyword is None else [])
        learning = updated_node.with_changes(
            args=_commas(
                [
                    *by_position,
                    *(
                        _as_keyword(named[name], name)
                        for name in EDGE_ARGUMENTS[function]
                        if name in named and named[name] not in by_position
                    ),
                    _keyword("retbins", cst.Name("True")),
                ]
            )
        )
        name = unique_name(_key(values.value), self.taken)
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
        edges_arg = (
            cst.Arg(learnt_edges)
            if values.keyword is None
            else _keyword("bins", learnt_edges)  # after `x=`, by keyword too
        )
        rest = [
            _as_keyword(arg, name)
            for name, arg in named.items()
            if arg is not values and name not in REPLACED
        ]
        return updated_node.with_changes(
            func=self._cut(updated_node.func),
            args=_commas([values, edges_arg, *rest, _keyword("include_lowest", cst.Name("True"))]),
        )

    def _cut(self, func: cst.BaseExpression) -> cst.BaseExpression:
        """`pd.cut` for `pd.qcut`; `self.cut` for a bare name (`qcut`, an alias)."""
        if isinstance(func, cst.Attribute):
            return func.with_changes(attr=cst.Name("cut"))
        if dotted_name(func) == self.cut:
            return func  # `cut(x, 4)` itself
        return cst.parse_expression(self.cut)


def _named_arguments(call: cst.Call, parameters: tuple[str, ...]) -> dict[str, cst.Arg] | None:
    """Parameter name -> its argument, in the call's order; None if it cannot be told."""
    named: dict[str, cst.Arg] = {}
    positional = [arg for arg in call.args if arg.keyword is None]
    if any(arg.star for arg in call.args) or len(positional) > len(parameters):
        return None  # `qcut(*args)`, `qcut(**options)`, or a call that fails anyway
    for parameter, arg in zip(parameters, positional, strict=False):
        named[parameter] = arg
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value not in parameters or arg.keyword.value in named:
                return None
            named[arg.keyword.value] = arg
    return named


def _key(values: cst.BaseExpression) -> str:
    """`fare_bins` for `df["fare"]` or `df.fare`; `binned_bins` for anything else."""
    column = subscript_column(values)
    if column is None and isinstance(values, cst.Attribute) and isinstance(values.value, cst.Name):
        column = values.attr.value
    return f"{column or 'binned'}_bins".lower().replace(" ", "_")


def _as_keyword(arg: cst.Arg, name: str) -> cst.Arg:
    """`arg` given by keyword: after the edges, a position may mean another parameter."""
    return arg if arg.keyword is not None else _keyword(name, arg.value)


def _keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    """`name=value`."""
    no_space = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
    return cst.Arg(value, keyword=cst.Name(name), equal=no_space)


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    """`args` with the separators libcst chooses."""
    return [arg.with_changes(comma=cst.MaybeSentinel.DEFAULT) for arg in args]


def learn_bin_edges(node: Stmt, taken: set[str], imports: Mapping[str, str], cut: str) -> Stmt:
    """`node` with its data-driven binning done with edges learnt in training.

    `imports`: alias -> qualified name, to know `qcut` and `cut` however they are imported;
    `cut`: how to call `pandas.cut` where the notebook's call is a bare name (`pandas_cut`).
    """
    result = node.visit(LearnBinEdges(taken, imports, cut))
    assert isinstance(result, Stmt)
    return result


@dataclass(frozen=True)
class DataBinning:
    """Binning whose edges the binned data decides.

    Attributes:
        what: `qcut()` or `cut() with a number of bins`.
        line: where, counted from the statement's first line (1).
    """

    what: str
    line: int


def binning_from_data(
    node: Stmt, imports: Mapping[str, str], edges: Collection[str] = ()
) -> DataBinning | None:
    """The first thing in `node` that decides its bin edges from the data it bins, if any.

    `qcut` however it is referred to (called, or passed as a function), and `cut` given a
    number of bins; the edges learnt in `state.statistic(...)` are where they belong.
    `edges`: names bound to literal lists of bin edges (`pd.cut(x, bins)` with those is fine).
    """
    finder = _DataBinning(imports, edges)
    node.visit(finder)
    if not finder.found:
        return None
    what, found = finder.found[0]
    wrapper = MetadataWrapper(cst.Module(body=[node]), unsafe_skip_copy=True)
    line = wrapper.resolve(PositionProvider)[found].start.line
    return DataBinning(what, line - len(node.leading_lines))


class _DataBinning(cst.CSTVisitor):
    def __init__(self, imports: Mapping[str, str], edges: Collection[str]) -> None:
        super().__init__()
        self.imports = imports
        self.edges = edges
        self.found: list[tuple[str, cst.CSTNode]] = []

    def visit_Call(self, node: cst.Call) -> bool:
        if dotted_name(node.func) == "state.statistic":
            return False  # the edges learnt in training
        if binning_function(node, self.imports) == CUT:
            bins = _bins(node)
            if isinstance(bins, cst.Integer | cst.Name | cst.Attribute) and not (
                isinstance(bins, cst.Name) and bins.value in self.edges
            ):
                self.found.append(("cut() with a number of bins", node))
        return True

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self._referred(node)
        node.value.visit(self)
        return False  # `.qcut` of something else is not pandas' qcut

    def visit_Name(self, node: cst.Name) -> None:
        self._referred(node)

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False  # a keyword (`qcut=...`) is no reference

    def _referred(self, node: cst.Name | cst.Attribute) -> None:
        dotted = dotted_name(node)
        if dotted is not None and qualify(dotted, self.imports) == QCUT:
            self.found.append(("qcut()", node))


def _bins(call: cst.Call) -> cst.BaseExpression | None:
    """The `bins` argument of `pd.cut(x, bins)`, given by keyword or second."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "bins":
            return arg.value
    positional = [arg.value for arg in call.args if arg.keyword is None]
    return positional[1] if len(positional) > 1 else None
