"""Render a copier template into a new folder with Jinja alone, as `copier copy --defaults` does.

Importing copier costs about 0.27 s of CPU (plumbum, questionary, prompt_toolkit, pydantic) and
its copy about 0.45 s more for the churn project; scaffold writes every new project from its
installed template, so `scaffold.render` renders that with this package and keeps copier for
updates and for given template repositories. The steps are copier's (`copier/_main.py`):

- `settings`: copier.yml's settings and questions; anything not handled raises `Unsupported`
  (then copier renders: a feature this package does not know never renders differently);
- `answers`: defaults, types, choices, `when` and validators, with copier's messages;
- `environment`: copier's Jinja environment (sandbox, `_envops`, jinja2-ansible-filters);
- `tree`: file and folder names, exclusions, `.jinja` files, modes.

The render context is copier's: the answers over the given data, `_src_path`, `_copier_answers`
(what the answers file records), `_copier_conf` (without copier's user `settings`),
`_folder_name`, `_copier_python` and `_copier_phase`. tests/test_render_direct.py renders with
both for a spread of option combinations and compares the trees byte for byte.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

from scaffold.rendering.answers import AnswerError, Answers, resolve
from scaffold.rendering.environment import is_plain, jinja_environment
from scaffold.rendering.settings import TemplateSettings, Unsupported, read_settings
from scaffold.rendering.tree import PathError, TreeWriter

__all__ = ["AnswerError", "PathError", "Unsupported", "render_template"]

_OS = {"Linux": "linux", "Darwin": "macos", "Windows": "windows"}.get(platform.system())


def render_template(
    template: Path, destination: Path, data: Mapping[str, Any], *, src_path: str
) -> None:
    """Render the template folder `template` into `destination`, absent or empty.

    Args:
        template: The folder holding copier.yml.
        destination: Where to write; left as it was (absent or empty) when rendering fails.
        data: Answers and render data, as copier's `data`; other questions take their
            defaults.
        src_path: What copier would record as `_src_path` (the template as it was named).

    Raises:
        Unsupported: the template needs copier (a setting, question key or tag not handled
            here, a template that is a git repository, copier's user settings file).
        AnswerError: an answer fails its type, choices or validator (the message names it).
        PathError: a path leads out of the template or the destination, or does not render.
        jinja2.TemplateError: a file does not render (an undefined variable, ...).
    """
    settings = read_settings(template)
    if (settings.root / ".git").exists():
        raise Unsupported(f"{settings.root} is a git repository: copier renders its latest tag")
    env = jinja_environment(settings.root, settings.envops)
    if not is_plain(env, settings.answers_file):
        raise Unsupported("a templated _answers_file")
    answers_path = str(PurePath(settings.answers_file))
    conf = _conf(settings, destination, answers_path, data)
    answers = Answers(metadata={"_src_path": src_path}, given=dict(data))

    def context(phase: str) -> dict[str, Any]:
        values = answers.combined()
        values.update(
            _copier_answers=answers.recorded(questions),
            _copier_conf=conf,
            _folder_name=destination.absolute().name,
            _copier_python=sys.executable,
            _copier_phase=phase,
        )
        return values

    questions = {question.name: question for question in settings.questions}
    existed = destination.exists()
    try:
        resolve(settings, env, answers, lambda: context("prompt"))
        TreeWriter(settings, env, context("render"), destination, answers_path).write()
    except BaseException:
        _restore(destination, existed)
        raise


def _conf(
    settings: TemplateSettings, destination: Path, answers_path: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    """`_copier_conf` of a quiet copy with defaults (copier's user `settings` left out)."""
    return {
        "src_path": PurePath(settings.root),
        "dst_path": PurePath(destination),
        "answers_file": PurePath(answers_path),
        "vcs_ref": None,
        "vcs_ref_hash": None,
        "data": data,
        "exclude": (),
        "use_prereleases": False,
        "skip_if_exists": (),
        "cleanup_on_error": True,
        "defaults": True,
        "user_defaults": {},
        "overwrite": False,
        "pretend": False,
        "quiet": True,
        "conflict": "inline",
        "context_lines": 3,
        "unsafe": False,
        "skip_answered": False,
        "skip_tasks": False,
        "sep": os.sep,
        "os": _OS,
    }


def _restore(destination: Path, existed: bool) -> None:
    """Put `destination` back as it was before the render: absent, or an empty folder."""
    if not existed:
        shutil.rmtree(destination, ignore_errors=True)
        return
    for child in destination.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
