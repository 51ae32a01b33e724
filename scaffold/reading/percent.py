"""Read a jupytext percent-format script (`# %%` cell markers) into raw cells."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_MARKER = re.compile(r"^#\s?%%(?!%)(?P<title>[^\[]*?)\s*(?:\[(?P<kind>\w+)\])?\s*(?P<options>.*)$")
_TAGS = re.compile(r"tags\s*=\s*(\[[^\]]*\])")


@dataclass(frozen=True)
class RawCell:
    """A cell as found in the script, before neutralising."""

    kind: str
    source: str
    tags: tuple[str, ...]


def is_percent_script(text: str) -> bool:
    """Whether `text` holds at least one `# %%` cell marker."""
    return any(_MARKER.match(line) for line in text.splitlines())


def read_percent(text: str) -> list[RawCell]:
    """Split a percent-format script into cells; markdown cells lose their `# ` prefix."""
    lines = _without_header(text.splitlines())
    cells: list[RawCell] = []
    kind, body = "code", []
    tags: tuple[str, ...] = ()
    started = False
    for line in lines:
        match = _MARKER.match(line)
        if match is None:
            body.append(line)
            continue
        if started or _strip_blank(body):
            cells.append(_make_cell(kind, body, tags))
        started = True
        kind = "markdown" if match.group("kind") in {"markdown", "md"} else "code"
        tags = _tags(match.group("options"))
        body = []
    if started or _strip_blank(body):
        cells.append(_make_cell(kind, body, tags))
    return cells


def _without_header(lines: list[str]) -> list[str]:
    """Drop jupytext's YAML header (`# ---` ... `# ---`) at the top of the file."""
    if lines and lines[0].strip() == "# ---":
        for index, line in enumerate(lines[1:], start=1):
            if line.strip() == "# ---":
                return lines[index + 1 :]
    return lines


def _tags(options: str) -> tuple[str, ...]:
    match = _TAGS.search(options)
    if not match:
        return ()
    try:
        value = json.loads(match.group(1))
    except json.JSONDecodeError:
        return ()
    return tuple(str(tag) for tag in value)


def _strip_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _make_cell(kind: str, lines: list[str], tags: tuple[str, ...]) -> RawCell:
    body = _strip_blank(lines)
    if kind == "markdown":
        body = [re.sub(r"^# ?", "", line) for line in body]
    return RawCell(kind, "\n".join(body), tags)
