"""The thin orchestrator: chains the stages; the CLI calls these functions and nothing else."""

from __future__ import annotations

import keyword
import re
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from scaffold.analysis import Analysis, analyse
from scaffold.dependencies import imported_modules
from scaffold.execute import execute_notebook
from scaffold.extract import Extraction, extract
from scaffold.notebook import Notebook
from scaffold.project import ProjectSpec, check_target, write_project
from scaffold.reading import read_notebook
from scaffold.reading.secrets import Secret, find_secrets, without_secrets
from scaffold.reproduction import (
    PrintedMetric,
    TableReading,
    metric_like_lines,
    printed_values,
    table_values,
    threaded_model,
)
from scaffold.verify import Verification, importable, verify_project


@dataclass(frozen=True)
class ScaffoldResult:
    """What `scaffold NOTEBOOK` did."""

    target: Path
    package: str
    analysis: Analysis
    extraction: Extraction
    printed: tuple[PrintedMetric, ...]
    files: tuple[str, ...]
    verification: Verification | None = None
    unmatched: tuple[str, ...] = ()
    """Printed lines that look like metrics when none of `printed` was found (`cell N: ...`)."""
    secrets: tuple[Secret, ...] = ()
    """Hard-coded credentials, now environment variables of the project."""
    renamed: str | None = None
    """Why the package is not named after the notebook (it would shadow a module), if so."""
    tables: TableReading = field(default_factory=TableReading)
    """The tables the notebook showed (summaries, frames of scores): read, or not readable."""


def inspect_notebook(path: Path) -> Analysis:
    """Read and analyse the notebook at `path`; writes nothing."""
    notebook, _ = _read(path)
    return analyse(notebook)


def _read(path: Path) -> tuple[Notebook, tuple[Secret, ...]]:
    """The notebook, with its hard-coded credentials read from the environment instead."""
    notebook = read_notebook(path)
    secrets = find_secrets(notebook)
    return without_secrets(notebook, secrets), secrets


PROJECT_MODULES = frozenset(
    {
        "fastapi", "starlette", "uvicorn", "pydantic", "pydantic_core", "pandas", "numpy",
        "sklearn", "skops", "joblib", "prometheus_client", "sqlalchemy", "yaml", "typer",
        "pyarrow", "pytest", "httpx", "ruff", "click", "scipy", "matplotlib", "seaborn", "torch",
        "tensorflow", "keras", "xgboost", "lightgbm", "catboost", "statsmodels", "tests", "test",
        "src", "scaffold",
    }
)  # fmt: skip
"""What a generated project imports or lays out besides its package (the template's
dependencies, its `tests` folder), and the usual libraries of a notebook."""


def package_name(text: str) -> str:
    """A valid lower-case Python identifier from a notebook or project name."""
    name = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "project"
    return f"project_{name}" if name[0].isdigit() else name


def unshadowed_package(name: str, imported: Iterable[str]) -> tuple[str, str | None]:
    """`name`, or `name_project` when `name` would shadow a module; and why it was renamed.

    A package named `pandas` (from `pandas.ipynb`) is imported instead of the library, and
    one named `class` cannot be imported at all.
    """
    if keyword.iskeyword(name):
        why = "is a Python keyword"
    elif name in {module.split(".", 1)[0] for module in imported}:
        why = "would shadow a module the notebook imports"
    elif name in sys.stdlib_module_names:
        why = "would shadow a module of Python's standard library"
    elif name in PROJECT_MODULES:
        why = "would shadow a library the project uses"
    else:
        return name, None
    renamed = f"{name}_project"
    return renamed, f"package named {renamed}: {name!r} {why} (choose another with --name)"


def scaffold_project(
    notebook: Path,
    target: Path | None = None,
    *,
    name: str | None = None,
    force: bool = False,
    git: bool = True,
    verify: bool | None = False,
    progress: Callable[[str], None] = lambda step: None,
) -> ScaffoldResult:
    """Generate the project for `notebook` (default target: `./<notebook stem>`).

    `verify`: run the project's tests and training and compare with the notebook's numbers;
    None means "when everything the pipeline imports is installed here". A notebook saved
    without outputs is then run first (nbclient, in a subprocess) for the numbers to compare.
    `progress` is told each step (read, analyse, extract, run notebook, render, format, commit,
    verify) as it starts.
    """
    target = target or Path.cwd() / package_name(notebook.stem).replace("_", "-")
    check_target(target, force=force)
    progress("read")
    notebook_read, secrets = _read(notebook)
    progress("analyse")
    analysis = analyse(notebook_read)
    progress("extract")
    extraction = extract(analysis)
    package, renamed = unshadowed_package(
        package_name(name or notebook.stem),
        [*analysis.imports.values(), *imported_modules(extraction.files.values())],
    )
    tables = table_values(analysis.notebook, extraction.tables)
    printed = printed_values(analysis.notebook, extraction.metrics) + tables.printed
    missing = importable(imported_modules(extraction.files.values()))
    verify = not missing if verify is None else verify
    never_run = not any(cell.outputs for cell in analysis.notebook.code_cells)
    if verify and not missing and never_run and (extraction.metrics or extraction.tables):
        progress("run notebook")  # saved without outputs: its numbers come from a run
        printed, tables = _printed_by_running(notebook, extraction)
    spec = ProjectSpec(
        project_name=name or notebook.stem.replace("_", " ").replace("-", " "),
        package=package,
        task=extraction.task,
        notebook=notebook,
        extraction=extraction,
        printed=printed,
        declared_requirements=analysis.notebook.requirements,
        notebook_imports=tuple(analysis.imports.values()),
        secrets=secrets,
    )
    files = write_project(spec, target, force=force, git=git, progress=progress)
    unmatched = () if printed else metric_like_lines(analysis.notebook)
    result = ScaffoldResult(
        target,
        package,
        analysis,
        extraction,
        printed,
        tuple(files),
        unmatched=unmatched,
        secrets=secrets,
        renamed=renamed,
        tables=tables,
    )
    if not verify:
        return result
    progress("verify")
    if missing:  # asked to verify: without running the tests, nothing is verified
        verification = Verification(
            "failed",
            f"the project's tests cannot run here (not installed: {', '.join(missing)}); "
            "install them to verify, or pass --no-verify",
        )
    else:
        verification = verify_project(
            target,
            package,
            printed,
            unseeded=extraction.unseeded,
            threaded=threaded_model(extraction.files.values(), extraction.settings) is not None,
            stage_hint=_stage_hint(extraction, package),
            unmatched=unmatched,
        )
    return replace(result, verification=verification)


def _printed_by_running(
    notebook: Path, extraction: Extraction
) -> tuple[tuple[PrintedMetric, ...], TableReading]:
    """The notebook was saved without outputs: run it to learn the numbers it shows."""
    executed = execute_notebook(notebook)
    try:
        run = read_notebook(executed)
        tables = table_values(run, extraction.tables)
        return printed_values(run, extraction.metrics) + tables.printed, tables
    finally:
        shutil.rmtree(executed.parent, ignore_errors=True)


def _stage_hint(extraction: Extraction, package: str) -> str:
    """Where to look when a number differs: the printing cell, then the stages before it."""
    cells = sorted({metric.cell for metric in extraction.metrics})
    where = f"cell {cells[0]}" if cells else "the cell that printed it"
    return (
        f"compare {where} with src/{package}/pipeline/evaluation.py, then the stages before it "
        "(features.py, data.py)"
    )
