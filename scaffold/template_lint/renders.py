"""Render one option combination and check its files: the unit of work of `lint-templates`.

Runs in worker processes (`render_combination` must stay importable and its result picklable).
Files already checked by this process (same path, same content) are not checked again: most
combinations render most files identically.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2

from scaffold.errors import RenderError
from scaffold.render import render_project
from scaffold.template_lint.checks import text_findings
from scaffold.template_lint.problems import Finding, first_line

LINT_SUFFIXES = (".py", ".pyi")
LINT_CONFIGS = ("pyproject.toml", "ruff.toml", ".ruff.toml")
"""What ruff reads: two renders with the same such files get the same ruff findings."""

_UNDEFINED = re.compile(r"'([A-Za-z_]\w*)' is undefined")
_checked: dict[tuple[str, str], tuple[Finding, ...]] = {}


@dataclass(frozen=True)
class RenderFailure:
    """Why a combination does not render, and where in the template when the error says."""

    message: str
    undefined: str | None
    """The undefined variable's name, for an undefined variable."""
    path: str | None
    """The template file (relative to the template folder) whose rendering failed."""
    line: int | None


@dataclass(frozen=True)
class Rendered:
    """One combination's render: its files' hashes and findings, or why it failed."""

    number: int
    folder: str
    """The render's folder name in the scratch folder."""
    files: dict[str, str]
    """Relative path -> sha256 of the content."""
    findings: tuple[Finding, ...]
    failure: RenderFailure | None = None

    def lint_key(self) -> str:
        """Equal for renders that ruff sees alike: the same Python files and settings."""
        seen = sorted(
            (path, digest)
            for path, digest in self.files.items()
            if path.endswith(LINT_SUFFIXES) or path.rsplit("/", 1)[-1] in LINT_CONFIGS
        )
        return hashlib.sha256(repr(seen).encode()).hexdigest()

    def content_key(self) -> str:
        """Equal for identical renders."""
        return hashlib.sha256(repr(sorted(self.files.items())).encode()).hexdigest()


def render_combination(
    work: Path, scratch: Path, number: int, combination: dict[str, Any]
) -> Rendered:
    """Render `combination` of the template `work` into `scratch/render-<number>`; check it."""
    folder = f"render-{number}"
    destination = scratch / folder
    try:
        render_project(destination, combination, template=work)
    except RenderError as exc:
        return Rendered(number, folder, {}, (), _failure(exc, work))
    files: dict[str, str] = {}
    findings: list[Finding] = []
    for directory, _, names in os.walk(destination):
        for name in names:
            path = Path(directory, name)
            relative = path.relative_to(destination).as_posix()
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            files[relative] = digest
            findings += _findings(relative, digest, data)
    return Rendered(number, folder, files, tuple(findings))


def _findings(relative: str, digest: str, data: bytes) -> tuple[Finding, ...]:
    key = (relative, digest)
    if key not in _checked:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            _checked[key] = ()
        else:
            _checked[key] = tuple(text_findings(relative, text))
    return _checked[key]


def _failure(exc: RenderError, work: Path) -> RenderFailure:
    """The message, and the template file and line from the traceback of Jinja's error.

    Jinja rewrites its tracebacks so that a frame of a template names the template file and
    line: the line of the expression that failed, not the first line that names it.
    """
    undefined: str | None = None
    path: str | None = None
    line: int | None = None
    error: BaseException | None = exc
    while error is not None:
        if isinstance(error, jinja2.UndefinedError):
            undefined = _undefined_name(error)
        for filename, number in _frames(error.__traceback__):
            inside = Path(filename)
            if inside.is_absolute() and inside.is_relative_to(work):
                path, line = inside.relative_to(work).as_posix(), number
        error = error.__cause__ or error.__context__
    return RenderFailure(first_line(exc), undefined, path, line)


def _frames(traceback: TracebackType | None) -> list[tuple[str, int]]:
    frames = []
    while traceback is not None:
        frames.append((traceback.tb_frame.f_code.co_filename, traceback.tb_lineno))
        traceback = traceback.tb_next
    return frames


def _undefined_name(error: jinja2.UndefinedError) -> str | None:
    match = _UNDEFINED.fullmatch(str(error.message or ""))
    return match.group(1) if match else None
