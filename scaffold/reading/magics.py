"""Neutralise IPython syntax so that a cell's code parses as Python.

Each form is replaced line by line (so line numbers stay those of the cell) and recorded as a
`Magic`, which keeps the original text:

* `%matplotlib inline`, `!ls`, `df?` and other unparsable forms become a comment (or `pass` where
  the line is indented inside a block, so the block stays valid);
* `%time EXPR` / `%timeit EXPR` keep the timed Python code, which is part of the pipeline;
* a cell magic (`%%time`, `%%capture`) whose body is Python keeps its body; any other cell magic
  (`%%bash`, `%%html`, `%%writefile`, ...) turns the whole cell into comments;
* `!pip install X` and `%pip install X` also yield requirement `X` for the generated project.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from scaffold.notebook import Magic, MagicKind

MARKER = "# scaffold-ipython: "
"""Prefix of the comment that stands in for a neutralised line."""

PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "memit", "debug"})
TIMING_LINE_MAGICS = frozenset({"time", "timeit", "prun", "memit"})

_LINE_MAGIC = re.compile(r"^(?P<indent>\s*)%(?P<name>\w+)(?P<rest>.*)$")
_CELL_MAGIC = re.compile(r"^\s*%%(?P<name>\w+)")
_SHELL = re.compile(r"^(?P<indent>\s*)!(?!=)(?P<command>.*)$")
# The target starts with a non-space: `\s*` then `[\w\s...]+?` could split leading spaces in
# every way, cubic in the indentation of a line without `= !` (150 levels took 9 s).
_ASSIGNED = re.compile(
    r"^(?P<indent>\s*)(?P<target>[\w,.\[\]'\"][\w\s,.\[\]'\"]*?)\s*=\s*(?P<form>[!%].*)$"
)
_ASSIGNS_MAGIC = re.compile(r"=\s*[!%]")
_HELP = re.compile(r"^(?P<indent>\s*)(?:\?{1,2}[\w.]+|[\w.\[\]'\"()]+\?{1,2})\s*$")
_PIP = re.compile(r"^(?:%|!)\s*(?:\S*python\S*\s+-m\s+|\{[^}]*\}\s+-m\s+)?pip3?\s+install\s+(.*)$")


@dataclass(frozen=True)
class NeutralisedCode:
    """A cell's code with IPython syntax replaced, and what was replaced."""

    code: str
    magics: tuple[Magic, ...]
    requirements: tuple[str, ...]


def neutralise(source: str) -> NeutralisedCode:
    """Replace every IPython form in `source` by Python, recording each replacement."""
    lines = source.split("\n")
    if lines and (match := _CELL_MAGIC.match(lines[0])):
        return _neutralise_cell_magic(lines, match.group("name"))
    out: list[str] = []
    magics: list[Magic] = []
    requirements: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        # A shell or magic line may continue over several lines with a trailing backslash.
        end = index
        while _is_ipython(lines[index]) and lines[end].endswith("\\") and end + 1 < len(lines):
            end += 1
        original = "\n".join(lines[index : end + 1])
        replacement, kind = _replace_line(original)
        if kind is None:
            out.append(line)
            index += 1
            continue
        magics.append(Magic(line=index + 1, kind=kind, original=original, replacement=replacement))
        requirements.extend(pip_requirements(original))
        out.append(replacement)
        out.extend(_comment_out(lines[index + 1 : end + 1]))
        index = end + 1
    return NeutralisedCode("\n".join(out), tuple(magics), tuple(requirements))


def _is_ipython(line: str) -> bool:
    return bool(_LINE_MAGIC.match(line) or _SHELL.match(line) or _assigned_magic(line))


def _assigned_magic(line: str) -> re.Match[str] | None:
    """`files = !ls`, `t = %timeit -o f()`; not `d["a=%d" % i] = f()` (the `=` is in a string)."""
    if not _ASSIGNS_MAGIC.search(line):  # cheap test first
        return None
    match = _ASSIGNED.match(line)
    if match is None:
        return None
    target = match.group("target")
    balanced = target.count("[") == target.count("]")
    quoted = target.count('"') % 2 == 0 and target.count("'") % 2 == 0
    return match if balanced and quoted else None


def _replace_line(text: str) -> tuple[str, MagicKind | None]:
    first = text.split("\n", 1)[0]
    if match := _LINE_MAGIC.match(first):
        indent, name, rest = match.group("indent", "name", "rest")
        if name in TIMING_LINE_MAGICS and rest.strip() and "\n" not in text:
            return indent + _strip_magic_options(rest), "line_magic"
        return _stand_in(indent, text), "line_magic"
    if match := _SHELL.match(first):
        return _stand_in(match.group("indent"), text), "shell"
    if (match := _assigned_magic(first)) and not first.lstrip().startswith("#"):
        form = match.group("form")
        kind: MagicKind = "shell" if form.startswith("!") else "line_magic"
        return _stand_in(match.group("indent"), text), kind
    if match := _HELP.match(first):
        return _stand_in(match.group("indent"), text), "help"
    return text, None


def _stand_in(indent: str, text: str) -> str:
    """A comment keeping the original text, or `pass` with that comment inside a block."""
    first = text.split("\n", 1)[0].strip()
    return f"{indent}pass  {MARKER}{first}" if indent else f"{MARKER}{first}"


def _strip_magic_options(rest: str) -> str:
    """`%timeit -n 10 -r 3 f(x)` -> `f(x)`: drop the magic's own options."""
    words = rest.strip()
    while words.startswith("-"):
        option, _, words = words.partition(" ")
        if option in {"-n", "-r", "-o", "-T", "-l"} and not option[2:]:
            _, _, words = words.lstrip().partition(" ")
        words = words.lstrip()
    return words


def _comment_out(lines: list[str]) -> list[str]:
    return [f"{MARKER}{line}" for line in lines]


def _neutralise_cell_magic(lines: list[str], name: str) -> NeutralisedCode:
    magic_line = lines[0]
    if name in PYTHON_CELL_MAGICS:
        magic = Magic(1, "cell_magic", magic_line, f"{MARKER}{magic_line.strip()}")
        inner = neutralise("\n".join(lines[1:]))
        shifted = tuple(Magic(m.line + 1, m.kind, m.original, m.replacement) for m in inner.magics)
        code = "\n".join([magic.replacement, inner.code])
        return NeutralisedCode(code, (magic, *shifted), inner.requirements)
    commented = _comment_out(lines)
    magic = Magic(1, "cell_magic", "\n".join(lines), "\n".join(commented))
    return NeutralisedCode("\n".join(commented), (magic,), ())


def restore(code: str, magics: tuple[Magic, ...]) -> str:
    """Put the original IPython text back where `neutralise` replaced it."""
    lines = code.split("\n")
    for magic in magics:
        original = magic.original.split("\n")
        start = magic.line - 1
        lines[start : start + len(original)] = original
    return "\n".join(lines)


def pip_requirements(line: str) -> list[str]:
    """The requirement specifiers of a `!pip install` / `%pip install` line ([] otherwise)."""
    match = _PIP.match(line.strip().replace("\\\n", " "))
    if not match:
        return []
    try:
        words = shlex.split(match.group(1), comments=True)
    except ValueError:
        words = match.group(1).split()
    requirements: list[str] = []
    skip_next = False
    for word in words:
        if skip_next:
            skip_next = False
        elif word in {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "-e"}:
            skip_next = True
        elif not word.startswith("-") and not word.startswith(("$", "{")):
            requirements.append(word)
    return requirements
