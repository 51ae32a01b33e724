"""scaffold: turn a research Jupyter notebook into a production ML project.

The public names load on first use (PEP 562), so that `scaffold --help` and
`import scaffold.errors` do not pay for libcst, nbformat and the rest of the pipeline, and the
console script installs its Ctrl-C handling (`scaffold.entry`) before the heavy imports run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from scaffold._version import __version__

if TYPE_CHECKING:
    from scaffold.analysis import Analysis
    from scaffold.api import inspect_notebook
    from scaffold.errors import CellError, CellSyntaxError, NotebookError, ScaffoldError
    from scaffold.notebook import Cell, Notebook, Role
    from scaffold.reading import read_notebook

_HOMES = {
    "Analysis": "scaffold.analysis",
    "Cell": "scaffold.notebook",
    "CellError": "scaffold.errors",
    "CellSyntaxError": "scaffold.errors",
    "Notebook": "scaffold.notebook",
    "NotebookError": "scaffold.errors",
    "Role": "scaffold.notebook",
    "ScaffoldError": "scaffold.errors",
    "inspect_notebook": "scaffold.api",
    "read_notebook": "scaffold.reading",
}
"""Each public name and the module that defines it."""

__all__ = [
    "Analysis",
    "Cell",
    "CellError",
    "CellSyntaxError",
    "Notebook",
    "NotebookError",
    "Role",
    "ScaffoldError",
    "__version__",
    "inspect_notebook",
    "read_notebook",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'scaffold' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
