"""Hard-coded credentials: found in the notebook's code, never written to the project.

`API_KEY = "sk-live-..."` in a cell would otherwise be lifted as a setting into
`config/params.yaml`, kept in the notebook copy, committed, and stored with the model. Each
credential becomes an environment variable instead: the code reads `os.environ["API_KEY"]`, the
notebook copy and every output show a placeholder, and `.env.example` and the README name it.

A credential is a string literal bound to a name that says so (`api_key`, `token`, `password`,
`secret`, ...), a literal shaped like a known key (`sk-...`, `AKIA...`, `ghp_...`), or a
connection string with a password (`postgresql://user:pw@host/db`).
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, replace

from scaffold.notebook import Cell, Notebook, Output

SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "secret", "token", "apikey", "credential", "credentials", "auth"}
)
"""Parts of a name (`db_password`, `authToken`) that say it holds a credential."""
KEY_QUALIFIERS = frozenset({"api", "access", "private", "secret", "auth", "client"})
"""With `key`, parts of a name that make it a credential (`api_key`, not `sort_key`)."""
KEY_SHAPES = re.compile(
    r"^(sk-[A-Za-z0-9_-]{16,}|sk_(live|test)_[A-Za-z0-9]{16,}|AKIA[0-9A-Z]{16}|"
    r"gh[pousr]_[A-Za-z0-9]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{30,})$"
)
URL_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^:/@\s]+:[^@/\s]+@")
MIN_LENGTH = 4
"""A shorter literal under a secret-sounding name is a placeholder, not a credential."""


@dataclass(frozen=True)
class Secret:
    """A credential found in a code cell, and the environment variable that replaces it."""

    variable: str
    cell: int
    value: str

    @property
    def placeholder(self) -> str:
        """What the notebook copy and outputs show instead of the value."""
        return f"<redacted: set {self.variable} in the environment>"


def find_secrets(notebook: Notebook) -> tuple[Secret, ...]:
    """Every hard-coded credential in the notebook's code cells, in order."""
    found: dict[str, Secret] = {}
    for cell in notebook.code_cells:
        for name, value in _candidates(cell.code):
            if value in found or len(value) < MIN_LENGTH:
                continue
            variable = _variable(name, value, {s.variable for s in found.values()})
            if variable is not None:
                found[value] = Secret(variable, cell.number, value)
    return tuple(found.values())


def without_secrets(notebook: Notebook, secrets: tuple[Secret, ...]) -> Notebook:
    """The notebook with each credential read from the environment and hidden in outputs."""
    if not secrets:
        return notebook
    return replace(notebook, cells=tuple(_clean_cell(cell, secrets) for cell in notebook.cells))


def redact(text: str, secrets: tuple[Secret, ...]) -> str:
    """`text` with every credential value replaced by its placeholder."""
    for secret in secrets:
        text = text.replace(secret.value, secret.placeholder)
    return text


def _candidates(code: str) -> list[tuple[str | None, str]]:
    """(the name it is bound to, or None; the value) of every plain string literal."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []
    found: list[tuple[str | None, str]] = []
    for index, token in enumerate(tokens):
        if token.type != tokenize.STRING:
            continue
        value = _plain_value(token.string)
        if value is None:
            continue
        name = None
        if (
            index >= 2
            and tokens[index - 1].string == "="
            and tokens[index - 2].type == tokenize.NAME
        ):
            name = tokens[index - 2].string
        found.append((name, value))
    return found


def _plain_value(literal: str) -> str | None:
    """The value of a plain (no prefix, one line) string literal."""
    if literal[:1] not in "\"'" or literal.startswith(('"""', "'''")):
        return None
    value = literal[1:-1]
    return None if "\\" in value else value


def _variable(name: str | None, value: str, taken: set[str]) -> str | None:
    """The environment variable for a credential, or None when `value` is not one."""
    if URL_WITH_PASSWORD.match(value):
        base = (name or "DATABASE_URL").upper()
    elif KEY_SHAPES.match(value) or (name is not None and _secret_name(name) and " " not in value):
        base = (name or "API_KEY").upper()
    else:
        return None
    variable, number = base, 2
    while variable in taken:
        variable, number = f"{base}_{number}", number + 1
    return variable


def _secret_name(name: str) -> bool:
    """`API_KEY`, `db_password`, `authToken`: a name that says it holds a credential."""
    parts = {part.lower() for part in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)}
    return bool(parts & SECRET_WORDS) or ("key" in parts and bool(parts & KEY_QUALIFIERS))


def _clean_cell(cell: Cell, secrets: tuple[Secret, ...]) -> Cell:
    if cell.kind != "code":
        return replace(cell, source=redact(cell.source, secrets))
    code = cell.code
    used = False
    for secret in secrets:
        for quote in ('"', "'"):
            literal = f"{quote}{secret.value}{quote}"
            if literal in code:
                code = code.replace(literal, f'os.environ["{secret.variable}"]')
                used = True
    if used and not re.search(r"^\s*import os\b", code, re.MULTILINE):
        code = "import os\n" + code
    outputs = tuple(_clean_output(output, secrets) for output in cell.outputs)
    return replace(cell, code=code, source=redact(cell.source, secrets), outputs=outputs)


def _clean_output(output: Output, secrets: tuple[Secret, ...]) -> Output:
    if any(secret.value in output.text for secret in secrets):
        return replace(output, text=redact(output.text, secrets))
    return output
