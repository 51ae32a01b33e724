"""The Jinja environment copier renders a template with, built without copier.

As copier's: a sandbox, the template's `_envops` (`undefined` as a name), the filters of
jinja2-ansible-filters (`regex_replace`, `regex_search`, `to_nice_yaml`, ...), `to_json` that
also takes mappings and paths, the `pathjoin` global, and a loader rooted at the template folder
that refuses files outside it. copier's `{% yield %}` tag is not known here (`tree` refuses
names that use it). One environment per template folder and options is kept for the process:
Jinja caches the compiled files (and recompiles a file that changed), in memory and between
runs (`bytecode`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Any, Literal

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from scaffold.rendering.bytecode import bytecode_cache, compile_string
from scaffold.rendering.settings import Unsupported

_UNDEFINED = {
    "jinja2.Undefined": jinja2.Undefined,
    "jinja2.StrictUndefined": jinja2.StrictUndefined,
}
_PATHS = {"posix": PurePosixPath, "windows": PureWindowsPath, "native": PurePath}


class _Sandbox(SandboxedEnvironment):
    """copier's sandbox rule: a path's `parser` attribute is not for templates."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, PurePath) and attr == "parser":
            return False
        return bool(super().is_safe_attribute(obj, attr, value))


class _Loader(jinja2.FileSystemLoader):
    """Files of the template folder only (a symbolic link may not lead out of it)."""

    def __init__(self, root: Path) -> None:
        super().__init__([str(root)])
        self.root = root

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.root):
            raise jinja2.TemplateNotFound(f"{template} (outside the template folder)")
        return source, filename, uptodate


def jinja_environment(root: Path, envops: Mapping[str, Any]) -> jinja2.Environment:
    """The environment for the template folder `root` with the options `envops`.

    Raises:
        Unsupported: `envops` holds a value that is not a plain YAML scalar.
    """
    try:
        key = tuple(sorted((str(name), _hashable(value)) for name, value in envops.items()))
    except TypeError as exc:
        raise Unsupported(f"_envops: {exc}") from exc
    return _environment(root, key)


@functools.lru_cache(maxsize=8)
def _environment(root: Path, envops: tuple[tuple[str, Hashable], ...]) -> jinja2.Environment:
    options: dict[str, Any] = dict(envops)
    if "undefined" in options:
        if options["undefined"] not in _UNDEFINED:
            raise Unsupported(f"_envops.undefined {options['undefined']!r}")
        options["undefined"] = _UNDEFINED[options["undefined"]]
    env = _Sandbox(
        loader=_Loader(root),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
        bytecode_cache=bytecode_cache(envops),
        **options,
    )
    to_json = env.filters["to_json"]
    env.filters["to_json"] = functools.partial(to_json, default=_jsonable)
    env.globals["pathjoin"] = _pathjoin
    return env


def render_string(env: jinja2.Environment, source: str, context: Mapping[str, Any]) -> str:
    """`source` rendered with `context`; a string without Jinja syntax is returned as it is."""
    if is_plain(env, source):
        return source
    return _compiled(env, source).render(context)


@functools.lru_cache(maxsize=4096)
def _compiled(env: jinja2.Environment, source: str) -> jinja2.Template:
    return compile_string(env, source)


def is_plain(env: jinja2.Environment, source: str) -> bool:
    """Whether Jinja would render `source` as itself (no tag, no line statement, one line)."""
    if env.line_statement_prefix or env.line_comment_prefix or "\n" in source or "\r" in source:
        return False
    starts = (env.block_start_string, env.variable_start_string, env.comment_start_string)
    return not any(start in source for start in starts)


def _jsonable(value: object) -> object:
    """What copier's `to_json` writes for values JSON has no type for."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _pathjoin(*path: str, mode: Literal["posix", "windows", "native"] = "posix") -> str:
    return str(_PATHS[mode](*path))


def _hashable(value: object) -> Hashable:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    raise TypeError(f"{value!r} is not a plain value")
