"""scaffold: turn a research Jupyter notebook into a production ML project."""

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
    "inspect_notebook",
    "read_notebook",
]
__version__ = "0.1.0"
