"""Checks of rendered files: template syntax left over, YAML, TOML, GitHub expressions, ruff.

Each returns `Finding`s at the rendered file, line and column; `locate` traces them back to
the template.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path

import yaml

from scaffold.project import ruff_binary
from scaffold.template_lint.problems import Finding, first_line

_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|\{#")
_EXPRESSION = re.compile(r"\$\{\{\s*[^{}\s][^{}]*\}\}")
_EMPTY_EXPRESSION = re.compile(r"\$\{\s*\}|\$\{\{\s*\}\}")
_TOML_AT = re.compile(r"at line (\d+), column (\d+)")
_RUFF_CHECK = re.compile(
    r"(?P<root>[^/]+)/(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<what>.*)"
)
_DIFF_FILE = re.compile(r"--- (?P<root>[^/]+)/(?P<path>.+)$")
_HUNK = re.compile(r"@@ -(\d+)")


def text_findings(relative: str, text: str) -> list[Finding]:
    """The faults of one rendered text file that need no other file to see."""
    found = list(_leftovers(relative, text))
    if relative.endswith((".yml", ".yaml")):
        found += _yaml(relative, text)
    if relative.endswith(".toml"):
        found += _toml(relative, text)
    if relative.startswith(".github/workflows/"):
        found += _expressions(relative, text)
    return found


def _leftovers(relative: str, text: str) -> Iterator[Finding]:
    for number, line in enumerate(text.splitlines(), 1):
        if match := _LEFTOVER.search(line):
            message = f"template syntax left in the output: {line.strip()!r}"
            yield Finding(relative, message, number, match.start())


def _yaml(relative: str, text: str) -> list[Finding]:
    try:
        list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column) if mark is not None else (None, 0)
        # the message without its marks: they count rendered lines, which differ by combination
        said = [getattr(exc, "context", None), getattr(exc, "problem", None)]
        message = ": ".join(str(part) for part in said if part) or first_line(exc)
        return [Finding(relative, f"invalid YAML: {message}", line, column)]
    return []


def _toml(relative: str, text: str) -> list[Finding]:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT.search(str(exc))
        line, column = (int(at.group(1)), int(at.group(2)) - 1) if at else (None, 0)
        message = _TOML_AT.sub("", str(exc)).replace(" ()", "").strip()
        return [Finding(relative, f"invalid TOML: {message}", line, column)]
    return []


def _expressions(relative: str, text: str) -> Iterator[Finding]:
    for number, line in enumerate(text.splitlines(), 1):
        for start in (m.start() for m in re.finditer(r"\$\{\{", line)):
            if not _EXPRESSION.match(line, start):
                message = f"broken GitHub expression: {line.strip()!r}"
                yield Finding(relative, message, number, start)
        if empty := _EMPTY_EXPRESSION.search(line):
            message = f"empty GitHub expression: {line.strip()!r}"
            yield Finding(relative, message, number, empty.start())


def ruff_findings(scratch: Path, roots: Sequence[str]) -> dict[str, list[Finding]]:
    """`ruff check` and `ruff format` of the renders `roots` (folders of `scratch`): one run each.

    Returns the findings by render folder. Each render keeps its own `pyproject.toml`, so ruff
    lints every one with its settings (its Python version, say).
    """
    ruff = ruff_binary()
    found: dict[str, list[Finding]] = {root: [] for root in roots}
    checked = _run(
        [ruff, "check", "--no-cache", "--output-format=concise", "--quiet", *roots], scratch
    )
    for line in checked.splitlines():
        if (match := _RUFF_CHECK.match(line)) and match["root"] in found:
            finding = Finding(
                match["path"],
                f"ruff check: {match['what']}",
                int(match["line"]),
                int(match["column"]) - 1,
            )
            found[match["root"]].append(finding)
    diff = _run([ruff, "format", "--diff", "--no-cache", *roots], scratch)
    for root, relative, first in _first_changes(diff):
        if root in found:
            found[root].append(Finding(relative, "ruff format would change it", first))
    return found


def _first_changes(diff: str) -> Iterator[tuple[str, str, int]]:
    """`(render, file, first changed line)` of each file in a unified diff."""
    current: tuple[str, str] | None = None
    start = context = 0
    for line in diff.splitlines():
        if match := _DIFF_FILE.match(line):
            current = (match["root"], match["path"])
        elif current is not None and (hunk := _HUNK.match(line)):
            start, context = int(hunk.group(1)), 0
        elif current is not None and start and line.startswith(" "):
            context += 1
        elif current is not None and start and line.startswith(("-", "+")):
            yield current[0], current[1], start + context
            current, start = None, 0


def _run(command: list[str], cwd: Path) -> str:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False).stdout
