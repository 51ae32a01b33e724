"""The template's released versions as one git bundle, built into every wheel of scaffold.

`scaffold update` merges from the template version a project was generated from, so any scaffold
must be able to produce that version, also on a machine that never ran it. The wheel therefore
carries `scaffold/template_history.bundle`: for each release tag `v<version>` of scaffold's own
git repository, one commit whose tree is the `templates/` folder at that tag, tagged `v<version>`
as well. The template store (`scaffold.template_store`) fetches the tags it lacks from it.

The bundle is made at build time by `hatch_build.py`, which loads this file on its own (scaffold
is not installed yet), so it imports only the standard library and `packaging` (a dependency of
both hatchling and scaffold). Its commits carry the tagged commits' dates and a fixed identity:
building twice from the same tags gives the same commits.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from packaging.version import InvalidVersion, Version

BUNDLE_NAME = "template_history.bundle"
"""The bundle's file name, beside this module in an installed wheel."""
TEMPLATE_FOLDER = "templates"
_IDENTITY = {
    "GIT_AUTHOR_NAME": "scaffold",
    "GIT_AUTHOR_EMAIL": "scaffold@localhost",
    "GIT_COMMITTER_NAME": "scaffold",
    "GIT_COMMITTER_EMAIL": "scaffold@localhost",
}


class HistoryError(Exception):
    """git failed while reading the repository's tags or writing the bundle."""


def shipped_bundle() -> Path | None:
    """The bundle installed with scaffold, or None (a source checkout, an old wheel)."""
    path = Path(__file__).resolve().parent / BUNDLE_NAME
    return path if path.is_file() else None


def source_repository() -> Path | None:
    """The git work tree scaffold runs from when it is a source checkout, else None."""
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists() or not (root / TEMPLATE_FOLDER / "copier.yml").is_file():
        return None
    return root


def release_trees(repository: Path) -> list[tuple[str, str]]:
    """`(tag, tree of templates/)` for each release tag of `repository`, oldest version first.

    A release tag is `v` and a PEP 440 version whose commit has `templates/copier.yml`.
    """
    listed = _git(repository, "tag", "--list", "v*").split()
    releases: list[tuple[Version, str, str]] = []
    for tag in listed:
        try:
            version = Version(tag[1:])
        except InvalidVersion:
            continue
        # `./`: the folder beside pyproject.toml, also when that is not the repository's top
        probe = _run(repository, "rev-parse", "--verify", "--quiet", f"{tag}:./{TEMPLATE_FOLDER}")
        config = _run(repository, "cat-file", "-e", f"{tag}:./{TEMPLATE_FOLDER}/copier.yml")
        if probe.returncode == 0 and config.returncode == 0:
            releases.append((version, tag, probe.stdout.strip()))
    return [(tag, tree) for _, tag, tree in sorted(releases)]


def build_bundle(repository: Path, destination: Path) -> list[str]:
    """Write the bundle of `repository`'s released templates to `destination`.

    Returns:
        The tags written, oldest first; with none, no file is written (git cannot bundle nothing).

    Raises:
        HistoryError: `repository` is not a git repository, or git failed.
    """
    releases = release_trees(repository)
    if not releases:
        return []
    objects = _git(repository, "rev-parse", "--path-format=absolute", "--git-path", "objects")
    with tempfile.TemporaryDirectory(prefix="scaffold-history-") as scratch:
        bare = Path(scratch) / "history.git"
        _git(Path(scratch), "init", "--quiet", "--bare", str(bare))
        # borrow the trees from the repository instead of copying its whole history
        (bare / "objects" / "info" / "alternates").write_text(objects.strip() + "\n")
        parent: str | None = None
        for tag, tree in releases:
            date = _git(repository, "show", "--no-patch", "--format=%cI", f"{tag}^{{commit}}")
            dated = {**_IDENTITY, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
            parents = ("-p", parent) if parent else ()
            message = f"Template {tag[1:]}"
            commit = _git(bare, "commit-tree", tree, *parents, "-m", message, env=dated).strip()
            _git(bare, "update-ref", f"refs/tags/{tag}", commit)
            parent = commit
        _git(bare, "update-ref", "refs/heads/main", parent or "")
        destination.parent.mkdir(parents=True, exist_ok=True)
        _git(bare, "bundle", "create", "--quiet", str(destination.absolute()), "--all")
    return [tag for tag, _ in releases]


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = _run(cwd, *args, env=env)
    if result.returncode != 0:
        raise HistoryError(f"git {args[0]} in {cwd} failed: {result.stderr.strip()}")
    return result.stdout


def _run(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None:
        raise HistoryError("git is not installed")
    return subprocess.run(
        [git, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
