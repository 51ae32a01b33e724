"""The answers of a copy with `defaults=True`, as copier resolves them (`Worker._ask`).

Questions are taken in order. A question whose `when` is false is hidden: it keeps a value (the
given one, else its default) for rendering, but is not recorded in the answers file. A given
answer is cast to the question's type, checked against its choices and validated; otherwise the
default is rendered (a Jinja template of the answers so far, and of all given data), cast,
checked and validated (unless hidden). Errors carry copier's messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

import jinja2
import yaml

from scaffold.rendering.environment import render_string
from scaffold.rendering.settings import MISSING, Question, TemplateSettings

_JSON_TYPES = (dict, list, str, int, float, bool, type(None))
"""What copier records in the answers file (a tuple answer, say, is left out)."""


class AnswerError(ValueError):
    """An answer fails its type, its choices or its validator; the message names the question."""


class _Unset(jinja2.UndefinedError):
    """A default that reads `UNSET`: the question has no default."""


@dataclass
class Answers:
    """Answers of a copy: the data given, and the questions' answers."""

    metadata: dict[str, Any]
    """`_src_path` (and `_commit` for a git template): recorded first in the answers file."""
    given: Mapping[str, Any]
    """The data passed to the render, as given (render data that is no question included)."""
    answered: dict[str, Any] = field(default_factory=dict)
    """Each question's answer, cast to its type, in question order."""
    hidden: set[str] = field(default_factory=set)
    """Questions whose `when` is false: not recorded."""

    def combined(self) -> dict[str, Any]:
        """Everything a template sees: answers over given data over metadata."""
        merged = {"_external_data": {}, **self.metadata}
        merged.update(self.given)
        merged.update(self.answered)
        return merged

    def recorded(self, questions: Mapping[str, Question]) -> dict[str, Any]:
        """`_copier_answers`: metadata, then the answers of visible questions, JSON types only."""
        kept: dict[str, Any] = {
            key: self.metadata[key] for key in ("_commit", "_src_path") if key in self.metadata
        }
        kept.update(
            (key, value)
            for key, value in self.combined().items()
            if not key.startswith("_")
            and key not in self.hidden
            and key in questions
            and isinstance(value, _JSON_TYPES)
        )
        return kept


def resolve(
    settings: TemplateSettings,
    env: jinja2.Environment,
    answers: Answers,
    context: Callable[[], dict[str, Any]],
) -> None:
    """Answer every question of `settings` into `answers` (`context`: the render context now).

    Raises:
        AnswerError: an answer does not fit its question, or a question has no answer.
        jinja2.TemplateError: a default, `when` or `type` does not render.
    """
    for question in settings.questions:
        asked = _Asked(question, env, context())
        visible = asked.when()
        if not visible:
            answers.hidden.add(question.name)
            if asked.default(answers.given, visible) is MISSING:
                continue
        if question.name in answers.given:
            answer = asked.parse(answers.given[question.name])
            asked.validate(answer)
        else:
            answer = asked.default(answers.given, visible)
            if answer is MISSING:
                raise AnswerError(f'Question "{question.name}" is required')
        answers.answered[question.name] = answer


@dataclass(frozen=True)
class _Asked:
    """One question in the context of the answers before it (copier's `Question`)."""

    question: Question
    env: jinja2.Environment
    context: dict[str, Any]

    def render(self, value: Any, extra: Mapping[str, Any] | None = None) -> Any:
        """A string rendered as a template; a list item by item; anything else as it is."""
        if isinstance(value, list):
            return [self.render(item) for item in value]
        if not isinstance(value, str):
            return value
        return render_string(self.env, value, {**self.context, **(extra or {})})

    def when(self) -> bool:
        return cast_to_bool(self.render(self.question.when))

    def type_name(self) -> str:
        name = self.render(self.question.type)
        if not name:
            name = type(self.question.default).__name__
            name = name if name in CASTS else "yaml"
        if name not in CASTS:
            raise AnswerError(f'Unsupported type "{name}" in question "{self.question.name}"')
        return str(name)

    def default(self, given: Mapping[str, Any], visible: bool) -> Any:
        if self.question.name in given:
            result = given[self.question.name]
        else:
            unset = jinja2.StrictUndefined(hint="UNSET", exc=_Unset)
            try:
                result = self.render(self.question.default, {"UNSET": unset})
            except _Unset:
                return MISSING
            if result is MISSING:
                return MISSING
        answer = self.parse(result)
        if visible:  # copier validates no computed (hidden) value
            self.validate(answer)
        return answer

    def cast(self, answer: Any) -> Any:
        type_name = self.type_name()
        if answer is None and type_name not in {"json", "yaml"}:
            raise AnswerError(
                f'Invalid answer "{answer}" of type "{type(answer)}" '
                f'to question "{self.question.name}" of type "{type_name}"'
            )
        try:
            return CASTS[type_name](answer)
        except (TypeError, AttributeError) as exc:
            if type_name in {"json", "yaml"}:  # not a string: taken as it is
                return answer
            raise AnswerError(
                f'Invalid answer "{answer}" to question "{self.question.name}"'
            ) from exc

    def parse(self, answer: Any) -> Any:
        """`answer` cast to the question's type and checked against its choices."""
        value = self.cast(answer)
        if not self.question.choices:
            return value
        valid = [self.cast(self.render(choice)) for choice in self.question.choices]
        if value in valid:
            return value
        raise AnswerError(f"Invalid choice for '{self.question.name}': {value!r} is not in {valid}")

    def validate(self, answer: Any) -> None:
        try:
            problem = str(self.render(self.question.validator, {self.question.name: answer}))
        except Exception as exc:  # copier reports any failure as the validator's message
            problem = str(exc)
        if problem := problem.strip():
            raise AnswerError(f"Validation error for question '{self.question.name}': {problem}")


def cast_to_bool(value: Any) -> bool:
    """Read a boolean as copier does: a number, a YAML word (`yes`, `off`, `~`, ...), else bool."""
    try:
        return bool(float(value))
    except (TypeError, ValueError):
        pass
    if isinstance(value, str):
        lower = value.strip().lower()
        if lower in {"", "n", "no", "f", "false", "off", "~", "null", "none"}:
            return False
        if lower in {"y", "yes", "t", "true", "on"}:
            return True
    return bool(value)


def cast_to_str(value: Any) -> str:
    """Cast to `str` as copier does: text, a number's digits, decoded bytes; nothing else."""
    if isinstance(value, str):
        return str(value.value) if isinstance(value, Enum) else value
    if isinstance(value, (float, int, Decimal)):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return value.decode()
    raise AnswerError(f"Could not convert {value} to string")


def _yaml(value: Any) -> Any:
    try:
        return yaml.safe_load(value)
    except yaml.YAMLError as exc:
        raise AnswerError(str(exc)) from exc


CASTS: Mapping[str, Callable[[Any], Any]] = {
    "bool": cast_to_bool,
    "float": float,
    "int": int,
    "json": json.loads,
    "str": cast_to_str,
    "yaml": _yaml,
    "path": str,
}
