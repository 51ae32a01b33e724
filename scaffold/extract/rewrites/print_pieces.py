"""What a `print(...)` or f-string shows, left to right: its text and its values (a gatherer)."""

from __future__ import annotations

import re

import libcst as cst

NUMBER_FORMAT = re.compile(r"^[^{}]*?\.?\d*[efgEFG%]$|^[^{}]*?\.\d+$")


Piece = str | tuple[cst.BaseExpression, bool]
"""Printed text, or a printed value and whether a number format shows it (`:.4f`)."""


class Separator(str):
    """The `sep` print puts between two arguments (not part of the next value's label)."""

    __slots__ = ()


def print_pieces(call: cst.Call) -> list[Piece]:
    """What `print(...)` shows, left to right: its strings' text and its values.

    `print("acc", acc, "%")` -> `["acc", " ", (acc, False), " ", "%"]`; the text of strings and
    f-strings is kept, the arguments are joined by `sep` (a space unless a literal says else).
    """
    sep = " "
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "sep":
            given = arg.value.evaluated_value if isinstance(arg.value, cst.SimpleString) else None
            sep = given if isinstance(given, str) else " "
    pieces: list[Piece] = []
    for index, arg in enumerate(a for a in call.args if a.keyword is None and not a.star):
        if index:
            pieces.append(Separator(sep))
        pieces += string_pieces(arg.value) or [(arg.value, False)]
    return pieces


def string_pieces(node: cst.BaseExpression) -> list[Piece]:
    """The text and values of a string, f-string or concatenation of them (else `[]`)."""
    if isinstance(node, cst.SimpleString):
        text = node.evaluated_value
        return [text] if isinstance(text, str) else []
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_pieces(node.left), string_pieces(node.right)
        return [*left, *right] if left and right else []
    if not isinstance(node, cst.FormattedString):
        return []
    pieces: list[Piece] = [""]  # an f-string is a string even when it only holds values
    raw = "r" in node.prefix.lower()
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            pieces.append(_text(part.value, raw=raw))
            continue
        assert isinstance(part, cst.FormattedStringExpression)
        if isinstance(part.expression, cst.SimpleString) and not part.format_spec:
            text = part.expression.evaluated_value  # a helper's label: `f"{name}: {acc}"`
            if isinstance(text, str):
                pieces.append(text)
                continue
        spec = "".join(
            piece.value
            for piece in (part.format_spec or ())
            if isinstance(piece, cst.FormattedStringText)
        )
        pieces.append((part.expression, bool(spec) and bool(NUMBER_FORMAT.match(spec))))
    return pieces


def _text(source: str, *, raw: bool) -> str:
    r"""The text an f-string's literal part prints: `\n` is a line break, `{{` is `{`."""
    text = source.replace("{{", "{").replace("}}", "}")
    if raw:
        return text
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")
