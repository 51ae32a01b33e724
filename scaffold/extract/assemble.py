"""Assemble the stage functions into the modules of the generated package.

Each module imports what it uses and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from scaffold.analysis import Analysis
from scaffold.errors import ExtractionError
from scaffold.extract.emit.interface import interface_module
from scaffold.extract.names import names_in, used_names
from scaffold.extract.rewrites.bare_except import name_the_exception
from scaffold.extract.rewrites.loop_bindings import bind_loop_names
from scaffold.extract.rewrites.shadowed_imports import alias_shadowed_imports
from scaffold.extract.stage_code import StageCode, StageFunction
from scaffold.extract.statements import Statement, Stmt

PACKAGE = "src/{package}/pipeline"
MODULE_DOCS = {
    "helpers": "Functions and classes defined in the notebook.",
    "data": "Loading the data and splitting it for training and evaluation.",
    "features": "The feature step: the same code prepares training rows and served rows.",
    "model": "Fitting the model.",
    "evaluation": "Scoring the model the way the notebook did.",
}
MODULE_ORDER = ("helpers", "data", "features", "model", "evaluation")


def assemble(analysis: Analysis, code: StageCode) -> dict[str, str]:
    """Module path -> source for the pipeline package."""
    _check_helpers(code.helpers, code.module_names)
    extra = interface_module(analysis, code)
    bodies: dict[str, list[Stmt]] = {name: [] for name in MODULE_ORDER}
    for helper in code.helpers:
        bodies["helpers"].append(helper.node)
    for function in code.functions if extra.functions is None else extra.functions:
        bodies[function.module].append(function.node)  # the split may call model_inputs
    for module, nodes in extra.module_additions.items():
        bodies[module].extend(nodes)
    defined_in: dict[str, str] = {}
    for module in MODULE_ORDER:
        for node in bodies[module]:
            if isinstance(node, cst.FunctionDef | cst.ClassDef):
                defined_in[node.name.value] = module
    files: dict[str, str] = {}
    for module in MODULE_ORDER:
        if not bodies[module]:
            continue
        files[f"{PACKAGE}/{module}.py"] = _module_source(
            MODULE_DOCS[module],
            bodies[module],
            code.imports,
            defined_in,
            module,
            extra.extra_imports,
        )
    settings = [statement.node for statement in code.configuration]  # before any stage runs
    files[f"{PACKAGE}/__init__.py"] = _module_source(
        extra.docstring,
        [*settings, *extra.body],
        code.imports,
        defined_in,
        "__init__",
        extra.extra_imports,
    )
    return files


def _check_helpers(helpers: Sequence[Statement], module_names: frozenset[str]) -> None:
    for helper in helpers:
        outside = sorted(helper.symbols.reads - module_names)
        if outside:
            name = next(iter(helper.symbols.functions | helper.symbols.classes), "it")
            raise ExtractionError(
                helper.cell,
                f"'{name}' reads the notebook variable '{outside[0]}' from outside; "
                "pass it as a parameter",
                line=helper.line,
            )


def _module_source(
    docstring: str,
    body: Sequence[Stmt],
    imports: Sequence[Statement],
    defined_in: dict[str, str],
    module: str,
    extra_imports: dict[str, str],
) -> str:
    found = names_in(body)
    names = found.names
    header: list[Stmt] = [
        cst.SimpleStatementLine([cst.Expr(cst.SimpleString(f'"""{docstring}"""'))]),
        cst.SimpleStatementLine(
            [cst.ImportFrom(cst.Name("__future__"), [cst.ImportAlias(cst.Name("annotations"))])]
        ),
    ]
    notebook_imports = _needed_imports(imports, names, found.in_formulas - names)
    header += notebook_imports
    imported = used_names(notebook_imports)
    for name, statement in sorted(extra_imports.items()):
        if name in names and name not in imported and defined_in.get(name) != module:
            header.append(cst.parse_statement(statement))
    local: dict[str, list[str]] = {}
    for name in sorted(names):
        owner = defined_in.get(name)
        if owner is not None and owner != module and name not in extra_imports:
            local.setdefault(owner, []).append(name)
    for owner, members in sorted(local.items()):
        header.append(cst.parse_statement(f"from .{owner} import {', '.join(members)}"))
    for name in sorted(found.in_formulas - names):  # a notebook function a formula calls
        owner = defined_in.get(name)
        if owner is not None and owner != module:
            header.append(cst.parse_statement(f"from .{owner} import {name}  # noqa: F401"))
    spaced = [_with_blank_lines(node, 2 if index else 0) for index, node in enumerate(body)]
    return _module_wide_rewrites(cst.Module(body=[*header, *spaced])).code


def _module_wide_rewrites(module: cst.Module) -> cst.Module:
    """What a function body needs that a notebook's top level did not (see each rewrite)."""
    for rewrite in (alias_shadowed_imports, name_the_exception, bind_loop_names):
        module = rewrite(module)
    return module


def _with_blank_lines(node: Stmt, count: int) -> Stmt:
    comments = [line for line in node.leading_lines if line.comment is not None]
    blank = [cst.EmptyLine()] * count
    return node.with_changes(leading_lines=[*blank, *comments])


def _needed_imports(
    imports: Sequence[Statement], names: set[str], in_formulas: set[str]
) -> list[Stmt]:
    """The notebook's import statements, each cut down to the names this module uses.

    An import done for its side effect (`from sklearn.experimental import
    enable_iterative_imputer`) is kept wherever its package is used, and one only a formula
    string uses (`"y ~ np.log(x)"`) is kept too: both are marked `# noqa: F401`.
    """
    smalls = [small for statement in imports for small in _import_smalls(statement.node)]
    packages = {
        _package(alias, small)
        for small in smalls
        for alias in _aliases(small)
        if _bound(alias) in names
    }
    needed: list[Stmt] = []
    seen: set[str] = set()
    for small in smalls:
        for alias in _aliases(small):
            bound = _bound(alias)
            side_effect = bound.startswith("enable_") and _package(alias, small) in packages
            if (side_effect or bound in in_formulas) and bound not in seen:
                seen.add(bound)
                needed.append(_noqa(_with_names(small, [alias])))
        kept = [alias for alias in _aliases(small) if _bound(alias) in names - seen]
        if kept:
            seen |= {_bound(alias) for alias in kept}
            needed.append(cst.SimpleStatementLine([_with_names(small, kept)]))
    return needed


def _with_names(
    small: cst.Import | cst.ImportFrom, aliases: Sequence[cst.ImportAlias]
) -> cst.Import | cst.ImportFrom:
    last = [*aliases[:-1], aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    return small.with_changes(names=last)


def _aliases(small: cst.Import | cst.ImportFrom) -> Sequence[cst.ImportAlias]:
    return () if isinstance(small.names, cst.ImportStar) else small.names


def _package(alias: cst.ImportAlias, small: cst.Import | cst.ImportFrom) -> str:
    """The top-level package an import comes from."""
    if isinstance(small, cst.ImportFrom) and small.module is not None:
        node: cst.BaseExpression = small.module
    else:
        node = alias.name
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


def _noqa(small: cst.Import | cst.ImportFrom) -> cst.SimpleStatementLine:
    """The import on a line of its own, marked as used for its side effect."""
    return cst.SimpleStatementLine(
        [small],
        trailing_whitespace=cst.TrailingWhitespace(
            whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment("# noqa: F401")
        ),
    )


def _import_smalls(node: Stmt) -> list[cst.Import | cst.ImportFrom]:
    if not isinstance(node, cst.SimpleStatementLine):
        return []
    return [
        small
        for small in node.body
        if isinstance(small, cst.Import)
        or (isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar))
    ]


def _bound(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    name = alias.name
    while isinstance(name, cst.Attribute):
        name = name.value  # type: ignore[assignment]
    assert isinstance(name, cst.Name)
    return name.value


_ = StageFunction
