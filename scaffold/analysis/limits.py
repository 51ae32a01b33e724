"""Refuse, before libcst sees it, a cell libcst cannot take safely or Python 3.11 would not run.

libcst's native parser overflows its stack on a few thousand nested brackets (the process dies)
and its Python visitors recurse once per level of the syntax tree, so a cell nested deeper than
`MAX_NESTING` levels is refused with a message naming the cell. The checks, cheapest first:

1. a text scan of the bracket depth (strings and comments skipped), so that no input with
   more than `MAX_BRACKETS` nested brackets reaches a parser;
2. CPython's own parser (C, with its own depth guards): it reports syntax errors, and syntax
   newer than Python 3.11 (`type X = int`, `def f[T]()`), which libcst would parse but the
   generated project could not run;
3. CPython's compiler, for what parses but does not run (`nonlocal` outside a function);
4. the depth and size of the syntax tree, walked without recursion (`MAX_NODES`: libcst takes
   minutes over a cell of a megabyte).

`nesting_guard` is the net under the libcst stages: a `RecursionError` becomes a `CellError`.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst

from scaffold.errors import CellError, CellSyntaxError
from scaffold.notebook import Cell

__all__ = ["MAX_BRACKETS", "MAX_NESTING", "MAX_NODES", "check_cell", "nesting_guard"]

MAX_BRACKETS = 100
"""The most brackets a cell may nest, `f(g([{...}]))` counting 4."""

MAX_NESTING = 100
"""The most levels a cell's syntax tree may nest: each bracket, block, `elif` and each operand
of a chain such as `a + b + c` or `a and b and c` counts a level."""

MAX_NODES = 10_000
"""The most syntax nodes (names, numbers, operators, calls...) a cell may have: libcst's
visitors take about 0.2 ms per node and several walk each cell, so such a cell takes seconds
to analyse; a cell of a pasted megabyte of data (about 200,000 nodes) would take minutes."""

PYTHON = (3, 11)
"""The Python version whose syntax a generated project may use."""

_SKIPPED_OR_BRACKET = re.compile(
    r"#[^\n]*"  # a comment
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"  # strings, unrolled: no backtracking
    r'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|[()\[\]{}]"
)
_NEWER_CHECK_CHARS = 20_000
_TOO_DEEP_FOR_CPYTHON = ("too many nested parentheses", "too many levels of indentation")
_HINT = "split the expression or the block, or mark the cell '# scaffold: skip'"


def check_cell(cell: Cell) -> None:
    """Refuse `cell` unless its code is safe to give to libcst and runs on Python 3.11.

    Raises:
        CellError: the cell nests too deeply, or `nonlocal` (or the like) is used at cell level.
        CellSyntaxError: the cell does not parse, or uses syntax newer than Python 3.11.
    """
    code = cell.code
    depth, line = bracket_depth(code)
    if depth > MAX_BRACKETS:
        raise _too_deep(cell, f"{depth} nested brackets (the most is {MAX_BRACKETS})", line)
    try:
        with warnings.catch_warnings():  # `"\d"`, `x is 1`: the notebook's business, not ours
            warnings.simplefilter("ignore")
            tree = ast.parse(code, feature_version=PYTHON)
    except SyntaxError as exc:
        _refuse_syntax(cell, exc)
    except (RecursionError, MemoryError) as exc:
        raise _too_deep(cell, "nested deeper than Python parses", None) from exc
    depth, line, nodes = tree_depth(tree)
    if nodes > MAX_NODES:
        raise CellError(
            cell.number,
            f"too large to analyse: over {MAX_NODES:,} syntax nodes (a literal of 1,000 numbers "
            "is about 1,000)",
            hint="read such data from a file, or mark the cell '# scaffold: skip'",
        )
    if depth > MAX_NESTING:
        raise _too_deep(
            cell,
            f"nested {depth} levels deep (the most is {MAX_NESTING}; each bracket, block, "
            "elif and operand of a chain such as `a + b + c` counts one)",
            line,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(tree, f"<cell {cell.number}>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError as exc:
        raise CellError(
            cell.number,
            f"Python cannot run it ({exc.msg})",
            line=exc.lineno,
            source_line=_line(cell, exc.lineno),
        ) from exc
    except (RecursionError, MemoryError) as exc:
        raise _too_deep(cell, "nested deeper than Python compiles", None) from exc


@contextmanager
def nesting_guard(cell: Cell) -> Iterator[None]:
    """Turn a `RecursionError` analysing `cell` (or one hidden by a later error) into a refusal."""
    try:
        yield
    except RecursionError as exc:
        raise _too_deep(cell, "nested deeper than libcst can walk", None) from exc
    except Exception as exc:
        if not _from_recursion(exc):
            raise
        raise _too_deep(cell, "nested deeper than libcst can walk", None) from exc


def bracket_depth(code: str) -> tuple[int, int | None]:
    """The deepest bracket nesting in `code` and the line where it is reached.

    A text scan, not a tokenizer: strings and comments are skipped, unbalanced closing
    brackets are ignored. Cheap enough for a cell of megabytes.
    """
    depth = deepest = at = 0
    for match in _SKIPPED_OR_BRACKET.finditer(code):
        token = match.group()
        if token in ("(", "[", "{"):
            depth += 1
            if depth > deepest:
                deepest, at = depth, match.start()
        elif token in (")", "]", "}"):
            depth = max(depth - 1, 0)
    return deepest, (code.count("\n", 0, at) + 1 if deepest else None)


def tree_depth(tree: ast.AST, *, most_nodes: int = MAX_NODES) -> tuple[int, int | None, int]:
    """The depth of `tree` as libcst nests it, the line there, and the number of nodes.

    A chain of n operands counts n levels; the walk stops past `most_nodes` nodes.
    """
    deepest, line, nodes = 0, None, 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack and nodes <= most_nodes:
        node, depth = stack.pop()
        nodes += 1
        if isinstance(node, ast.BoolOp):  # libcst nests `a and b and c` pairwise
            depth += len(node.values) - 1
        if depth > deepest:
            deepest, line = depth, getattr(node, "lineno", line)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest, line, nodes


def _refuse_syntax(cell: Cell, exc: SyntaxError) -> None:
    if any(text in (exc.msg or "") for text in _TOO_DEEP_FOR_CPYTHON):
        raise _too_deep(cell, exc.msg, exc.lineno) from exc
    message = exc.msg or "invalid syntax"
    if _parses_as_newer_python(cell.code, exc.lineno):
        message = (
            f"uses syntax newer than Python {PYTHON[0]}.{PYTHON[1]} ({message}); "
            "generated projects run on Python 3.11"
        )
    else:
        message = f"does not parse ({message})"
    raise CellSyntaxError(
        cell.number, message, line=exc.lineno, source_line=_line(cell, exc.lineno)
    ) from exc


def _parses_as_newer_python(code: str, line: int | None) -> bool:
    """Whether `code`, refused by this Python, parses with libcst (which knows Python 3.12+).

    libcst takes seconds over a large cell that does not parse: past `_NEWER_CHECK_CHARS`
    characters only the line of the error is tried.
    """
    if len(code) > _NEWER_CHECK_CHARS:
        lines = code.split("\n")
        code = lines[line - 1].strip() if line is not None and 0 < line <= len(lines) else ""
        if not code or len(code) > _NEWER_CHECK_CHARS:
            return False
    try:
        cst.parse_module(code)
    except Exception:  # any failure means "not newer Python either"
        return False
    return True


def _too_deep(cell: Cell, problem: str, line: int | None) -> CellError:
    return CellError(
        cell.number,
        f"too complex to analyse: {problem}",
        line=line,
        source_line=_line(cell, line),
        hint=_HINT,
    )


def _line(cell: Cell, line: int | None) -> str | None:
    lines = cell.source.split("\n")
    if line is None or not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    return text if len(text) <= 120 else text[:117] + "..."


def _from_recursion(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, RecursionError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
