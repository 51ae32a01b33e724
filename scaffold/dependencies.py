"""The generated project's requirements, from what its code imports and what is installed here.

Two records of one environment: `pyproject.toml` gets a range per imported distribution, from the
version installed here up to its next major release, and `constraints.txt` pins the exact versions
installed here of those distributions and of everything they need, so that CI and the Docker image
install what the notebook ran with.
"""

from __future__ import annotations

import platform
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

KNOWN_DISTRIBUTIONS = {
    "sklearn": "scikit-learn",
    "sksurv": "scikit-survival",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "cv2": "opencv-python",
    "bs4": "beautifulsoup4",
}
"""Import names whose distribution is named otherwise, for when it is not installed here."""


@dataclass(frozen=True)
class ProjectRequirements:
    """What the generated project declares and what it pins."""

    dependencies: tuple[str, ...]
    """PEP 508 requirements for `pyproject.toml`: `pandas>=2.2.3,<3`."""
    constraints: tuple[str, ...]
    """`name==version` of each distribution installed here that the dependencies need."""
    recorded_with: str
    """Where the pins come from: `Python 3.11.7 on Linux`."""


_LISTINGS = ("RECORD", "installed-files.txt", "SOURCES.txt")
"""The files a distribution's `files` are read from."""


@lru_cache(maxsize=1)
def _installed() -> tuple[tuple[metadata.Distribution, tuple[str, ...], str], ...]:
    """Each installed distribution, its declared top-level names and, without them, its file list.

    Reading these is cheap; parsing every file list into paths (what
    `metadata.packages_distributions()` does for every distribution) took a tenth of a run.
    """
    found = []
    for dist in metadata.distributions():
        declared = tuple((dist.read_text("top_level.txt") or "").split())
        listing = "" if declared else "\n".join(dist.read_text(name) or "" for name in _LISTINGS)
        found.append((dist, declared, listing))
    return tuple(found)


@lru_cache(maxsize=256)
def _distributions_of(top: str) -> tuple[str, ...]:
    """`metadata.packages_distributions()[top]`, parsing only file lists that name `top`."""
    names = []
    for index, (dist, declared, listing) in enumerate(_installed()):
        if declared:
            provides = top in declared
        else:  # a module of the distribution is a `.py` file, `top.py` or under `top/`
            provides = top in listing and top in _inferred_top_level(index)
        if provides:
            names.append(dist.metadata["Name"])
    return tuple(names)


@cache
def _inferred_top_level(index: int) -> frozenset[str]:
    """The top-level modules of a distribution without `top_level.txt`, as the stdlib infers."""
    dist = _installed()[index][0]
    return frozenset(
        path.parts[0] if len(path.parts) > 1 else path.with_suffix("").name
        for path in dist.files or ()
        if path.suffix == ".py"
    )


def distribution_of(module: str) -> str | None:
    """The distribution that provides `module` (`scikit-learn` for `sklearn.metrics`).

    None for the standard library, `__future__` and relative imports.
    """
    top = module.split(".", 1)[0]
    if not top or top in sys.stdlib_module_names or top == "__future__":
        return None
    installed = _distributions_of(top)
    return installed[0] if installed else KNOWN_DISTRIBUTIONS.get(top, top)


def compatible_range(version: str) -> str:
    """`>=2.2.3,<3` for 2.2.3; a 0.x release may break on its next minor: `>=0.10.1,<0.11`."""
    parsed = Version(version)
    major, minor = (*parsed.release, 0)[:2]
    upper = f"{major + 1}" if major else f"0.{minor + 1}"
    return f">={parsed.public},<{upper}"  # public: without a local label such as +cpu


def _installed_version(name: str) -> str | None:
    """The version installed here from a package index; None if absent or installed from a path."""
    try:
        distribution = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    if distribution.read_text("direct_url.json") is not None:
        return None  # editable, a local folder or a VCS checkout: no index has that version
    try:
        Version(distribution.version)
    except InvalidVersion:
        return None
    return distribution.version


def _requirement_name(requirement: str) -> str:
    return canonicalize_name(re.split(r"[<>=!~\[;@ ]", requirement.strip(), maxsplit=1)[0])


def project_requirements(
    imported: Iterable[str], declared: Iterable[str] = (), notebook_imports: Iterable[str] = ()
) -> ProjectRequirements:
    """The requirements of code that imports `imported`.

    Args:
        imported: Modules the project's code imports.
        declared: The notebook's `!pip install` requirements. One the notebook imports only in
            code the project leaves out (`matplotlib` for plots) is dropped; one it never imports
            (a pandas engine such as `openpyxl`) is kept as written.
        notebook_imports: Modules the whole notebook imports.
    """
    distributions = {
        canonicalize_name(name) for name in map(distribution_of, imported) if name is not None
    }
    notebook_distributions = {
        canonicalize_name(name) for name in map(distribution_of, notebook_imports) if name
    }
    ranges: dict[str, str | None] = {}
    for name in distributions:
        version = _installed_version(name)
        ranges[name] = f"{name}{compatible_range(version)}" if version else None
    for requirement in declared:
        key = _requirement_name(requirement)
        if key in distributions:
            ranges[key] = ranges[key] or requirement  # not installed here: as the notebook says
        elif key not in notebook_distributions:
            ranges[key] = requirement
    return ProjectRequirements(
        dependencies=tuple(sorted(ranges[name] or name for name in ranges)),
        constraints=pins(distributions),
        recorded_with=f"Python {platform.python_version()} on {platform.system()}",
    )


def pins(distributions: Iterable[str]) -> tuple[str, ...]:
    """`name==version` of `distributions` and of all they need, as installed here (sorted)."""
    environment = {key: str(value) for key, value in default_environment().items()}
    environment["extra"] = ""
    pinned: dict[str, str] = {}
    pending = [canonicalize_name(name) for name in distributions]
    seen: set[str] = set()
    while pending:
        key = pending.pop()
        if key in seen:
            continue
        seen.add(key)
        version = _installed_version(key)
        if version is None:
            continue
        pinned[key] = version
        for line in metadata.requires(key) or ():
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if requirement.marker is None or requirement.marker.evaluate(environment):
                pending.append(canonicalize_name(requirement.name))
    return tuple(f"{key}=={pinned[key]}" for key in sorted(pinned))


_IMPORT = re.compile(r"^(?:from|import)\s+([A-Za-z_][\w.]*)", re.MULTILINE)


def imported_modules(sources: Iterable[str]) -> set[str]:
    """The absolute modules the given Python sources import."""
    return {module for source in sources for module in _IMPORT.findall(source)}
