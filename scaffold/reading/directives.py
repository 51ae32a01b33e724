"""The user's overrides: cell tags and a `# scaffold: ROLE` first line choose a cell's role."""

from __future__ import annotations

import re

from scaffold.notebook import Role

DIRECTIVE_ROLES = frozenset(Role) - {Role.MARKDOWN}
_DIRECTIVE = re.compile(r"^\s*#\s*scaffold\s*:\s*(?P<role>[\w-]+)\s*$", re.IGNORECASE)
_TAG = re.compile(r"^(?:scaffold[:\-_])?(?P<role>\w+)$", re.IGNORECASE)
TAG_ALIASES = {"parameters": Role.CONFIG}
"""papermill's `parameters` tag marks the cell of settings."""


class UnknownDirectiveError(ValueError):
    """A `# scaffold:` line names no role."""

    def __init__(self, word: str) -> None:
        roles = "|".join(sorted(DIRECTIVE_ROLES))
        super().__init__(f"unknown directive '# scaffold: {word}' (use one of {roles})")


def directive_of(source: str, tags: tuple[str, ...]) -> Role | None:
    """The role chosen by the first line of `source`, else by a tag, else None.

    Raises:
        UnknownDirectiveError: the first line is a `# scaffold:` directive naming no role.
    """
    first_line = source.lstrip("\n").split("\n", 1)[0]
    if match := _DIRECTIVE.match(first_line):
        word = match.group("role").lower()
        if word not in DIRECTIVE_ROLES:
            raise UnknownDirectiveError(word)
        return Role(word)
    for tag in tags:
        if tag in TAG_ALIASES:
            return TAG_ALIASES[tag]
        if (match := _TAG.match(tag)) and match.group("role").lower() in DIRECTIVE_ROLES:
            return Role(match.group("role").lower())
    return None
