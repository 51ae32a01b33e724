"""Names that must not clash: `base`, else `base_2`, `base_3`, ..."""

from __future__ import annotations


def unique_name(base: str, taken: set[str], prefix: str = "") -> str:
    """The first of `base`, `base_2`, ... whose `prefix + name` is not in `taken`; it is added."""
    candidate, count = base, 1
    while prefix + candidate in taken:
        count += 1
        candidate = f"{base}_{count}"
    taken.add(prefix + candidate)
    return candidate
