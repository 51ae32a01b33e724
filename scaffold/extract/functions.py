"""Build a function from a run of statements.

Its parameters are what the statements read; its returns, what later code needs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import libcst as cst

from scaffold.extract.statements import Statement, Stmt


@dataclass(frozen=True)
class Signature:
    """A stage function's name, parameters (in first-read order) and returned names."""

    name: str
    parameters: tuple[str, ...]
    returns: tuple[str, ...]


def in_order_of_appearance(names: Collection[str], code: str) -> list[str]:
    """`names` sorted by where each first appears in `code`."""

    def position(name: str) -> tuple[int, str]:
        match = re.search(rf"\b{re.escape(name)}\b", code)
        return (match.start() if match else len(code), name)

    return sorted(names, key=position)


def free_reads(statements: Sequence[Statement], module_names: Collection[str]) -> list[str]:
    """Names the statements read before binding them, in first-read order."""
    bound: set[str] = set()
    reads: list[str] = []
    for statement in statements:
        for name in in_order_of_appearance(statement.symbols.reads, statement.code):
            if name not in bound and name not in module_names and name not in reads:
                reads.append(name)
        bound |= statement.symbols.defines | statement.symbols.mutated_names
    return reads


def modules_per_stage(
    stages: Sequence[Sequence[Statement]], module_names: Collection[str]
) -> list[set[str]]:
    """The module names each stage reads as modules, in stage order.

    A notebook may rebind an imported name (`svm = svm.SVC()`): from the stage after the one
    that rebinds it, the name is data a stage receives, not a module it imports.
    """
    names = set(module_names)
    found: list[set[str]] = []
    for statements in stages:
        found.append(set(names))
        for statement in statements:
            names -= statement.symbols.defines
    return found


def produced(statements: Sequence[Statement]) -> set[str]:
    """Names the statements bind or change."""
    names: set[str] = set()
    for statement in statements:
        names |= statement.symbols.defines | statement.symbols.mutated_names
    return names


def function_def(
    signature: Signature,
    body: Sequence[Stmt],
    *,
    docstring: str | None = None,
    annotations: dict[str, str] | None = None,
    returns_annotation: str | None = None,
) -> cst.FunctionDef:
    """`def name(params): docstring; body; return outputs`."""
    annotations = annotations or {}
    params = [
        cst.Param(
            cst.Name(name),
            annotation=cst.Annotation(cst.parse_expression(annotations[name]))
            if name in annotations
            else None,
        )
        for name in signature.parameters
    ]
    statements: list[Stmt] = []
    if docstring:
        statements.append(docstring_statement(docstring, indent="    "))
    statements.extend(_strip_leading(body))
    if signature.returns:
        statements.append(cst.SimpleStatementLine([cst.Return(_tuple(signature.returns))]))
    if not statements:
        statements.append(cst.SimpleStatementLine([cst.Pass()]))
    return cst.FunctionDef(
        name=cst.Name(signature.name),
        params=cst.Parameters(params=params),
        body=cst.IndentedBlock(body=statements),
        returns=cst.Annotation(cst.parse_expression(returns_annotation))
        if returns_annotation
        else None,
    )


def _tuple(names: Sequence[str]) -> cst.BaseExpression:
    if len(names) == 1:
        return cst.Name(names[0])
    return cst.Tuple([cst.Element(cst.Name(name)) for name in names], lpar=[], rpar=[])


def docstring_statement(text: str, indent: str = "") -> cst.SimpleStatementLine:
    """A docstring statement; continuation lines get `indent`."""
    text = text.strip().replace("\\", "\\\\").replace('"""', "'''")
    if "\n" in text:
        lines = text.split("\n")
        text = "\n".join([lines[0], *[indent + line if line else "" for line in lines[1:]]])
        text += "\n" + indent
    return cst.SimpleStatementLine([cst.Expr(cst.SimpleString(f'"""{text}"""'))])


def _strip_leading(body: Sequence[Stmt]) -> list[Stmt]:
    """Blank lines before the first statement of a function body are noise."""
    statements = list(body)
    if statements:
        statements[0] = statements[0].with_changes(leading_lines=[])
    return statements


def call_statement(signature: Signature, arguments: Sequence[str]) -> cst.SimpleStatementLine:
    """`outputs = name(arguments)` (or a bare call when nothing is returned)."""
    call = cst.Call(cst.Name(signature.name), [cst.Arg(cst.Name(a)) for a in arguments])
    if not signature.returns:
        return cst.SimpleStatementLine([cst.Expr(call)])
    target = _tuple(signature.returns)
    assert isinstance(target, cst.Name | cst.Tuple)
    return cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(target)], call)])
