"""What `lint-templates` reports: one line per problem, at the template file and line."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Finding:
    """A fault in one rendered file, before it is traced back to the template."""

    path: str
    """The rendered file, relative to the render."""
    message: str
    line: int | None = None
    column: int = 0
    """0-based, in the rendered line: which template line wrote it, when several did."""


@dataclass(frozen=True)
class Problem:
    """One problem: where in the template, what, and the option combination that shows it."""

    path: str
    """Relative to the template folder (`project/README.md.jinja`, `copier.yml`)."""
    message: str
    line: int | None = None
    combination: str | None = None
    others: int = 0
    """How many more combinations show the same problem."""
    rendered: str | None = None
    """Where the render shows it (`README.md:3`), when that is not the template file itself."""

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{where}: {self.message}"
        details = []
        if self.rendered is not None:
            details.append(f"in {self.rendered}")
        if self.combination is not None:
            more = f"; and {self.others} more combination(s)" if self.others else ""
            details.append(f"rendered with {self.combination or 'the defaults'}{more}")
        return f"{text} ({', '.join(details)})" if details else text


def merge(problems: list[Problem]) -> list[Problem]:
    """One line per problem: the same fault in several combinations is counted, not repeated."""
    merged: dict[tuple[str, int | None, str], Problem] = {}
    for problem in problems:
        key = (problem.path, problem.line, problem.message)
        if key in merged:
            merged[key] = replace(merged[key], others=merged[key].others + 1 + problem.others)
        else:
            merged[key] = problem
    return list(merged.values())


def first_line(exc: BaseException) -> str:
    """The first lines of an exception's message, on one line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines[:3]) if lines else type(exc).__name__
