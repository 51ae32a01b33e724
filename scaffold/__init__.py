"""scaffold: turn a research Jupyter notebook into a production ML project."""

from scaffold._version import __version__
from scaffold.analysis import Analysis
from scaffold.api import inspect_notebook
from scaffold.errors import CellError, CellSyntaxError, NotebookError, ScaffoldError
from scaffold.notebook import Cell, Notebook, Role
from scaffold.reading import read_notebook

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
