"""Trace a fault in a rendered file back to the template file and line that wrote it.

A copy of the template gets a marker at the end of every line whose line break reaches the
output (`⟦file.line⟧`: the lexer says which, so markers never land inside a Jinja tag). Rendering
that copy with the same answers gives the same lines with markers in them: the text before a
marker was written by that template line. Only combinations that show a problem are rendered
again this way.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from scaffold.errors import RenderError
from scaffold.render import render_project

_MARK = re.compile("\u27e6(\\d+)\\.(\\d+)\u27e7")


def emitted_line_ends(environment: jinja2.Environment, source: str) -> set[int]:
    """The lines (1-based) of a Jinja source whose line break is output text."""
    ends: set[int] = set()
    for lineno, token, value in environment.lexer.tokeniter(source, None):
        if token == "data":
            ends.update(range(lineno, lineno + value.count("\n")))
    return ends


def mark(text: str, file_id: int, lines: set[int] | None) -> str:
    """`text` with a marker before the line break of each line in `lines` (None: every line)."""
    parts = text.split("\n")
    for index in range(len(parts) - 1):  # the last part has no line break
        if lines is None or index + 1 in lines:
            parts[index] += f"\u27e6{file_id}.{index + 1}\u27e7"
    return "\n".join(parts)


class Locator:
    """Renders marked copies of one template and answers where a rendered line came from."""

    def __init__(
        self, work: Path, subdirectory: str, suffix: str, environment: jinja2.Environment
    ) -> None:
        self.scratch = work.parent / "located"
        self.marked = self.scratch / "template"
        self.sources: list[str] = []
        shutil.copytree(work, self.marked)
        root = self.marked / subdirectory if subdirectory else self.marked
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            templated = path.name.endswith(suffix)
            try:
                lines = emitted_line_ends(environment, text) if templated else None
            except jinja2.TemplateSyntaxError:
                continue
            self.sources.append(path.relative_to(self.marked).as_posix())
            path.write_text(mark(text, len(self.sources) - 1, lines), encoding="utf-8")
        self.renders: dict[str, Path | None] = {}

    def locate(
        self,
        combination: Mapping[str, Any],
        label: str,
        relative: str,
        line: int | None,
        column: int,
    ) -> tuple[str, int | None] | None:
        """`(template file, line)` that wrote `relative` at `line` and `column`, None if unknown."""
        root = self._render(combination, label)
        if root is None or not (root / relative).is_file():
            return None
        lines = (root / relative).read_text(encoding="utf-8").split("\n")
        if line is None:  # the file, not a line: the first marker names the template file
            found = next((m for text in lines for m in _MARK.finditer(text)), None)
            return (self.sources[int(found.group(1))], None) if found else None
        index = min(max(line - 1, 0), len(lines) - 1)
        after = _marker_after(lines[index], column)
        for text in lines[index + 1 :]:
            if after is not None:
                break
            after = next(iter(_MARK.finditer(text)), None)
        if after is not None:
            return self.sources[int(after.group(1))], int(after.group(2))
        for distance, text in enumerate(reversed(lines[:index]), 1):  # a last line, unmarked
            before = list(_MARK.finditer(text))
            if before:
                return self.sources[int(before[-1].group(1))], int(before[-1].group(2)) + distance
        return None

    def _render(self, combination: Mapping[str, Any], label: str) -> Path | None:
        if label not in self.renders:
            destination = self.scratch / f"render-{len(self.renders)}"
            try:
                render_project(destination, combination, template=self.marked)
            except RenderError:
                self.renders[label] = None
            else:
                self.renders[label] = destination
        return self.renders[label]


def _marker_after(text: str, column: int) -> re.Match[str] | None:
    """The first marker after `column` (counted in the line without markers)."""
    clean = 0  # characters of the unmarked line before the current marker
    end = 0
    plain_length = len(_MARK.sub("", text))
    for found in _MARK.finditer(text):
        clean += found.start() - end
        end = found.end()
        if clean > column or clean == plain_length:
            return found
    return None
