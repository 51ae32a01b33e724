"""The thin orchestrator: chains the stages; the CLI calls these functions and nothing else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scaffold.analysis import Analysis, analyse
from scaffold.extract import Extraction, extract
from scaffold.project import ProjectSpec, check_target, write_project
from scaffold.reading import read_notebook
from scaffold.reproduction import PrintedMetric, printed_values


@dataclass(frozen=True)
class ScaffoldResult:
    """What `scaffold NOTEBOOK` did."""

    target: Path
    package: str
    analysis: Analysis
    extraction: Extraction
    printed: tuple[PrintedMetric, ...]
    files: tuple[str, ...]


def inspect_notebook(path: Path) -> Analysis:
    """Read and analyse the notebook at `path`; writes nothing."""
    return analyse(read_notebook(path))


def package_name(text: str) -> str:
    """A valid lower-case Python identifier from a notebook or project name."""
    name = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "project"
    return f"project_{name}" if name[0].isdigit() else name


def scaffold_project(
    notebook: Path,
    target: Path | None = None,
    *,
    name: str | None = None,
    force: bool = False,
    git: bool = True,
) -> ScaffoldResult:
    """Generate the project for `notebook` (default target: `./<notebook stem>`)."""
    target = target or Path.cwd() / package_name(notebook.stem).replace("_", "-")
    check_target(target, force=force)
    analysis = inspect_notebook(notebook)
    extraction = extract(analysis)
    package = package_name(name or notebook.stem)
    printed = printed_values(analysis.notebook, extraction.metrics)
    spec = ProjectSpec(
        project_name=name or notebook.stem.replace("_", " ").replace("-", " "),
        package=package,
        task=analysis.task,
        notebook=notebook,
        extraction=extraction,
        printed=printed,
        declared_requirements=analysis.notebook.requirements,
    )
    files = write_project(spec, target, force=force, git=git)
    return ScaffoldResult(target, package, analysis, extraction, printed, tuple(files))
