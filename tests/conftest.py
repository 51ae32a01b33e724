"""Shared fixtures: notebooks are built in code, not checked in."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import nbformat
import pytest

from scaffold.analysis import Analysis, analyse
from scaffold.notebook import Notebook
from scaffold.reading import read_notebook

CellSpec = str | tuple[str, str] | tuple[str, str, Sequence[str]]
"""A code cell's source, or (kind, source), or (kind, source, tags)."""


def build_notebook(cells: Sequence[CellSpec], *, language: str = "python") -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "language": language,
        "display_name": "Python 3",
    }
    for spec in cells:
        kind, source, tags = (
            ("code", spec, ()) if isinstance(spec, str) else (*spec, ()) if len(spec) == 2 else spec
        )
        maker = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = maker(source)
        if tags:
            cell.metadata["tags"] = list(tags)
        notebook.cells.append(cell)
    return notebook


EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    """The example notebook and its data, copied to a folder of their own (`tmp_path/nb`)."""
    folder = tmp_path / "nb"
    folder.mkdir()
    for name in ("churn.ipynb", "customer_churn.csv"):
        (folder / name).write_bytes((EXAMPLES / name).read_bytes())
    return folder / "churn.ipynb"


@pytest.fixture
def make_notebook(tmp_path: Path) -> Callable[..., Path]:
    """Write a notebook of the given cells to a temporary file and return its path."""

    def make(cells: Sequence[CellSpec], name: str = "notebook.ipynb", **options: str) -> Path:
        path = tmp_path / name
        nbformat.write(build_notebook(cells, **options), path)
        return path

    return make


@pytest.fixture
def read_cells(make_notebook: Callable[..., Path]) -> Callable[..., Notebook]:
    """Build a notebook of the given cells, write it and read it back."""

    def read(cells: Sequence[CellSpec], **options: str) -> Notebook:
        return read_notebook(make_notebook(cells, **options))

    return read


@pytest.fixture
def analyse_cells(read_cells: Callable[..., Notebook]) -> Callable[..., Analysis]:
    """Build a notebook of the given cells and analyse it."""

    def run(cells: Sequence[CellSpec], **options: str) -> Analysis:
        return analyse(read_cells(cells, **options))

    return run


@pytest.fixture(autouse=True, scope="session")
def _template_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Template versions go to a throw-away store, never the user's own."""
    if "SCAFFOLD_TEMPLATE_STORE" in os.environ:
        yield
        return
    os.environ["SCAFFOLD_TEMPLATE_STORE"] = str(tmp_path_factory.mktemp("store") / "templates")
    try:
        yield
    finally:
        del os.environ["SCAFFOLD_TEMPLATE_STORE"]


def run_cells(cells: list[str], folder: Path) -> dict[str, Any]:
    """Execute the cells top to bottom in one namespace, in `folder`, as a kernel would."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            for cell in cells:
                exec(compile(cell, "<cell>", "exec"), namespace)
    finally:
        os.chdir(cwd)
    return namespace


def results_of_projects(
    trainer: str, jobs: Sequence[Sequence[object]], sources: Sequence[Path], out: Path
) -> dict[str, Any]:
    """Run `trainer` (`argv[1]`: the JSON `jobs`; it writes `argv[2]`) in one subprocess.

    The generated projects' `src` folders (`sources`) are importable there, so their packages
    train as they would after `pip install`.
    """
    subprocess.run(
        [sys.executable, "-c", trainer, json.dumps(jobs), str(out)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(str(path) for path in sources)},
        cwd=out.parent,  # what a pipeline writes (a notebook's submission.csv) stays there
        check=True,
        capture_output=True,
        timeout=300,
    )
    results: dict[str, Any] = json.loads(out.read_text())
    return results
