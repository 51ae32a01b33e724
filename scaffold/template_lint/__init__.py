"""`scaffold lint-templates`: check a copier template the way template projects check theirs in CI.

1. `copier.yml` parses; `_envops.undefined` is `jinja2.StrictUndefined`; every question has a help
   text and a default, and its default passes its validator.
2. Every Jinja string parses: the questions' strings, file and folder names, and `.jinja` files.
3. The template renders for every combination of its boolean and choice questions (questions
   hidden by `when` keep their default), with its own defaults as the fixture: nothing undefined,
   no `{{`/`{%`/`{#` left, every YAML and TOML file parses, GitHub workflow expressions intact.
   The renders run in worker processes; a file already checked (same path and content) is not
   checked again.
4. `ruff check` and `ruff format` are clean: once per distinct set of Python files and ruff
   settings (most combinations share one), all in one ruff run; with `run_tests`, each distinct
   render's own tests pass.
5. A project rendered from the previous template version updates cleanly to this one.

Every fault in a render is reported at the template file and line that wrote it (`locate`).
Problems are values (one line each); nothing here prints.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from scaffold.errors import TemplateLintError
from scaffold.render import reuse_templates, template_dir
from scaffold.template_lint.checks import ruff_findings
from scaffold.template_lint.locate import Locator
from scaffold.template_lint.problems import Finding, Problem, first_line, merge
from scaffold.template_lint.questions import TemplateConfig
from scaffold.template_lint.renders import Rendered, RenderFailure, render_combination
from scaffold.template_lint.update_check import UpdateOutcome, check_update, previous_release
from scaffold.template_store import TemplateVersion

__all__ = ["LintReport", "Problem", "lint_template"]

Progress = Callable[[int, int], None]
"""Told `(done, total)` as the renders (and the update check) finish."""
_PARALLEL_FROM = 8
"""Fewer combinations render faster in this process than worker processes start."""


@dataclass(frozen=True)
class LintReport:
    """The outcome of linting one template."""

    template: Path
    combinations: int
    problems: tuple[Problem, ...]
    linted: int = 0
    """Distinct sets of Python files and ruff settings that ruff checked."""
    notes: tuple[str, ...] = ()
    """What else was checked, or why not (the update from the previous version)."""

    @property
    def ok(self) -> bool:
        """Whether the template has no problem."""
        return not self.problems


def lint_template(
    template: Path | None = None,
    *,
    run_tests: bool = False,
    previous: TemplateVersion | Literal["released"] | None = "released",
    workers: int | None = None,
    progress: Progress | None = None,
) -> LintReport:
    """Lint the copier template at `template` (default: scaffold's own).

    Args:
        template: The template folder (holding `copier.yml`).
        run_tests: Also run each distinct render's own tests.
        previous: The version to check an update from; "released": for scaffold's own template
            the newest release the installed scaffold carries, for another template none.
        workers: Worker processes for the renders (default: one per CPU).
        progress: Told `(done, total)` as work finishes.

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
        problem = Problem(config_path.name, f"invalid YAML: {first_line(exc)}", line)
        return LintReport(root, 0, (problem,))
    if not isinstance(config, dict):
        return LintReport(root, 0, (Problem(config_path.name, "is not a YAML mapping"),))
    questions = TemplateConfig(root, config_path.name, config)
    syntax = list(questions.syntax_problems())
    problems = [*questions.config_problems(), *syntax]
    if syntax:  # rendering a template that does not parse only repeats the same faults
        return LintReport(root, 0, tuple(problems))
    with tempfile.TemporaryDirectory(prefix="scaffold-lint-template-") as scratch:
        work = Path(scratch) / "template"
        shutil.copytree(root, work, ignore=shutil.ignore_patterns("__pycache__", ".git"))
        defaults, default_problems = questions.defaults(work)
        if previous == "released":
            own = root == template_dir().absolute()
            previous = previous_release(work, Path(scratch)) if own else None
        run = _Run(questions, work, Path(scratch) / "renders", questions.combinations(defaults))
        run.workers = workers or os.cpu_count() or 1
        outcome = run.render(previous, run.workers, progress)
        problems += default_problems
        problems += run.problems(run_tests=run_tests, update=outcome)
        notes = (outcome.note,) if outcome is not None else ()
        if previous is None and template is None:
            notes = ("no earlier released template version to check an update from",)
    return LintReport(root, len(run.combinations), tuple(merge(problems)), run.linted, notes)


class _Run:
    """The renders of one lint and what they show."""

    def __init__(
        self,
        questions: TemplateConfig,
        work: Path,
        scratch: Path,
        combinations: list[dict[str, Any]],
    ) -> None:
        self.questions = questions
        self.work = work
        self.scratch = scratch
        self.combinations = combinations
        self.labels = [
            ", ".join(f"{key}={_text(value)}" for key, value in combination.items())
            for combination in combinations
        ]
        self.rendered: list[Rendered] = []
        self.linted = 0
        self.workers = 1
        self._locator: Locator | None = None

    def render(
        self, previous: TemplateVersion | None, workers: int, progress: Progress | None
    ) -> UpdateOutcome | None:
        """Render every combination (and check the update from `previous`) in `workers`."""
        self.scratch.mkdir()
        total = len(self.combinations) + (previous is not None)
        skip = [str(p) for p in self.questions.config.get("_skip_if_exists") or []]
        jobs = list(enumerate(self.combinations))
        outcome: UpdateOutcome | None = None
        done = 0
        _tell(progress, done, total)
        if workers >= 2 and len(jobs) >= _PARALLEL_FROM:
            try:
                return self._render_in_workers(jobs, previous, skip, workers, progress)
            except BrokenProcessPool:  # a worker could not start (a `__main__` it cannot import)
                self.rendered.clear()
        reuse_templates(True)
        try:
            for number, combination in jobs:
                self.rendered.append(
                    render_combination(self.work, self.scratch, number, combination)
                )
                done += 1
                _tell(progress, done, total)
        finally:
            reuse_templates(False)
        if previous is not None:
            outcome = check_update(self.work, previous, skip)
            _tell(progress, done + 1, total)
        return outcome

    def _render_in_workers(
        self,
        jobs: list[tuple[int, dict[str, Any]]],
        previous: TemplateVersion | None,
        skip: list[str],
        workers: int,
        progress: Progress | None,
    ) -> UpdateOutcome | None:
        total = len(jobs) + (previous is not None)
        outcome: UpdateOutcome | None = None
        done = 0
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        with ProcessPoolExecutor(
            max_workers=min(workers, len(jobs)),
            mp_context=context,
            initializer=reuse_templates,  # a worker renders one template folder, many times
            initargs=(True,),
        ) as pool:
            update: Future[UpdateOutcome] | None = None
            if previous is not None:  # the longest single job: start it first
                update = pool.submit(check_update, self.work, previous, skip)
            futures: list[Future[Any]] = [
                pool.submit(render_combination, self.work, self.scratch, number, combination)
                for number, combination in jobs
            ]
            for future in as_completed([*futures, *([update] if update else [])]):
                result = future.result()
                if isinstance(result, Rendered):
                    self.rendered.append(result)
                else:
                    outcome = result
                done += 1
                _tell(progress, done, total)
        self.rendered.sort(key=lambda rendered: rendered.number)
        return outcome

    def problems(self, *, run_tests: bool, update: UpdateOutcome | None) -> list[Problem]:
        """Every problem the renders show, at the template file and line."""
        reuse_templates(True)  # the marked copies of `locate`
        try:
            return self._problems(run_tests=run_tests, update=update)
        finally:
            reuse_templates(False)

    def _problems(self, *, run_tests: bool, update: UpdateOutcome | None) -> list[Problem]:
        found: list[Problem] = []
        ok = [rendered for rendered in self.rendered if rendered.failure is None]
        for rendered in self.rendered:
            if rendered.failure is not None:
                found += self._failure(rendered.failure, self.labels[rendered.number])
            else:
                found += self._located(rendered.number, rendered.findings)
        by_lint_set: dict[str, list[Rendered]] = {}
        for rendered in ok:
            by_lint_set.setdefault(rendered.lint_key(), []).append(rendered)
        self.linted = len(by_lint_set)
        firsts = [group[0] for group in by_lint_set.values()]
        ruff = (
            ruff_findings(self.scratch, [rendered.folder for rendered in firsts]) if firsts else {}
        )
        for group in by_lint_set.values():
            for rendered in group:  # the same findings: each combination counts once
                found += self._located(rendered.number, ruff.get(group[0].folder, []))
        if run_tests:
            found += self._test_problems(ok)
        if update is not None:  # a project of the default answers ("" is their label)
            found += self._traced({}, "", update.findings)
        return found

    def _located(self, number: int, findings: Iterable[Finding]) -> Iterator[Problem]:
        return self._traced(self.combinations[number], self.labels[number], findings)

    def _traced(
        self, combination: dict[str, Any], label: str, findings: Iterable[Finding]
    ) -> Iterator[Problem]:
        """`findings` of the render of `combination`, at the template file and line."""
        for finding in findings:
            at = f"{finding.path}:{finding.line}" if finding.line else finding.path
            where = self._locator_for().locate(
                combination, label or "defaults", finding.path, finding.line, finding.column
            )
            if where is None:
                yield Problem(finding.path, finding.message, finding.line, label)
            else:
                line = where[1] if finding.line is not None else None
                same = (where[0], line) == (self._template_path(finding.path), finding.line)
                rendered = None if same else at  # a file copied as it is: no need to say
                yield Problem(where[0], finding.message, line, label, rendered=rendered)

    def _template_path(self, rendered: str) -> str:
        subdirectory = str(self.questions.config.get("_subdirectory", "") or "")
        return f"{subdirectory}/{rendered}" if subdirectory else rendered

    def _locator_for(self) -> Locator:
        if self._locator is None:
            self._locator = Locator(
                self.work,
                str(self.questions.config.get("_subdirectory", "") or ""),
                self.questions.suffix,
                self.questions.environment,
            )
        return self._locator

    def _failure(self, failure: RenderFailure, label: str) -> list[Problem]:
        name = failure.undefined
        if name is None:
            message = f"does not render: {failure.message}"
            return [
                Problem(failure.path or self.questions.config_name, message, failure.line, label)
            ]
        message = f"undefined variable '{name}'"
        if failure.path is not None:
            return [Problem(failure.path, message, failure.line, label)]
        places = [
            Problem(where, message, line, label) for where, line in self.questions.uses_of(name)
        ]
        return places or [Problem(self.questions.config_name, message, None, label)]

    def _test_problems(self, renders: list[Rendered]) -> list[Problem]:
        """Each distinct render's own tests, `workers` test runs at a time."""
        firsts: dict[str, Rendered] = {}
        for rendered in renders:
            firsts.setdefault(rendered.content_key(), rendered)
        with ThreadPoolExecutor(max_workers=self.workers) as pool:  # each run is a subprocess
            tested = dict(
                zip(
                    firsts,
                    pool.map(lambda r: _tests(self.scratch / r.folder), firsts.values()),
                    strict=True,
                )
            )
        found: list[Problem] = []
        for rendered in renders:
            label = self.labels[rendered.number]
            failed = tested[rendered.content_key()]
            found += [Problem(p.path, p.message, None, label) for p in failed]
        return found


def _tests(root: Path) -> list[Problem]:
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
    tail = (result.stdout.strip().splitlines() or ["no output"])[-1].strip("= ")
    tail = re.sub(r" in [\d.]+s( \([\d:]+\))?$", "", tail)  # the same fault, whatever it took
    return [Problem("tests", f"the render's own tests fail: {tail}")]


def _tell(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
