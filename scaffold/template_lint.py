"""`scaffold lint-templates`: check a copier template the way template projects check theirs in CI.

1. `copier.yml` parses; `_envops.undefined` is `jinja2.StrictUndefined`; every question has a help
   text and a default, and its default passes its validator.
2. Every Jinja string parses: the questions' strings, file and folder names, and `.jinja` files.
3. The template renders for every combination of its boolean and choice questions (questions
   hidden by `when` keep their default), with its own defaults as the fixture: nothing undefined,
   no `{{`/`{%`/`{#` left, every YAML and TOML file parses, GitHub workflow expressions intact.
4. `ruff format --check` and `ruff check` are clean on every render; with `run_tests`, each
   render's own tests pass.

Problems are values (one line each); nothing here prints.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import yaml

from scaffold.errors import RenderError, TemplateLintError
from scaffold.project import ruff_binary
from scaffold.render import render_project, resolve_answers, syntax_environment, template_dir

_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|\{#")
_EXPRESSION = re.compile(r"\$\{\{\s*[^{}\s][^{}]*\}\}")
_VALIDATION = re.compile(r"Validation error for question '([^']+)': (.*)", re.DOTALL)
_UNDEFINED = re.compile(r"'([A-Za-z_]\w*)' is undefined")
_FALSE = {"", "false", "no", "n", "off", "0", "null", "none", "~"}
_QUESTION_STRINGS = ("help", "default", "validator", "when", "placeholder")


@dataclass(frozen=True)
class Problem:
    """One problem: where, what, and (for a render) the option combination that shows it."""

    path: str
    message: str
    line: int | None = None
    combination: str | None = None
    others: int = 0
    """How many more combinations show the same problem."""

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{where}: {self.message}"
        if self.combination is not None:
            more = f"; and {self.others} more combination(s)" if self.others else ""
            text += f" (rendered with {self.combination or 'the defaults'}{more})"
        return text


@dataclass(frozen=True)
class LintReport:
    """The outcome of linting one template."""

    template: Path
    combinations: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Whether the template has no problem."""
        return not self.problems


def lint_template(template: Path | None = None, *, run_tests: bool = False) -> LintReport:
    """Lint the copier template at `template` (default: scaffold's own).

    Raises:
        TemplateLintError: `template` is not a folder with a `copier.yml`.
    """
    root = (template or template_dir()).absolute()
    config_path = next(
        (root / name for name in ("copier.yml", "copier.yaml") if (root / name).is_file()), None
    )
    if config_path is None:
        raise TemplateLintError(f"{root} is not a copier template: it has no copier.yml")
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = Problem(config_path.name, f"invalid YAML: {_first_line(exc)}", line)
        return LintReport(root, 0, (problem,))
    if not isinstance(config, dict):
        return LintReport(root, 0, (Problem(config_path.name, "is not a YAML mapping"),))
    linter = _Linter(root, config_path.name, config)
    syntax = list(linter.syntax_problems())
    problems = [*linter.config_problems(), *syntax]
    if syntax:  # rendering a template that does not parse only repeats the same faults
        return LintReport(root, 0, tuple(problems))
    with tempfile.TemporaryDirectory(prefix="scaffold-lint-template-") as scratch:
        work = Path(scratch) / root.name
        shutil.copytree(root, work, ignore=shutil.ignore_patterns("__pycache__", ".git"))
        defaults, default_problems = linter.defaults(work)
        problems += default_problems
        combinations = linter.combinations(defaults)
        problems += linter.render_problems(work, combinations, run_tests=run_tests)
    return LintReport(root, len(combinations), tuple(problems))


class _Linter:
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

    # ------------------------------------------------------------------ renders

    def render_problems(
        self, work: Path, combinations: list[dict[str, Any]], *, run_tests: bool
    ) -> list[Problem]:
        found: list[Problem] = []
        with tempfile.TemporaryDirectory(prefix="scaffold-lint-") as scratch:
            renders: dict[Path, str] = {}
            for number, combination in enumerate(combinations):
                label = ", ".join(f"{k}={_text(v)}" for k, v in combination.items())
                destination = Path(scratch) / f"render-{number}"
                try:
                    render_project(destination, combination, template=work)
                except RenderError as exc:
                    found += self._render_failure(exc, label)
                    continue
                renders[destination] = label
                found += self._output_problems(destination, label)
                if run_tests:
                    found += _test_problems(destination, label)
            if renders:
                found += _ruff_problems(Path(scratch), renders)
        return _merge(found)

    def _render_failure(self, exc: RenderError, label: str) -> list[Problem]:
        text = str(exc)
        undefined = _UNDEFINED.search(text)
        if undefined is None:
            return [Problem(self.config_name, f"does not render: {_first_line(exc)}", None, label)]
        name = undefined.group(1)
        places = [
            Problem(where, f"undefined variable '{name}'", line, label)
            for where, line in self._uses_of(name)
        ]
        return places or [Problem(self.config_name, f"undefined variable '{name}'", None, label)]

    def _uses_of(self, name: str) -> Iterator[tuple[str, int | None]]:
        """Where the template uses the variable `name` (file, first line that names it)."""
        for path in sorted(self.source.rglob("*")):
            relative = path.relative_to(self.root).as_posix()
            texts: list[tuple[str, int | None]] = [(path.name, None)]
            if path.is_file() and path.name.endswith(self.suffix):
                texts.append((path.read_text(encoding="utf-8"), 1))
            for text, line in texts:
                try:
                    names = jinja2.meta.find_undeclared_variables(self.environment.parse(text))
                except jinja2.TemplateSyntaxError:
                    continue
                if name in names:
                    if line is None:
                        yield f"{relative} (its name)", None
                    else:
                        pattern = re.compile(rf"\b{re.escape(name)}\b")
                        lines = text.splitlines()
                        yield (
                            relative,
                            next((n for n, t in enumerate(lines, 1) if pattern.search(t)), None),
                        )

    def _output_problems(self, root: Path, label: str) -> Iterator[Problem]:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = path.relative_to(root).as_posix()
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            for number, line in enumerate(text.splitlines(), 1):
                if _LEFTOVER.search(line):
                    message = f"template syntax left in the output: {line.strip()!r}"
                    yield Problem(relative, message, number, label)
            if path.suffix in (".yml", ".yaml"):
                try:
                    list(yaml.safe_load_all(text))
                except yaml.YAMLError as exc:
                    mark = getattr(exc, "problem_mark", None)
                    line_number = mark.line + 1 if mark is not None else None
                    message = f"invalid YAML: {_first_line(exc)}"
                    yield Problem(relative, message, line_number, label)
            if path.suffix == ".toml":
                try:
                    tomllib.loads(text)
                except tomllib.TOMLDecodeError as exc:
                    at = re.search(r"at line (\d+)", str(exc))
                    line_number = int(at.group(1)) if at else None
                    yield Problem(relative, f"invalid TOML: {exc}", line_number, label)
            if relative.startswith(".github/workflows/"):
                yield from _expression_problems(relative, text, label)


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


def _expression_problems(relative: str, text: str, label: str) -> Iterator[Problem]:
    for number, line in enumerate(text.splitlines(), 1):
        for start in (m.start() for m in re.finditer(r"\$\{\{", line)):
            if not _EXPRESSION.match(line, start):
                message = f"broken GitHub expression: {line.strip()!r}"
                yield Problem(relative, message, number, label)
        if re.search(r"\$\{\s*\}|\$\{\{\s*\}\}", line):
            yield Problem(relative, f"empty GitHub expression: {line.strip()!r}", number, label)


def _ruff_problems(scratch: Path, renders: Mapping[Path, str]) -> list[Problem]:
    ruff = ruff_binary()
    found: list[Problem] = []
    check = subprocess.run(
        [ruff, "check", "--no-cache", "--output-format=concise", "--quiet", "."],
        cwd=scratch,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in check.stdout.splitlines():
        match = re.match(r"(render-\d+)/(.+?):(\d+):\d+: (.*)", line)
        if match:
            label = renders[scratch / match.group(1)]
            message = f"ruff check: {match.group(4)}"
            found.append(Problem(match.group(2), message, int(match.group(3)), label))
    formatted = subprocess.run(
        [ruff, "format", "--check", "--no-cache", "."],
        cwd=scratch,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in formatted.stdout.splitlines():
        # "Would reformat: render-0/x.py" (ruff < 0.15) or " --> render-0/x.py:4:1" (newer)
        match = re.match(r"(?:Would reformat: |\s*--> )(render-\d+)/(.+?)(?::\d+:\d+)?$", line)
        if match:
            label = renders[scratch / match.group(1)]
            message = "ruff format would change it"
            found.append(Problem(match.group(2), message, None, label))
    return found


def _test_problems(root: Path, label: str) -> list[Problem]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if result.returncode == 0:
        return []
    tail = (result.stdout.strip().splitlines() or ["no output"])[-1]
    return [Problem("tests", f"the render's own tests fail: {tail}", None, label)]


def _merge(problems: list[Problem]) -> list[Problem]:
    """One line per problem: the same fault in several combinations is counted, not repeated."""
    merged: dict[tuple[str, int | None, str], Problem] = {}
    for problem in problems:
        key = (problem.path, problem.line, problem.message)
        if key in merged:
            merged[key] = replace(merged[key], others=merged[key].others + 1)
        else:
            merged[key] = problem
    return list(merged.values())


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines[:3]) if lines else type(exc).__name__
