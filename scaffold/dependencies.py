"""Map the imports of the extracted code to requirements pinned to what is installed here."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata

KNOWN_DISTRIBUTIONS = {
    "sklearn": "scikit-learn",
    "sksurv": "scikit-survival",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "cv2": "opencv-python",
    "bs4": "beautifulsoup4",
}


@lru_cache(maxsize=1)
def _distributions() -> dict[str, list[str]]:
    return dict(metadata.packages_distributions())


def requirement_for(module: str) -> str | None:
    """`pandas>=2.3.3` for `pandas`; None for the standard library and relative imports."""
    top = module.split(".", 1)[0]
    if not top or top in sys.stdlib_module_names or top == "__future__":
        return None
    names = _distributions().get(top) or [KNOWN_DISTRIBUTIONS.get(top, top)]
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
