"""The split calls `model_inputs` with the feature state when the inputs learn from data."""

from __future__ import annotations

import libcst as cst


class PassState(cst.CSTTransformer):
    """`model_inputs(frame)` -> `model_inputs(frame, state)`."""

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        if isinstance(func, cst.Name) and func.value == "model_inputs":
            return updated_node.with_changes(args=[*updated_node.args, cst.Arg(cst.Name("state"))])
        return updated_node


def _with_parameter(function: cst.FunctionDef, name: str) -> cst.FunctionDef:
    """`function` with the parameter `name` last (unless it has it)."""
    params = function.params.params
    if any(param.name.value == name for param in params):
        return function
    parameters = function.params.with_changes(params=[*params, cst.Param(cst.Name(name))])
    return function.with_changes(params=parameters)


def pass_state(split: cst.FunctionDef) -> cst.FunctionDef:
    """`def split_data(df): X = model_inputs(df)` -> `def split_data(df, state): ...(df, state)`."""
    passing = split.visit(PassState())
    assert isinstance(passing, cst.FunctionDef)
    return _with_parameter(passing, "state")
