"""Compiled templates are kept between runs, and never make a render wrong or fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold import rendering
from scaffold.rendering import bytecode
from scaffold.rendering.environment import _environment


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(bytecode.CACHE_ENV, str(folder))
    return folder


def template(root: Path, envops: str = "{keep_trailing_newline: true}") -> Path:
    (root / "project").mkdir(parents=True, exist_ok=True)
    (root / "copier.yml").write_text(
        f"_subdirectory: project\n_envops: {envops}\nname: demo\n", encoding="utf-8"
    )
    (root / "project" / "{{ name }}.txt.jinja").write_text(
        "{% if name %}\n{{ name | upper }}\n{% endif %}\n", encoding="utf-8"
    )
    return root


def render(source: Path, destination: Path) -> str:
    rendering.render_template(source, destination, {}, src_path=str(source))
    return (destination / "demo.txt").read_text(encoding="utf-8")


def test_a_render_keeps_its_compiled_templates(tmp_path: Path, cache: Path) -> None:
    source = template(tmp_path / "template")
    assert render(source, tmp_path / "first") == "\nDEMO\n\n"
    kept = sorted(cache.glob("*.cache"))
    assert len(kept) == 2  # the file and its name
    assert cache.stat().st_mode & 0o777 == 0o700


def test_a_changed_file_is_compiled_again(tmp_path: Path, cache: Path) -> None:
    source = template(tmp_path / "template")
    render(source, tmp_path / "first")
    (source / "project" / "{{ name }}.txt.jinja").write_text("{{ name }}!\n", encoding="utf-8")
    _environment.cache_clear()  # as a new process: nothing compiled in memory
    assert render(source, tmp_path / "second") == "demo!\n"


def test_other_options_do_not_share_compiled_code(tmp_path: Path, cache: Path) -> None:
    source = template(tmp_path / "template")
    assert render(source, tmp_path / "first") == "\nDEMO\n\n"
    template(source, "{keep_trailing_newline: true, trim_blocks: true}")  # same file sources
    assert render(source, tmp_path / "second") == "DEMO\n"


def test_a_damaged_cache_file_is_compiled_again(tmp_path: Path, cache: Path) -> None:
    source = template(tmp_path / "template")
    render(source, tmp_path / "first")
    for kept in cache.glob("*.cache"):
        kept.write_bytes(kept.read_bytes()[:20])  # cut short
    _environment.cache_clear()
    assert render(source, tmp_path / "second") == "\nDEMO\n\n"


def test_no_usable_cache_folder_still_renders(tmp_path: Path, cache: Path) -> None:
    cache.write_text("a file where the folder would be\n")
    assert bytecode.bytecode_cache(()) is None
    source = template(tmp_path / "template")
    assert render(source, tmp_path / "out") == "\nDEMO\n\n"
