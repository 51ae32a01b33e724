"""Map the imports of the extracted code to requirements pinned to what is installed here."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import metadata

KNOWN_DISTRIBUTIONS = {
    "sklearn": "scikit-learn",
    "sksurv": "scikit-survival",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "cv2": "opencv-python",
    "bs4": "beautifulsoup4",
}


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


def requirement_for(module: str) -> str | None:
    """`pandas>=2.3.3` for `pandas`; None for the standard library and relative imports."""
    top = module.split(".", 1)[0]
    if not top or top in sys.stdlib_module_names or top == "__future__":
        return None
    names = _distributions_of(top) or [KNOWN_DISTRIBUTIONS.get(top, top)]
    name = names[0]
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        return KNOWN_DISTRIBUTIONS.get(top, name)
    return f"{name.lower()}>={version}"


def requirements(modules: Iterable[str], declared: Iterable[str] = ()) -> list[str]:
    """Requirements of the given imported modules, plus the notebook's `!pip install` ones."""
    found: dict[str, str] = {}
    for module in modules:
        requirement = requirement_for(module)
        if requirement:
            found.setdefault(_name(requirement), requirement)
    for requirement in declared:
        found.setdefault(_name(requirement), requirement)
    return sorted(found.values())


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


_IMPORT = re.compile(r"^(?:from|import)\s+([A-Za-z_][\w.]*)", re.MULTILINE)


def imported_modules(sources: Iterable[str]) -> set[str]:
    """The absolute modules the given Python sources import."""
    return {module for source in sources for module in _IMPORT.findall(source)}
