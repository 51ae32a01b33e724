"""Learn statistics once.

`df["age"].median()` in a feature step becomes
`state.statistic("age_median", lambda: df["age"].median())`.

While training, the lambda runs and its value is recorded; when serving, the recorded value is
used, so a single row gets the value learnt from the training data, not its own median.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import libcst as cst

from scaffold.analysis.symbols import root_name, subscript_column
from scaffold.cst_search import target_names, variable_names
from scaffold.extract.rewrites._comprehensions import ComprehensionAware
from scaffold.extract.statements import Stmt
from scaffold.naming import unique_name

AGGREGATIONS = frozenset(
    {
        "mean", "median", "mode", "std", "var", "min", "max", "sum", "quantile", "nunique",
        "count", "unique", "value_counts", "idxmax", "idxmin", "prod", "sem", "skew", "kurt",
        "nlargest", "nsmallest",
    }
)  # fmt: skip
NUMPY_AGGREGATIONS = frozenset(
    {"mean", "median", "std", "var", "min", "max", "sum", "nanmean", "nanmedian", "nanstd",
     "percentile", "quantile", "nanpercentile", "unique", "amin", "amax"}
)  # fmt: skip


class LearnStatistics(ComprehensionAware[list[tuple[str, str]]]):
    """Wrap whole-column aggregations of data frames in `state.statistic`."""

    def __init__(self, modules: Collection[str], taken: set[str], state_name: str = "state"):
        super().__init__()
        self.modules = modules
        self.taken = taken
        self.state_name = state_name
        self.learnt: list[str] = []
        self._wrappers: set[int] = set()
        # self._frames: the loops and comprehensions around, as (name bound, its part of the key)
        self._lambdas: list[set[str]] = []  # parameters of the lambdas around, per element
        self._columns: set[int] = set()  # lambdas `frame.apply` calls once per column

    def visit_Lambda(self, node: cst.Lambda) -> None:
        params = {param.name.value for param in node.params.params}
        if id(node) in self._columns:
            # `frame[cols].apply(lambda s: s.fillna(s.mean()))`: one statistic per column
            self._frames.append([(name, f"{name}.name") for name in params])
            params = set()
        self._lambdas.append(params)

    def leave_Lambda(self, original_node: cst.Lambda, updated_node: cst.Lambda) -> cst.Lambda:
        self._lambdas.pop()
        if id(original_node) in self._columns:
            self._frames.pop()
        return updated_node

    def visit_For(self, node: cst.For) -> None:
        self._frames.append([(name, name) for name in target_names(node.target)])

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.For:
        self._frames.pop()
        return updated_node

    def _comprehension_frame(self, names: list[str]) -> list[tuple[str, str]]:
        return [(name, name) for name in names]

    def visit_Call(self, node: cst.Call) -> None:
        if _applies_per_column(node, {name for frame in self._frames for name, _ in frame}):
            lambda_ = node.args[0].value
            self._columns.add(id(lambda_))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a function's body runs per call; its aggregations are its own business

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if not self._is_statistic(original_node) or self._per_element(original_node):
            return updated_node
        return self._wrap(updated_node, self._name_for(original_node))

    def leave_Subscript(
        self, original_node: cst.Subscript, updated_node: cst.Subscript
    ) -> cst.BaseExpression:
        # `df["a"].mode()[0]`: the statistic is the first mode, not the list of modes
        inner = updated_node.value
        if id(inner) in self._wrappers and isinstance(inner, cst.Call):
            name_arg, lambda_arg = inner.args
            assert isinstance(lambda_arg.value, cst.Lambda)
            body = updated_node.with_changes(value=lambda_arg.value.body)
            self._wrappers.discard(id(inner))
            return self._wrap(body, None, name_arg)
        return updated_node

    def _per_element(self, call: cst.Call) -> bool:
        """Inside `lambda v: ...`, an aggregation of `v` is the element's own business."""
        params = {name for params in self._lambdas for name in params}
        return bool(params & variable_names(call))

    def _is_statistic(self, call: cst.Call) -> bool:
        first = call.args[0] if call.args else None
        if (
            first is not None
            and first.keyword is None
            and isinstance(first.value, cst.Integer)
            and first.value.value == "1"
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value in AGGREGATIONS
        ):
            return False  # `.sum(1)`: row-wise
        if any(
            arg.keyword is not None
            and arg.keyword.value == "axis"
            and isinstance(arg.value, cst.Integer | cst.SimpleString)
            and getattr(arg.value, "value", "") in ("1", "'columns'", '"columns"')
            for arg in call.args
        ):
            return False  # row-wise: computed from the row itself
        func = call.func
        if not isinstance(func, cst.Attribute):
            return False
        method = func.attr.value
        receiver = root_name(func.value)
        if receiver in self.modules:
            # np.mean(df["a"]): a module function over a frame
            return (
                method in NUMPY_AGGREGATIONS
                and bool(call.args)
                and root_name(call.args[0].value) not in (None, *self.modules)
            )
        return method in AGGREGATIONS and receiver is not None

    def _name_for(self, call: cst.Call) -> str:
        func = call.func
        assert isinstance(func, cst.Attribute)
        column = _column_of(func.value) or (_column_of(call.args[0].value) if call.args else None)
        base = f"{column}_{func.attr.value}" if column else func.attr.value
        base = re.sub(r"\W+", "_", base).strip("_").lower() or "statistic"
        name = unique_name(base, self.taken)
        self.learnt.append(name)
        return name

    def _bound_loop_names(self) -> cst.Parameters:
        """`lambda col=col: ...` inside `for col in ...`: each lambda keeps its own `col`."""
        names = list(dict.fromkeys(name for frame in self._frames for name, _ in frame))
        no_space = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
        return cst.Parameters(
            params=[cst.Param(cst.Name(n), default=cst.Name(n), equal=no_space) for n in names]
        )

    def _key(self, name: str) -> cst.BaseExpression:
        """`"age_median"`, or `f"mean_{col}"` inside `for col in ...`: one value per iteration."""
        parts = [part for frame in self._frames for _, part in frame]
        if not parts:
            return cst.SimpleString(f'"{name}"')
        return cst.parse_expression(f'f"{name}' + "".join(f"_{{{p}}}" for p in parts) + '"')

    def _wrap(
        self, expression: cst.BaseExpression, name: str | None, name_arg: cst.Arg | None = None
    ) -> cst.Call:
        first = name_arg or cst.Arg(self._key(name or "statistic"))
        wrapper = cst.Call(
            func=cst.Attribute(cst.Name(self.state_name), cst.Name("statistic")),
            args=[
                first.with_changes(comma=cst.MaybeSentinel.DEFAULT),
                cst.Arg(cst.Lambda(params=self._bound_loop_names(), body=expression)),
            ],
        )
        self._wrappers.add(id(wrapper))
        return wrapper


PER_COLUMN = frozenset({"apply", "transform"})


def _applies_per_column(call: cst.Call, loop_names: Collection[str]) -> bool:
    """`df[["a", "b"]].apply(lambda s: ...)`, `df[cols].transform(...)`: one call per column.

    Only a frame selected by a list (literal, or a name that is no loop variable) counts: a
    single column's `apply` calls the lambda per element, and `axis=1` per row.
    """
    func = call.func
    if not (isinstance(func, cst.Attribute) and func.attr.value in PER_COLUMN and call.args):
        return False
    first = call.args[0]
    if first.keyword is not None or not isinstance(first.value, cst.Lambda):
        return False
    params = first.value.params
    if len(params.params) != 1 or params.params[0].default is not None:
        return False
    if any(arg.keyword is not None and arg.keyword.value == "axis" for arg in call.args):
        return False
    receiver = func.value
    if not (isinstance(receiver, cst.Subscript) and isinstance(receiver.value, cst.Name)):
        return False
    if len(receiver.slice) != 1 or not isinstance(receiver.slice[0].slice, cst.Index):
        return False
    selection = receiver.slice[0].slice.value
    return isinstance(selection, cst.List) or (
        isinstance(selection, cst.Name) and selection.value not in loop_names
    )


def _column_of(node: cst.BaseExpression) -> str | None:
    """`"age"` for `df["age"]` or `df.age`."""
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        return node.attr.value
    return subscript_column(node)


def learn_statistics(
    node: Stmt, modules: Collection[str], taken: set[str]
) -> tuple[Stmt, list[str]]:
    """`node` with its statistics wrapped, and the names they are recorded under."""
    transformer = LearnStatistics(modules, taken)
    result = node.visit(transformer)
    assert isinstance(result, Stmt)
    return result, transformer.learnt
