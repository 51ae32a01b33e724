"""The template version store: a local git repository with one tagged snapshot per template version.

`copier update` needs the template the project was generated from *and* the new one, as a git
repository with PEP 440 version tags. scaffold ships its template inside the package, so it keeps
such a repository on the user's machine and adds each installed version to it when first needed:

- where: `$SCAFFOLD_TEMPLATE_STORE`, else `$XDG_DATA_HOME/scaffold/templates`, else
  `~/.local/share/scaffold/templates`; a plain (non-bare) git repository, marked with
  `git config scaffold.templatestore true`;
- what: branch `main` holds one commit per snapshot; scaffold version X is tagged `vX`. If the
  installed template differs from what `vX` already holds (a template edited in a source checkout
  without a version bump), the new snapshot is tagged `vX+dev.N` (a PEP 440 local version);
- how: the template directory is hashed into the store with a temporary index (`git add` with
  `--work-tree`), so nothing is copied and an unchanged template creates nothing; refs are moved
  with `git update-ref`, which refuses a concurrent change instead of losing it.

Everything is local: no network is ever needed. A new store first takes in the released versions
the installed scaffold carries (`scaffold.template_history`), and so does an update that misses
its merge base: deleting the store loses only versions that were never released.

Projects record the store as `SRC_PATH`, the default location written with `~`, whatever the
store's real place on the machine that generated them: `.copier-answers.yml` names no machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scaffold import template_history
from scaffold.errors import TemplateStoreError

STORE_ENV = "SCAFFOLD_TEMPLATE_STORE"
SRC_PATH = "~/.local/share/scaffold/templates"
"""What projects record as `_src_path`: the default store, the same text on every machine."""
MARKER = "scaffold.templatestore"
BRANCH = "refs/heads/main"
_IGNORED = ("__pycache__", "*.py[co]", ".ruff_cache", ".mypy_cache", ".pytest_cache", ".DS_Store")
_IDENTITY = {
    "GIT_AUTHOR_NAME": "scaffold",
    "GIT_AUTHOR_EMAIL": "scaffold@localhost",
    "GIT_COMMITTER_NAME": "scaffold",
    "GIT_COMMITTER_EMAIL": "scaffold@localhost",
}


@dataclass(frozen=True)
class TemplateVersion:
    """One snapshot of the template in the store."""

    store: Path
    """The store repository (absolute)."""
    tag: str
    """Its tag, `v<version>` or `v<version>+dev.<n>`: what copier records as `_commit`."""


def default_store() -> Path:
    """Where the store lives: `$SCAFFOLD_TEMPLATE_STORE`, else the user data folder."""
    if override := os.environ.get(STORE_ENV):
        return Path(override).expanduser().absolute()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data).expanduser().absolute() / "scaffold" / "templates"


def is_store(path: Path) -> bool:
    """Whether `path` is a scaffold template store."""
    if not (path / ".git").exists():
        return False
    result = _git(path, "config", "--get", MARKER, check=False)
    return result.returncode == 0 and result.stdout.strip() == "true"


def tags(store: Path) -> list[str]:
    """The version tags in the store, oldest snapshot first."""
    if not is_store(store):
        return []
    output = _git(store, "tag", "--list", "v*", "--sort=creatordate").stdout
    return output.split()


def has_version(store: Path, ref: str) -> bool:
    """Whether the store holds the commit `ref` (a tag or any commit description)."""
    return is_store(store) and (
        _git(store, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False).returncode
        == 0
    )


def ensure_version(
    template: Path, version: str, store: Path | None = None, *, released: bool = False
) -> TemplateVersion:
    """The snapshot of `template` as version `version`, added to the store if missing.

    Args:
        template: The template directory (holding `copier.yml`).
        version: Its version (PEP 440, without the `v`), normally `scaffold.__version__`.
        store: The store; defaults to `default_store()`.
        released: Whether a new store first takes in the released versions scaffold carries
            (`add_released`), so that `version`'s tag names the released template.

    Returns:
        The tagged snapshot whose content equals `template`.

    Raises:
        TemplateStoreError: git is missing or the store cannot be written.
    """
    store = (store or default_store()).absolute()
    if init_store(store) and released:
        add_released(store)
    tree = tree_of(template, store)
    base = f"v{version}"
    candidates = [base, *sorted(_dev_tags(store, base), key=_dev_number)]
    for tag in candidates:
        if _rev(store, f"{tag}^{{tree}}") == tree:
            return TemplateVersion(store, tag)
    tag = base if _rev(store, base) is None else _next_dev(store, base)
    parent = _rev(store, BRANCH)
    commit = _git(
        store,
        "commit-tree",
        tree,
        *(("-p", parent) if parent else ()),
        "-m",
        f"Template {tag[1:]} from {template}",
        env=_IDENTITY,
    ).stdout.strip()
    _git(store, "update-ref", BRANCH, commit, parent or "")
    created = _git(store, "update-ref", f"refs/tags/{tag}", commit, "", check=False)
    if created.returncode != 0:  # another process tagged it meanwhile: use theirs if it matches
        if _rev(store, f"{tag}^{{tree}}") == tree:
            return TemplateVersion(store, tag)
        raise TemplateStoreError(f"{store}: could not tag {tag}: {created.stderr.strip()}")
    _git(store, "reset", "--hard", "--quiet", check=False)  # show the newest snapshot
    return TemplateVersion(store, tag)


def add_released(store: Path) -> list[str]:
    """Add the released versions the installed scaffold carries that `store` lacks.

    From the wheel's bundle, or in a source checkout from its release tags; returns the tags
    added.

    Raises:
        TemplateStoreError: git failed.
    """
    bundle = template_history.shipped_bundle()
    if bundle is not None:
        return add_history(store, bundle)
    repository = template_history.source_repository()
    if repository is None:
        return []
    with tempfile.TemporaryDirectory(prefix="scaffold-history-") as scratch:
        built = Path(scratch) / template_history.BUNDLE_NAME
        try:
            tags = template_history.build_bundle(repository, built)
        except template_history.HistoryError as exc:
            raise TemplateStoreError(str(exc)) from exc
        return add_history(store, built) if tags else []


def add_tag(store: Path, other: Path, tag: str) -> None:
    """Fetch version `tag` from the store `other` into `store`.

    Raises:
        TemplateStoreError: git failed.
    """
    ref = f"refs/tags/{tag}"
    _git(store, "fetch", "--quiet", "--no-tags", str(other), f"{ref}:{ref}")


def add_history(store: Path, bundle: Path) -> list[str]:
    """Fetch the version tags of `bundle` that `store` lacks; returns them.

    A tag the store already has is kept as it is, even if the bundle's differs.

    Raises:
        TemplateStoreError: the bundle cannot be read, or git failed.
    """
    heads = _git(store, "bundle", "list-heads", str(bundle)).stdout.splitlines()
    refs = [line.split()[-1] for line in heads if line.strip()]
    missing = [ref for ref in refs if ref.startswith("refs/tags/v") and _rev(store, ref) is None]
    if missing:
        specs = [f"{ref}:{ref}" for ref in missing]
        _git(store, "fetch", "--quiet", "--no-tags", str(bundle), *specs)
    return [ref.removeprefix("refs/tags/") for ref in missing]


def init_store(store: Path) -> bool:
    """Make `store` a store if it is not one; whether it was made now.

    Raises:
        TemplateStoreError: `store` is a folder with other files, or git failed.
    """
    if is_store(store):
        return False
    if store.exists() and any(store.iterdir()):
        raise TemplateStoreError(
            f"{store} exists and is not a scaffold template store; move it away or set "
            f"{STORE_ENV} to another folder"
        )
    store.mkdir(parents=True, exist_ok=True)
    _git(store, "init", "--quiet", "--initial-branch=main")
    _git(store, "config", MARKER, "true")
    (store / ".git" / "description").write_text(
        "scaffold's template versions, one tag per version (see scaffold/template_store.py)\n",
        encoding="utf-8",
    )
    return True


def tree_of(template: Path, store: Path) -> str:
    """The git tree of `template`'s files, written into `store`'s objects (nothing else changes).

    Raises:
        TemplateStoreError: `template` has no copier.yml, or git failed.
    """
    if not (template / "copier.yml").is_file() and not (template / "copier.yaml").is_file():
        raise TemplateStoreError(f"{template} is not a copier template (no copier.yml)")
    with tempfile.TemporaryDirectory(prefix="scaffold-index-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        excludes = [f":(exclude,glob)**/{pattern}" for pattern in _IGNORED]
        _git(
            template,
            f"--git-dir={store / '.git'}",
            "--work-tree=.",
            "add",
            "--all",
            "--force",
            "--",
            ".",
            *excludes,
            env=env,
        )
        return _git(store, "write-tree", env=env).stdout.strip()


def rev(store: Path, ref: str) -> str | None:
    """The object `ref` names in `store`, or None."""
    return _rev(store, ref)


def _rev(store: Path, ref: str) -> str | None:
    result = _git(store, "rev-parse", "--verify", "--quiet", ref, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def _dev_tags(store: Path, base: str) -> list[str]:
    output = _git(store, "tag", "--list", f"{base}+dev.*").stdout
    return [tag for tag in output.split() if re.fullmatch(re.escape(base) + r"\+dev\.\d+", tag)]


def _dev_number(tag: str) -> int:
    return int(tag.rsplit(".", 1)[1])


def _next_dev(store: Path, base: str) -> str:
    numbers = [_dev_number(tag) for tag in _dev_tags(store, base)]
    return f"{base}+dev.{max(numbers, default=0) + 1}"


def _git(
    cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None:
        raise TemplateStoreError("git is not installed; scaffold keeps template versions with git")
    result = subprocess.run(
        [git, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if check and result.returncode != 0:
        raise TemplateStoreError(f"git {args[0]} in {cwd} failed: {result.stderr.strip()}")
    return result
