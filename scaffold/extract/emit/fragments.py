"""Generated code that is not the notebook's own, rendered from the template's fragments.

`templates/fragments/pipeline/*.py.jinja` hold the helpers `pipeline/__init__.py` defines
besides the stage calls (the frame helpers, the array and outcome helpers); each emitter
renders one with its data and parses the result. They are outside the template's `project/`
folder, so copier never renders them into a project by themselves.
"""

from __future__ import annotations

import functools

import jinja2
import libcst as cst

from scaffold.extract.statements import Stmt
from scaffold.render import template_dir

FRAGMENTS = "fragments/pipeline"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir() / FRAGMENTS),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def fragment_source(name: str, **data: str) -> str:
    """The text of fragment `name` (`frame_helpers`) rendered with `data`."""
    return _environment().get_template(f"{name}.py.jinja").render(**data)


def fragment(name: str, **data: str) -> list[Stmt]:
    """The statements of fragment `name` rendered with `data`."""
    return list(cst.parse_module(fragment_source(name, **data)).body)
