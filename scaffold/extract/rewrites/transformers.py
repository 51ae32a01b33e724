"""Fit transformers once.

`LabelEncoder().fit_transform(df["sex"])` in a feature step becomes
`state.transformer("label_encoder", LabelEncoder(), df["sex"])`.

While training the transformer is fitted and kept; when serving, the kept one transforms the
request, instead of being fitted again on a single row.
"""

from __future__ import annotations

import re

import libcst as cst

from scaffold.extract.statements import Stmt
from scaffold.naming import unique_name


class FitTransformersOnce(cst.CSTTransformer):
    """Route every `X.fit_transform(data)` through `state.transformer`."""

    def __init__(self, taken: set[str], state_name: str = "state") -> None:
        super().__init__()
        self.taken = taken
        self.state_name = state_name
        self.learnt: list[str] = []
        self._loop_names: list[list[str]] = []  # targets of the loops around the call

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_For(self, node: cst.For) -> None:
        target = node.target
        elements = [e.value for e in target.elements] if isinstance(target, cst.Tuple) else [target]
        self._loop_names.append([e.value for e in elements if isinstance(e, cst.Name)])

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.For:
        self._loop_names.pop()
        return updated_node

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = updated_node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "fit_transform":
            return updated_node
        if len(updated_node.args) != 1 or updated_node.args[0].keyword is not None:
            return updated_node  # fit_transform(X, y) learns from the outcome: left as written
        name = unique_name(_snake(_transformer_name(func.value)), self.taken)
        self.learnt.append(name)
        return cst.Call(
            cst.Attribute(cst.Name(self.state_name), cst.Name("transformer")),
            [
                cst.Arg(self._key(name)),
                cst.Arg(func.value),
                updated_node.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT),
            ],
        )

    def _key(self, name: str) -> cst.BaseExpression:
        """`"scaler"`, or `f"encoder_{col}"` inside `for col in ...`: one fit per iteration."""
        loop_names = [loop_name for names in self._loop_names for loop_name in names]
        if not loop_names:
            return cst.SimpleString(f'"{name}"')
        parts = "".join(f"_{{{loop_name}}}" for loop_name in loop_names)
        return cst.parse_expression(f'f"{name}{parts}"')


def _transformer_name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Call):
        return _transformer_name(node.func)
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return "transformer"


def _snake(name: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    return re.sub(r"\W+", "_", snake).strip("_") or "transformer"


def fit_transformers_once(node: Stmt, taken: set[str]) -> Stmt:
    """`node` with its `fit_transform` calls fitted in training and replayed when serving."""
    result = node.visit(FitTransformersOnce(taken))
    assert isinstance(result, Stmt)
    return result
