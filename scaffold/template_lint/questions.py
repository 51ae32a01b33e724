"""The static half of `lint-templates`: copier.yml, Jinja syntax, and the option combinations."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import jinja2.nodes
import yaml

from scaffold.errors import RenderError
from scaffold.render import resolve_answers, syntax_environment
from scaffold.template_lint.problems import Problem

_VALIDATION = re.compile(r"Validation error for question '([^']+)': (.*)", re.DOTALL)
_FALSE = {"", "false", "no", "n", "off", "0", "null", "none", "~"}
_QUESTION_STRINGS = ("help", "default", "validator", "when", "placeholder")


class TemplateConfig:
    """The template's settings and questions, and the checks that need no render."""

    def __init__(self, root: Path, config_name: str, config: dict[str, Any]) -> None:
        self.root = root
        self.config_name = config_name
        self.config = config
        self.questions = {k: v for k, v in config.items() if not str(k).startswith("_")}
        self.envops: dict[str, Any] = dict(config.get("_envops") or {})
        self.suffix = str(config.get("_templates_suffix", ".jinja"))
        self.source = root / str(config.get("_subdirectory", "") or "")
        self.environment = syntax_environment(self.envops)

    # ------------------------------------------------------------------ copier.yml

    def config_problems(self) -> Iterator[Problem]:
        """Faults of `copier.yml`: the undefined policy, questions without help or default."""
        if self.envops.get("undefined") != "jinja2.StrictUndefined":
            yield Problem(
                self.config_name,
                "_envops.undefined is not jinja2.StrictUndefined: a misspelt variable would "
                "render as an empty string",
            )
        for name, spec in self.questions.items():
            where = f"{self.config_name}: question '{name}'"
            if not isinstance(spec, dict):
                yield Problem(where, "has no help text (written as a bare default)")
                continue
            if not str(spec.get("help") or "").strip():
                yield Problem(where, "has no help text")
            if "default" not in spec:
                yield Problem(where, "has no default")
            for key in _QUESTION_STRINGS:
                value = spec.get(key)
                if isinstance(value, str):
                    yield from self._parse(value, f"{where}: {key}", None)

    def defaults(self, work: Path) -> tuple[dict[str, Any], list[Problem]]:
        """The default answers, and a problem for each default that fails its validator.

        `work` is a scratch copy of the template: a failing validator is dropped from its
        `copier.yml` (once reported) so that the renders go on and show the other faults.
        """
        problems: list[Problem] = []
        config = dict(self.config)
        while True:
            try:
                return resolve_answers(work, {}), problems
            except RenderError as exc:
                match = _VALIDATION.search(str(exc))
                spec = config.get(match.group(1)) if match else None
                if match is None or not isinstance(spec, dict) or "validator" not in spec:
                    # another fault (an undefined variable, ...): the renders locate it
                    raw = {k: v.get("default") for k, v in self.questions.items() if _is(v)}
                    return raw, problems
                name, message = match.group(1), " ".join(match.group(2).split())
                problems.append(
                    Problem(
                        f"{self.config_name}: question '{name}'",
                        f"default {spec.get('default')!r} fails its validator: {message}",
                    )
                )
                config[name] = {k: v for k, v in spec.items() if k != "validator"}
                text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
                (work / self.config_name).write_text(text, encoding="utf-8")

    # ------------------------------------------------------------------ Jinja syntax

    def syntax_problems(self) -> Iterator[Problem]:
        """Jinja syntax errors in file and folder names and in `.jinja` files."""
        for path in sorted(self.source.rglob("*")):
            relative = path.relative_to(self.root).as_posix()
            if "__pycache__" in path.parts:
                continue
            yield from self._parse(path.name, f"{relative} (its name)", None)
            if path.is_file() and path.name.endswith(self.suffix):
                try:
                    text = path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    continue
                yield from self._parse(text, relative, 0)

    def _parse(self, text: str, where: str, line_base: int | None) -> Iterator[Problem]:
        try:
            self.environment.parse(text)
        except jinja2.TemplateSyntaxError as exc:
            line = None if line_base is None else line_base + (exc.lineno or 1)
            yield Problem(where, f"Jinja syntax error: {exc.message}", line)

    # ------------------------------------------------------------------ combinations

    def combinations(self, defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every combination of the boolean and choice questions that copier would ask."""
        options = {
            name: values
            for name, spec in self.questions.items()
            if isinstance(spec, dict) and (values := _values(spec))
        }
        found: list[dict[str, Any]] = []

        def walk(chosen: dict[str, Any], remaining: list[str]) -> None:
            if not remaining:
                found.append(chosen)
                return
            name, rest = remaining[0], remaining[1:]
            when = self.questions[name].get("when", True)
            if not self._truthy(when, {**defaults, **chosen}):
                walk(chosen, rest)  # hidden: copier takes its default
                return
            for value in options[name]:
                walk({**chosen, name: value}, rest)

        walk({}, list(options))
        return found

    def _truthy(self, value: object, context: Mapping[str, Any]) -> bool:
        if isinstance(value, bool):
            return value
        try:
            rendered = self.environment.from_string(str(value)).render(**context)
        except jinja2.TemplateError:
            return True
        return rendered.strip().lower() not in _FALSE

    def uses_of(self, name: str) -> Iterator[tuple[str, int | None]]:
        """Where the template reads the variable `name`: each file, at its first such line."""
        for path in sorted(self.source.rglob("*")):
            relative = path.relative_to(self.root).as_posix()
            texts: list[tuple[str, bool]] = [(path.name, False)]
            if path.is_file() and path.name.endswith(self.suffix):
                texts.append((path.read_text(encoding="utf-8"), True))
            for text, content in texts:
                try:
                    tree = self.environment.parse(text)
                except jinja2.TemplateSyntaxError:
                    continue
                if name not in jinja2.meta.find_undeclared_variables(tree):
                    continue
                if not content:
                    yield f"{relative} (its name)", None
                    continue
                lines = [
                    node.lineno
                    for node in tree.find_all(jinja2.nodes.Name)
                    if node.name == name and node.ctx == "load"
                ]
                yield relative, min(lines, default=None)


def _is(spec: object) -> bool:
    return isinstance(spec, dict)


def _values(spec: Mapping[str, Any]) -> list[Any]:
    if spec.get("type") == "bool":
        return [True, False]
    choices = spec.get("choices")
    if isinstance(choices, dict):
        return list(choices.values())
    if isinstance(choices, list):
        return [c.get("value") if isinstance(c, dict) else c for c in choices]
    return []
