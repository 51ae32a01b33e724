"""Generated code that is not the notebook's own, rendered from the template's fragments.

`templates/fragments/pipeline/*.py.jinja` hold what `pipeline/__init__.py` and its helpers are
made of besides the notebook's statements: the interface of each model shape (`train`,
`evaluate`, or `run`), the frame helpers, the array and outcome helpers. Files starting with `_`
are the pieces they share. Each emitter renders one with its data (names, calls of the stage
functions) and parses the result. They are outside the template's `project/` folder, so copier
never renders them into a project by themselves.
"""

from __future__ import annotations

import functools
import json

import jinja2
import libcst as cst

from scaffold.extract.statements import Stmt
from scaffold.render import template_dir

FRAGMENTS = "fragments/pipeline"


def python_string(value: str) -> str:
    """`value` as a double-quoted Python string literal (a name with a quote stays valid)."""
    return json.dumps(value, ensure_ascii=False)


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir() / FRAGMENTS),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,  # a line holding only a block tag leaves nothing behind
        lstrip_blocks=True,
        autoescape=False,
    )
    environment.filters["py_str"] = python_string
    environment.filters["py_repr"] = repr
    return environment


def fragment_source(name: str, **data: object) -> str:
    """The text of fragment `name` (`frame_helpers`) rendered with `data`."""
    return _environment().get_template(f"{name}.py.jinja").render(**data)


def fragment(name: str, **data: object) -> list[Stmt]:
    """The statements of fragment `name` rendered with `data`."""
    return list(cst.parse_module(fragment_source(name, **data)).body)
