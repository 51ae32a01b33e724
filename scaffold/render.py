"""Render the project template with copier: the only module of scaffold that imports copier."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import copier

from scaffold.errors import RenderError

__all__ = ["RenderError", "render_project", "template_dir"]


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


def render_project(
    destination: Path, answers: Mapping[str, object], *, template: Path | None = None
) -> None:
    """Render the project template into `destination`.

    Args:
        destination: Directory to render into (created if missing).
        answers: Answers to the template's questions (`project_name`, `package_name`,
            `task_kind`, ...) and render data (`dependencies`, `description`); anything not
            given takes the template's default.
        template: Template directory; defaults to `template_dir()`.

    Raises:
        RenderError: copier rejected an answer or failed to render.
    """
    source = template or template_dir()
    try:
        copier.run_copy(
            str(source),
            str(destination),
            data=dict(answers),
            defaults=True,
            unsafe=False,
            quiet=True,
            vcs_ref=None,
        )
    except Exception as exc:  # copier raises many types: CopierError, ValueError, jinja errors
        raise RenderError(f"rendering {source} into {destination} failed: {exc}") from exc
