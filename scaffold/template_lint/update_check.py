"""Does a project rendered from the previous template version update cleanly to this one?

In a throw-away template store: render the previous version with the default answers, commit
it, update it to the template being linted with `scaffold update`'s merge, and compare the result
with a fresh render of that template. A failed update, a conflict marker, or a file that is
missing, left over or different (other than `_skip_if_exists` files, which updates never touch)
is a finding.
"""

from __future__ import annotations

import fnmatch
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from packaging.version import Version

from scaffold import template_store
from scaffold._version import __version__
from scaffold.errors import ScaffoldError
from scaffold.render import ANSWERS_FILE, render_project
from scaffold.template_lint.problems import Finding
from scaffold.template_store import TemplateVersion
from scaffold.update import conflicts, merge_update, status

_IDENTITY = ["-c", "user.name=scaffold", "-c", "user.email=scaffold@localhost"]


@dataclass(frozen=True)
class UpdateOutcome:
    """What updating a project of the previous version showed."""

    note: str
    """One line on what was checked."""
    findings: tuple[Finding, ...] = ()


def previous_release(template: Path, scratch: Path) -> TemplateVersion | None:
    """The newest release of scaffold's template that differs from `template`.

    Releases are those the installed scaffold carries (`scaffold.template_history`), fetched
    into a store in `scratch`; one equal to `template` is the current version, not a previous.
    """
    store = scratch / "releases"
    template_store.init_store(store)
    current = template_store.tree_of(template, store)
    older = [
        tag
        for tag in template_store.add_released(store)
        if template_store.rev(store, f"{tag}^{{tree}}") != current
        and Version(tag[1:]) <= Version(__version__)
    ]
    return TemplateVersion(store, max(older, key=lambda tag: Version(tag[1:]))) if older else None


def check_update(
    template: Path, previous: TemplateVersion, skip_if_exists: list[str]
) -> UpdateOutcome:
    """Update a default project of `previous` to `template`; compare it with a fresh render."""
    note = f"updated a default project from template {previous.tag} to the linted template"
    with tempfile.TemporaryDirectory(prefix="scaffold-lint-update-") as scratch:
        try:
            findings = _check(template, previous, skip_if_exists, Path(scratch))
        except (ScaffoldError, OSError, subprocess.CalledProcessError) as exc:
            detail = exc.stderr if isinstance(exc, subprocess.CalledProcessError) else exc
            message = f"updating a project from template {previous.tag} fails: {detail}"
            return UpdateOutcome(note, (Finding(ANSWERS_FILE, message),))
    return UpdateOutcome(note, tuple(findings))


def _check(
    template: Path, previous: TemplateVersion, skip_if_exists: list[str], root: Path
) -> list[Finding]:
    store = root / "store"
    template_store.init_store(store)
    tag = f"refs/tags/{previous.tag}"
    _git(store, "fetch", "--quiet", "--no-tags", str(previous.store), f"{tag}:{tag}")
    old = Version(previous.tag[1:])
    newer = __version__ if Version(__version__) > old else f"{old.base_version}.post1"
    current = template_store.ensure_version(template, newer, store)
    project = root / "project"
    render_project(project, {}, template=store, vcs_ref=previous.tag)
    if not (project / ANSWERS_FILE).is_file():
        message = (
            f"a project of template {previous.tag} has no {ANSWERS_FILE}, so it cannot be "
            "updated: the template must render `{{ _copier_conf.answers_file }}.jinja` with "
            "`{{ _copier_answers | to_nice_yaml }}`"
        )
        return [Finding(ANSWERS_FILE, message)]
    _git(project, "init", "--quiet")
    _git(project, "add", "--all")
    _git(project, "commit", "--quiet", "--no-verify", "-m", f"Template {previous.tag}")
    merge_update(project, store, current.tag)
    what = f"updating a project from template {previous.tag}"
    clashes = conflicts(project, status(project))
    findings = [Finding(path, f"{what} leaves conflict markers") for path in clashes]
    fresh = root / "fresh"
    render_project(fresh, {}, template=store, vcs_ref=current.tag)
    owned = _owned(skip_if_exists, fresh)
    ours, theirs = _files(project), _files(fresh)
    different = {path for path in ours & theirs if _read(project, path) != _read(fresh, path)}
    for path in sorted((ours ^ theirs) | different):
        if path == ANSWERS_FILE or path in clashes or any(fnmatch.fnmatch(path, p) for p in owned):
            continue
        if path not in theirs:
            outcome = "leaves it behind (a fresh render has no such file)"
        elif path not in ours:
            outcome = "does not create it"
        else:
            outcome = "leaves it different from a fresh render"
        findings.append(Finding(path, f"{what} {outcome}"))
    return findings


def _owned(patterns: list[str], fresh: Path) -> list[str]:
    """The `_skip_if_exists` patterns with the fresh render's answers filled in."""
    answers: Any = yaml.safe_load((fresh / ANSWERS_FILE).read_text(encoding="utf-8")) or {}
    environment = jinja2.Environment(autoescape=False)  # file paths, not HTML
    rendered = []
    for pattern in patterns:
        try:
            rendered.append(environment.from_string(pattern).render(**answers))
        except jinja2.TemplateError:
            continue
    return rendered


def _files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def _read(root: Path, path: str) -> bytes:
    return (root / path).read_bytes()


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *_IDENTITY, *args], cwd=cwd, check=True, capture_output=True)
