"""`disp = Display.from_estimator(...)` that nothing reads -> `Display.from_estimator(...)`.

At a notebook's top level an unread name is harmless; inside a generated stage function it is
a local nothing reads (ruff F841), often because the plot that read it is gone. A call stays
for what it does and only the name goes; a value made without any call (`y_test =
y[test_index]`) goes whole.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider

from scaffold.cst_search import find_all, has_shared_nodes


def without_unused_locals(function: cst.FunctionDef) -> cst.FunctionDef:
    """`function` with each never-read `name = call(...)` of its own scope made a bare call."""
    module = cst.Module(body=[function])
    wrapper = MetadataWrapper(module, unsafe_skip_copy=not has_shared_nodes(module))
    scopes = wrapper.resolve(ScopeProvider)
    definition = wrapper.module.body[0]
    assert isinstance(definition, cst.FunctionDef)
    body = definition.body.body
    scope = scopes.get(body[0]) if body else None
    if scope is None:
        return function
    unread = {
        name
        for name in {assignment.name for assignment in scope.assignments}
        if not any(assignment.references for assignment in scope.assignments[name])
        and name not in _parameters(definition)
    }
    if not unread:
        return function
    rewritten = definition.visit(_Unbind(unread))
    assert isinstance(rewritten, cst.FunctionDef)
    return rewritten


def _parameters(function: cst.FunctionDef) -> set[str]:
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    every += [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    return {param.name.value for param in every}


class _Unbind(cst.CSTTransformer):
    """Unread names of the function's own scope: keep a call, drop a value made without one."""

    def __init__(self, unread: set[str]) -> None:
        super().__init__()
        self.unread = unread
        self.depth = 0  # nested functions, classes and lambdas have scopes of their own

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return True

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.depth -= 1
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def leave_Assign(
        self, original_node: cst.Assign, updated_node: cst.Assign
    ) -> cst.BaseSmallStatement | cst.RemovalSentinel:
        target = updated_node.targets[0].target
        if not (
            self.depth == 1  # the generated function itself
            and len(updated_node.targets) == 1
            and isinstance(target, cst.Name)
            and target.value in self.unread
        ):
            return updated_node
        if isinstance(updated_node.value, cst.Call):
            return cst.Expr(updated_node.value)
        if not find_all(updated_node.value, (cst.Call, cst.Await, cst.Yield, cst.NamedExpr)):
            return cst.RemoveFromParent()  # an emptied block gets `pass`
        return updated_node
