"""Compiled templates kept between runs, as Python keeps `.pyc` files.

Compiling the project template's files and names is most of a render's CPU time (about 0.18 s
of 0.30 s for the churn project); loading them compiled takes a few milliseconds. Jinja's
bytecode cache recompiles a template whose source changed and one compiled by another Python;
the compiled code also depends on the Jinja version and the environment's options, so those
name the cache files. Where the cache folder cannot be made or written, templates are
compiled as before: the cache never fails a render.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Hashable
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

CACHE_ENV = "SCAFFOLD_CACHE_DIR"
"""Where to keep compiled templates (default: the user's cache folder, `scaffold/jinja`)."""


class _Cache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache (written atomically), quiet about files it cannot read or write."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged file: compile again (and replace it)
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        # a full disk, a folder made read-only: this run compiled, the next compiles again
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def bytecode_cache(options: tuple[tuple[str, Hashable], ...]) -> jinja2.BytecodeCache | None:
    """The cache for environments with `options`, or None where there is no usable folder."""
    folder = cache_folder()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        return None
    key = hashlib.sha256(repr((jinja2.__version__, options)).encode()).hexdigest()[:16]
    return _Cache(str(folder), f"{key}-%s.cache")


def cache_folder() -> Path:
    """`$SCAFFOLD_CACHE_DIR`, else the platform's user cache folder for scaffold, plus `jinja`."""
    if configured := os.environ.get(CACHE_ENV):
        return Path(configured)
    from platformdirs import user_cache_path

    return user_cache_path("scaffold", appauthor=False) / "jinja"


def compile_string(env: jinja2.Environment, source: str) -> jinja2.Template:
    """`env.from_string(source)`, through the environment's bytecode cache when it has one."""
    cache = env.bytecode_cache
    if cache is None:
        return env.from_string(source)
    bucket = cache.get_bucket(env, f"<string>{source}", None, source)
    if bucket.code is None:
        bucket.code = env.compile(source)
        cache.set_bucket(bucket)
    return env.template_class.from_code(env, bucket.code, env.make_globals(None))
