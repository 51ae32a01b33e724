"""A lambda made in a loop keeps the loop's values (ruff B023).

`for c in cols: df[c] = df[c].apply(lambda v: v / df[c].std())` reads `c` when the lambda
runs. pandas runs it at once, so the notebook got this iteration's `c`; ruff cannot know that
and flags it. The lambda binds what it reads of the loop as a default (`lambda v, c=c: ...`),
which is the value it had when the lambda was made, and ruff sees the binding. The same holds
for a function defined in a loop and for comprehensions.

A lambda whose parameters have no defaults is called with exactly its arguments, so the new
defaults go last; otherwise they are keyword-only (`lambda x=1, *, c=c: ...`), so that no
positional argument a caller passes can land in them.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from scaffold.cst_search import iter_nodes, target_names, variable_names
from scaffold.extract.rewrites._comprehensions import ComprehensionAware

_NO_SPACE = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


class BindLoopNames(ComprehensionAware[set[str] | None]):
    """Give lambdas and functions made in a loop the loop names they read as defaults."""

    # self._frames: the names each loop rebinds; None: a new scope (a lambda, a function)

    # loops and comprehensions -------------------------------------------------------------

    def visit_For(self, node: cst.For) -> None:
        self._frames.append(
            set(target_names(node.target)) | _assigned(node.body) | _assigned(node.orelse)
        )

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.For:
        self._frames.pop()
        return updated_node

    def visit_For_iter(self, node: cst.For) -> None:
        self._hide(1)  # the iterable is evaluated once, before the loop

    def leave_For_iter(self, node: cst.For) -> None:
        self._frames.extend(self._hidden.pop())

    def visit_While(self, node: cst.While) -> None:
        self._frames.append(_assigned(node.body))

    def leave_While(self, original_node: cst.While, updated_node: cst.While) -> cst.While:
        self._frames.pop()
        return updated_node

    def _comprehension_frame(self, names: list[str]) -> set[str] | None:
        return set(names)

    # what is made in them -----------------------------------------------------------------

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._frames.append(None)

    def leave_Lambda(self, original_node: cst.Lambda, updated_node: cst.Lambda) -> cst.Lambda:
        self._frames.pop()
        params = self._bound(original_node.params, self._reads(original_node.body))
        return updated_node.with_changes(params=params)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._frames.append(None)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self._frames.pop()
        params = self._bound(original_node.params, self._reads(original_node.body))
        return updated_node.with_changes(params=params)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._frames.append(None)

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self._frames.pop()
        return updated_node

    def _loop_names(self) -> set[str]:
        names: set[str] = set()
        for frame in reversed(self._frames):
            if frame is None:
                break
            names |= frame
        return names

    def _reads(self, body: cst.CSTNode) -> set[str]:
        """The names `body` uses; outside any loop none can need binding, so none are sought."""
        return variable_names(body) if self._loop_names() else set()

    def _bound(self, params: cst.Parameters, reads: set[str]) -> cst.Parameters:
        own = {param.name.value for param in _all_params(params)}
        missing = sorted((reads & self._loop_names()) - own)
        if not missing:
            return params
        new = [
            cst.Param(cst.Name(name), default=cst.Name(name), equal=_NO_SPACE) for name in missing
        ]
        if _called_with_exact_arguments(params):
            return params.with_changes(params=[*_with_comma(params.params), *new])
        star = params.star_arg
        if isinstance(star, cst.MaybeSentinel):
            star = cst.ParamStar()
        return params.with_changes(star_arg=star, kwonly_params=[*params.kwonly_params, *new])


def bind_loop_names(module: cst.Module) -> cst.Module:
    """`module` with every lambda and function made in a loop binding the loop names it reads."""
    if not _made_in_a_loop(module):
        return module  # the common case, found without rebuilding the tree
    return module.visit(BindLoopNames())


_LOOPS = (cst.For, cst.While, *_COMPREHENSIONS)


def _made_in_a_loop(node: cst.CSTNode) -> bool:
    """Whether a lambda or function sits anywhere inside a loop or comprehension."""
    return any(
        isinstance(inner, cst.Lambda | cst.FunctionDef)
        for loop in iter_nodes(node)
        if isinstance(loop, _LOOPS)
        for inner in iter_nodes(loop)
    )


def _called_with_exact_arguments(params: cst.Parameters) -> bool:
    """No default (other than an earlier `c=c` binding) and no `*`: new defaults can go last."""
    return (
        isinstance(params.star_arg, cst.MaybeSentinel)
        and not params.kwonly_params
        and params.star_kwarg is None
        and all(
            param.default is None
            or (isinstance(param.default, cst.Name) and param.default.value == param.name.value)
            for param in params.params
        )
    )


def _with_comma(params: Sequence[cst.Param]) -> list[cst.Param]:
    if not params:
        return []
    last = params[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return [*params[:-1], last]


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    for extra in (params.star_arg, params.star_kwarg):
        if isinstance(extra, cst.Param):
            found.append(extra)
    return found


def _assigned(node: cst.CSTNode | None) -> set[str]:
    """Names bound in a loop's body (its own scope only)."""
    found: set[str] = set()
    if node is None:
        return found

    class Assigned(cst.CSTVisitor):
        def on_visit(self, child: cst.CSTNode) -> bool:
            if isinstance(child, _SCOPES + _COMPREHENSIONS):
                return False
            targets = cst.AssignTarget | cst.AugAssign | cst.AnnAssign | cst.For | cst.NamedExpr
            if isinstance(child, targets):
                found.update(target_names(child.target))
            elif isinstance(child, cst.AsName):
                found.update(target_names(child.name))
            return True

    node.visit(Assigned())
    return found
