"""The thin orchestrator: chains the stages; the CLI calls these functions and nothing else."""

from __future__ import annotations

from pathlib import Path

from scaffold.analysis import Analysis, analyse
from scaffold.reading import read_notebook


def inspect_notebook(path: Path) -> Analysis:
    """Read and analyse the notebook at `path`; writes nothing."""
    return analyse(read_notebook(path))
