"""Render the project template: the only module of scaffold that imports copier.

A new project from the installed template is rendered by `scaffold.rendering` (Jinja alone,
what copier's copy would write); copier renders given templates and git refs, into folders that
hold files, and runs updates.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml

from scaffold._version import __version__
from scaffold.errors import RenderError, UpdateError
from scaffold.template_store import SRC_PATH, TemplateVersion, ensure_version, is_store

ANSWERS_FILE = ".copier-answers.yml"

if TYPE_CHECKING:
    from copier._jinja_ext import SandboxedEnvironment

__all__ = [
    "ANSWERS_FILE",
    "RenderError",
    "installed_template_version",
    "python_versions",
    "record_source",
    "render_project",
    "resolve_answers",
    "reuse_templates",
    "syntax_environment",
    "template_dir",
    "update_from_template",
]


def template_dir() -> Path:
    """Locate the copier template.

    Returns:
        The directory holding `copier.yml`: `scaffold/templates` in an installed wheel, else
        `<repository>/templates` in a source checkout.

    Raises:
        RenderError: Neither location holds a template.
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise RenderError(f"project template not found beside {package}")


def python_versions() -> tuple[str, ...]:
    """The Python versions the template's `python_version` question offers."""
    config = yaml.safe_load((template_dir() / "copier.yml").read_text(encoding="utf-8"))
    return tuple(str(version) for version in config["python_version"]["choices"])


def installed_template_version() -> TemplateVersion:
    """The installed template as a tagged snapshot in the template store (added if missing)."""
    return ensure_version(template_dir(), __version__, released=True)


def render_project(
    destination: Path,
    answers: Mapping[str, object],
    *,
    template: Path | str | None = None,
    vcs_ref: str | None = None,
) -> None:
    """Render the project template into `destination`.

    Args:
        destination: Directory to render into (created if missing).
        answers: Answers to the template's questions (`project_name`, `package_name`,
            `task_kind`, ...) and render data (`dependencies`, `description`); anything not
            given takes the template's default.
        template: Template directory or git repository. By default the installed template,
            rendered from its folder (no clone; into a new or empty folder without copier,
            see `_render_installed`); its tag in the template store (`scaffold.template_store`)
            is recorded as `_commit` for later updates.
        vcs_ref: The git ref of `template` to render (with a `template` repository only).

    Raises:
        RenderError: an answer fails its question (the message names it), or the template
            does not render.
    """
    if template is None:
        version = installed_template_version()
        _render_installed(destination, answers)
        record_source(destination, version.tag)
        return
    _copy(str(template), destination, answers, vcs_ref)
    if is_store(Path(template)):
        record_source(destination, None)


def record_source(project: Path, commit: str | None) -> None:
    """Write `_src_path` (always `SRC_PATH`) and `_commit` (if given) into the answers file.

    copier records where it read the template: a folder of the installed package, or the
    store's place on this machine. Neither means anything on another machine; the version
    (`_commit`) and scaffold's own store do.
    """
    path = project / ANSWERS_FILE
    if not path.is_file():  # a template that records no answers: nothing to update later
        return
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = {"_src_path": SRC_PATH, **({"_commit": commit} if commit is not None else {})}
    for key, value in fields.items():
        text = yaml.safe_dump({key: value}, allow_unicode=True)
        at = next((n for n, line in enumerate(lines) if line.startswith(f"{key}:")), None)
        if at is not None:
            lines[at] = text
        else:  # copier writes the keys sorted: `_commit` goes before `_src_path`
            first = next((n for n, line in enumerate(lines) if not line.startswith("#")), 0)
            lines.insert(first, text)
    path.write_text("".join(lines), encoding="utf-8")


def _render_installed(destination: Path, answers: Mapping[str, object]) -> None:
    """Render the installed template: with Jinja alone into a new folder, else with copier.

    `scaffold.rendering` writes what copier's copy writes (tests/test_render_direct.py compares
    them) without importing copier. copier still renders into a folder that holds files (its
    rules for files already there), and a template that uses a feature the direct renderer
    does not handle.
    """
    source = template_dir()
    if not destination.exists() or (destination.is_dir() and not any(destination.iterdir())):
        from scaffold import rendering

        try:
            rendering.render_template(source, destination, answers, src_path=str(source))
        except rendering.Unsupported:
            pass  # copier renders it below
        except Exception as exc:  # the same errors as copier's: answers, Jinja, paths
            raise RenderError(f"rendering {source} into {destination} failed: {exc}") from exc
        else:
            return
    _copy(str(source), destination, answers, None)


def _copy(
    source: str, destination: Path, answers: Mapping[str, object], vcs_ref: str | None
) -> None:
    try:
        with _fresh_copy()(
            src_path=source,
            dst_path=destination,
            data=dict(answers),
            defaults=True,
            unsafe=False,
            quiet=True,
            vcs_ref=vcs_ref,
        ) as worker:
            worker.run_copy()
    except Exception as exc:  # copier raises many types: CopierError, ValueError, jinja errors
        raise RenderError(f"rendering {source} into {destination} failed: {exc}") from exc


@dataclass
class _Reused:
    """What renders of one template folder share while `reuse_templates` is on."""

    template: Any
    """copier's `Template`: the parsed `copier.yml`, and its checks of the folder."""
    environment: SandboxedEnvironment | None = None


_reused: dict[str, _Reused] | None = None
"""Template folder -> what its renders share; None: nothing is shared."""


def reuse_templates(enabled: bool) -> None:
    """Turn on (or off, dropping what is shared) sharing between renders of a template folder.

    Renders of one folder in this process then share its parsed settings and compiled
    templates. For `lint-templates`, which renders one folder for every option combination: copier
    otherwise parses `copier.yml`, checks with git whether the folder is a repository or a
    bundle, and compiles every template again for each render. A template folder must not
    change while it is on.
    """
    global _reused  # one switch for the process (a worker process turns it on)
    _reused = {} if enabled else None


@functools.cache
def _fresh_copy() -> type[Any]:
    """The copier worker for a copy into a new folder, without a git subprocess per file.

    After writing each file, copier asks git for `core.fileMode` (one subprocess per file, about
    50 per project) to mirror an executable bit into the destination's git index. A new folder
    has no tracked file, so that sync never changes anything there. copier offers no option
    for it: this overrides the one private method (a renamed method only brings the
    subprocesses back; tests/test_update.py counts them). With `reuse_templates` on, it also
    shares copier's template and Jinja environment between renders of one folder.
    """
    from copier._main import Worker  # here, not at start-up: only writing a project needs it

    class FreshCopy(Worker):
        def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
            return None

        def _shared(self) -> _Reused | None:
            if _reused is None or self.vcs_ref is not None or not self.src_path:
                return None
            return _reused.get(str(self.src_path))

        @functools.cached_property
        def template(self) -> Any:
            if _reused is None or self.vcs_ref is not None or not self.src_path:
                return super().template
            if (shared := self._shared()) is None:
                template = super().template
                if template.vcs is not None:  # a git repository: cloned per render
                    return template
                shared = _reused[str(self.src_path)] = _Reused(template)
            return shared.template

        @functools.cached_property
        def jinja_env(self) -> SandboxedEnvironment:
            shared = self._shared()
            if shared is None:
                return super().jinja_env
            if shared.environment is None:
                shared.environment = _compiling_once(super().jinja_env)
            return shared.environment

    return FreshCopy


def _compiling_once(environment: SandboxedEnvironment) -> SandboxedEnvironment:
    """`environment`, its `from_string` compiling each string once (file names, questions).

    Its file templates are cached by Jinja itself (reloaded when a file changes). A string with
    `yield` is compiled every time: copier's `{% yield %}` records its loop while compiling.
    """
    compile_string = environment.from_string

    @functools.lru_cache(maxsize=4096)
    def compiled(source: str) -> Any:
        return compile_string(source)

    def from_string(source: Any, globals: Any = None, template_class: Any = None) -> Any:
        plain = globals is None and template_class is None
        if plain and isinstance(source, str) and "yield" not in source:
            return compiled(source)
        return compile_string(source, globals, template_class)

    environment.from_string = from_string  # type: ignore[method-assign]
    return environment


def update_from_template(project: Path, vcs_ref: str) -> None:
    """`copier update` of `project` to the template version `vcs_ref` of its `_src_path`.

    A 3-way merge: the old version (`_commit`) and `vcs_ref` are rendered with the recorded
    answers, and the project's own changes since generation are replayed on the new render;
    clashes are left inline as conflict markers. Files in `_skip_if_exists` are never touched.

    Raises:
        UpdateError: copier refused or failed.
    """
    import copier

    try:
        copier.run_update(
            str(project),
            vcs_ref=vcs_ref,
            defaults=True,
            overwrite=True,
            skip_answered=True,
            conflict="inline",
            unsafe=False,
            quiet=True,
        )
    except Exception as exc:  # copier raises many types: UserMessageError, git errors, ...
        raise UpdateError(f"copier update of {project} failed: {exc}") from exc


def resolve_answers(template: Path, data: Mapping[str, object]) -> dict[str, Any]:
    """Every question's answer when `data` is given and the rest take their defaults.

    Renders nothing (copier's `pretend`); `data` is validated by the questions' validators.

    Raises:
        RenderError: an answer in `data` fails its validator, or copier rejects the template.
    """
    with tempfile.TemporaryDirectory(prefix="scaffold-answers-") as scratch:
        import copier

        try:
            worker = copier.run_copy(
                str(template),
                scratch,
                data=dict(data),
                defaults=True,
                pretend=True,
                unsafe=False,
                quiet=True,
                vcs_ref=None,
            )
        except Exception as exc:
            raise RenderError(str(exc)) from exc
        questions = set(worker.template.questions_data)
        return {key: value for key, value in worker.answers.combined.items() if key in questions}


def syntax_environment(envops: Mapping[str, Any]) -> jinja2.Environment:
    """A Jinja environment that parses template files as copier does (delimiters, extensions)."""
    options = {key: value for key, value in envops.items() if key != "undefined"}
    extensions: list[Any] = []
    try:
        from copier._jinja_ext import YieldExtension  # `{% yield %}` in file names

        extensions.append(YieldExtension)
    except ImportError:  # pragma: no cover - older copier
        pass
    return jinja2.Environment(extensions=extensions, **options)  # parsing only: no autoescape
