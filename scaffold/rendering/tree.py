"""Write a template's tree into a new folder, as copier's copy does (`Worker._render_template`).

Every entry under the template's subdirectory is visited in `os.scandir` order (folders before
their content; symbolic links followed, but none may lead out of the template). Each part of
its path is rendered: a part that renders empty drops the entry (and everything under it); a
part that renders to the answers file's name ends the path there. A `.jinja` file is rendered
and loses the suffix (a plain file beside it of the same name is then not copied); other files
are copied byte for byte. Rendered paths matching `_exclude` (gitignore patterns) are left out.
A written file takes the mode of its source. Two entries rendering to the same file are an
error unless they write the same bytes (copier would ask before overwriting).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2

from scaffold.rendering.environment import render_string
from scaffold.rendering.settings import TemplateSettings, Unsupported

_LINES = re.compile(r"\r\n|\r|\n")
"""What separates patterns in one rendered `_exclude` entry (copier splits there only)."""


class PathError(Exception):
    """A path of the template leads out of it or out of the destination, or does not render."""


class TreeWriter:
    """Renders the files of one template, with one context, into one destination."""

    def __init__(
        self,
        settings: TemplateSettings,
        env: jinja2.Environment,
        context: Mapping[str, Any],
        destination: Path,
        answers_path: str,
    ) -> None:
        self.settings = settings
        self.env = env
        self.context = context
        self.destination = destination.absolute()
        self.root = destination.resolve()
        self.answers_path = answers_path
        subdirectory = self.render({}, settings.subdirectory)
        self.copy_root = (settings.root / subdirectory).resolve()
        if not self.copy_root.is_relative_to(settings.root):
            raise PathError(f"_subdirectory {subdirectory!r} leads out of the template")
        self.excluded = path_matcher(
            line
            for pattern in settings.exclude
            for line in _LINES.split(self.render({"_copier_operation": "copy"}, pattern))
        )

    def render(self, extra: Mapping[str, Any], source: str) -> str:
        """`source` rendered with the context (and `extra`)."""
        return render_string(self.env, source, {**self.context, **extra} if extra else self.context)

    def write(self) -> None:
        """Render the whole tree.

        Raises:
            Unsupported: a path uses copier's `{% yield %}`.
            PathError: a path leads out of the template or the destination, or two entries
                render to one file with different content.
            jinja2.TemplateError: a file or a path does not render.
        """
        for entry in _scan(self.copy_root):
            source = Path(entry.path)
            if source.is_symlink() and not source.resolve().is_relative_to(self.settings.root):
                raise PathError(f"{source} links to a place outside the template")
            relative = source.relative_to(self.copy_root)
            for target in self.targets(relative):
                self.place(entry, source, target)

    def targets(self, relative: Path) -> Iterator[Path]:
        """Where the template entry `relative` (to the subdirectory) goes: none, or one path."""
        suffix = self.settings.suffix
        is_template = bool(suffix) and relative.name.endswith(suffix)
        if suffix and (self.copy_root / f"{relative}{suffix}").exists():
            return  # `x.jinja` beside `x`: only the template is rendered
        if is_template:
            relative = relative.with_suffix("")
        parts: list[str] = []
        for number, part in enumerate(relative.parts, 1):
            if "yield" in part and self.env.block_start_string in part:
                raise Unsupported(f"{relative}: copier's yield tag")
            try:
                rendered = self.render({}, part)
            except jinja2.TemplateError as exc:
                where = Path(*relative.parts[:number])
                raise PathError(f"Error rendering template path {where}: {exc}") from exc
            if not rendered:
                return
            if rendered == self.answers_path:
                yield Path(self.answers_path)
                return
            parts.append(rendered)
        path = Path(*parts)
        if is_template or not (self.settings.root / f"{path}{suffix}").exists():
            yield path

    def place(self, entry: os.DirEntry[str], source: Path, target: Path) -> None:
        """Create the folder or write the file `target` (relative to the destination)."""
        written = self.destination / target
        real = (
            written.parent.resolve() / written.name if written.is_symlink() else written.resolve()
        )
        if not real.is_relative_to(self.root):
            raise PathError(f"{target} would be written outside {self.destination}")
        if self.excluded(target):
            return
        if entry.is_dir(follow_symlinks=True):
            written.mkdir(parents=True, exist_ok=True)
            return
        relative = source.relative_to(self.settings.root)
        if self.settings.suffix and relative.name.endswith(self.settings.suffix):
            template = self.env.get_template(relative.as_posix())
            content = template.render(self.context).encode()
        else:
            content = source.read_bytes()
        mode = source.stat().st_mode
        if written.exists() and not self._overwrite(target, written, content, mode):
            return
        written.parent.mkdir(parents=True, exist_ok=True)
        written.write_bytes(content)
        if written.stat().st_mode != mode:
            written.chmod(mode)

    def _overwrite(self, target: Path, written: Path, content: bytes, mode: int) -> bool:
        """Whether to write `target` again (copier's conflict rules for a fresh copy)."""
        same_mode = written.stat().st_mode & 0o111 == mode & 0o111
        if written.read_bytes() == content and same_mode:
            return False
        skipped = path_matcher(self.render({}, pattern) for pattern in self.settings.skip_if_exists)
        if skipped(target):
            return False
        if target == Path(self.answers_path):
            return True
        raise PathError(f"two template files render to {target} with different content")


def path_matcher(patterns: Iterable[str]) -> Callable[[Path], bool]:
    """A test of relative paths against gitignore-style `patterns` (as copier matches them)."""
    import pathspec  # only renders need it

    style = "gitignore" if int(pathspec.__version__.split(".")[0]) >= 1 else "gitwildmatch"
    normalized = [unicodedata.normalize("NFD", pattern) for pattern in patterns]
    spec = pathspec.PathSpec.from_lines(style, normalized)

    def matches(path: Path) -> bool:
        return bool(spec.match_file(path))

    return matches


def _scan(folder: Path) -> Iterator[os.DirEntry[str]]:
    """Every entry under `folder`, each folder followed by its content (copier's `scantree`)."""
    with os.scandir(folder) as entries:
        listed = list(entries)
    for entry in listed:
        yield entry
        if entry.is_dir(follow_symlinks=True):
            yield from _scan(Path(entry.path))
