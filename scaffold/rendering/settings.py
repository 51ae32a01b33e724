"""Read a template's `copier.yml` into settings and questions, refusing what is not handled.

copier.yml holds settings (keys starting with `_`) and questions (the other keys; a bare value
is a question with that default). The direct renderer handles the settings and question keys
listed below. Anything else raises `Unsupported`, and `scaffold.render` lets copier render
instead: a template feature the direct renderer does not know never renders differently.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_EXCLUDE = (
    "copier.yaml",
    "copier.yml",
    "~*",
    "*.py[co]",
    "__pycache__",
    ".git",
    ".DS_Store",
    ".svn",
)
"""copier's exclusions when a template sets no `_exclude` and has no `_subdirectory`."""

_SETTINGS = frozenset(
    {
        "subdirectory",
        "templates_suffix",
        "answers_file",
        "exclude",
        "envops",
        "skip_if_exists",
        "min_copier_version",  # a check of copier's own version: no copier here
        "migrations",  # run by `copier update` only
        "message_before_copy",  # printed unless quiet; renders are quiet
        "message_after_copy",
        "message_before_update",
        "message_after_update",
    }
)
_QUESTION_KEYS = frozenset(
    {"type", "default", "choices", "validator", "when", "help", "placeholder", "multiline", "qmark"}
)
"""`help`, `placeholder`, `multiline` and `qmark` only shape a prompt: nothing is prompted."""


class Unsupported(Exception):  # noqa: N818  (a reason to fall back, not an error of the user)
    """The template uses something the direct renderer does not do; copier must render it."""


class _Missing:
    """No default: the question must be answered."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Question:
    """One question of `copier.yml`, as written (templated strings are rendered when asked)."""

    name: str
    default: Any = MISSING
    type: str = ""
    """As written; "" means: the type of the default (`str`, `bool`, ...), else `yaml`."""
    choices: tuple[Any, ...] = ()
    """The choices' values (a mapping's values, a list's items)."""
    validator: str = ""
    when: str | bool = True


@dataclass(frozen=True)
class TemplateSettings:
    """A template's settings and questions."""

    root: Path
    """The template folder (holding copier.yml), resolved."""
    subdirectory: str
    suffix: str
    answers_file: str
    exclude: tuple[str, ...]
    skip_if_exists: tuple[str, ...]
    envops: Mapping[str, Any]
    questions: tuple[Question, ...]


def read_settings(root: Path) -> TemplateSettings:
    """The settings and questions of the template folder `root`.

    Raises:
        Unsupported: copier.yml uses a setting, a question key or a YAML feature (several
            documents, `!include`) that the direct renderer does not handle, or copier's own
            user settings file exists (its `defaults` would change the answers).
        OSError: copier.yml cannot be read.
    """
    root = root.resolve()
    paths = [path for path in (root / "copier.yml", root / "copier.yaml") if path.is_file()]
    if len(paths) != 1:
        raise Unsupported(f"{root} has {len(paths)} copier.yml files")
    if _user_settings_file() is not None:
        raise Unsupported("copier's user settings file may give defaults")
    try:
        documents = [doc for doc in yaml.safe_load_all(paths[0].read_bytes()) if doc]
    except yaml.YAMLError as exc:  # `!include` is a tag safe_load does not know
        raise Unsupported(f"{paths[0].name}: {exc}") from exc
    if len(documents) != 1 or not isinstance(documents[0], dict):
        raise Unsupported(f"{paths[0].name} is not one YAML mapping")
    config: dict[str, Any] = documents[0]
    settings = {str(key)[1:]: value for key, value in config.items() if str(key).startswith("_")}
    if unknown := sorted(set(settings) - _SETTINGS):
        raise Unsupported(f"setting(s) {', '.join('_' + name for name in unknown)}")
    subdirectory = str(settings.get("subdirectory", "") or "")
    suffix = settings.get("templates_suffix")
    exclude = settings.get("exclude", DEFAULT_EXCLUDE if Path(subdirectory) == Path() else [])
    envops = dict(settings.get("envops") or {})
    envops.setdefault("keep_trailing_newline", True)
    return TemplateSettings(
        root=root,
        subdirectory=subdirectory,
        suffix=".jinja" if suffix is None else str(suffix),
        answers_file=str(settings.get("answers_file", ".copier-answers.yml")),
        exclude=tuple(str(pattern) for pattern in exclude),
        skip_if_exists=tuple(str(pattern) for pattern in settings.get("skip_if_exists") or ()),
        envops=envops,
        questions=tuple(
            _question(str(name), spec)
            for name, spec in config.items()
            if not str(name).startswith("_")
        ),
    )


def _question(name: str, spec: object) -> Question:
    if not isinstance(spec, dict):
        return Question(name, default=spec)
    if unknown := sorted(set(spec) - _QUESTION_KEYS):
        raise Unsupported(f"question {name!r} uses {', '.join(map(str, unknown))}")
    choices = spec.get("choices", [])
    if isinstance(choices, dict):
        choices = list(choices.values())
    if not isinstance(choices, list) or any(isinstance(c, (dict, list)) for c in choices):
        raise Unsupported(f"question {name!r} has templated or extended choices")
    when = spec.get("when", True)
    return Question(
        name,
        default=spec.get("default", MISSING),
        type=str(spec.get("type", "") or ""),
        choices=tuple(choices),
        validator=str(spec.get("validator", "") or ""),
        when=when if isinstance(when, bool) else str(when),
    )


def _user_settings_file() -> Path | None:
    """The user settings file of copier (`COPIER_SETTINGS_PATH`, else the platform's), if any."""
    if os.environ.get("COPIER_SETTINGS_PATH"):
        return Path(os.environ["COPIER_SETTINGS_PATH"])
    from platformdirs import user_config_path  # small; only to find copier's settings file

    path = user_config_path("copier", appauthor=False) / "settings.yml"
    return path if path.is_file() else None
