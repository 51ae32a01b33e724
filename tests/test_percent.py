"""jupytext percent-format scripts are read as notebooks."""

from __future__ import annotations

from pathlib import Path

from scaffold.notebook import Role
from scaffold.reading import read_notebook
from scaffold.reading.percent import is_percent_script, read_percent

SCRIPT = """# ---
# jupyter:
#   kernelspec:
#     name: python3
# ---

# %% [markdown]
# # Load the data

# %%
import pandas as pd

# %% tags=["scaffold:load"]
df = pd.read_csv("data.csv")

# %% Look at it
df.head()
"""


def test_read_percent_splits_cells() -> None:
    cells = read_percent(SCRIPT)
    assert [(cell.kind, cell.source) for cell in cells] == [
        ("markdown", "# Load the data"),
        ("code", "import pandas as pd"),
        ("code", 'df = pd.read_csv("data.csv")'),
        ("code", "df.head()"),
    ]
    assert cells[2].tags == ("scaffold:load",)


def test_code_before_the_first_marker_is_a_cell() -> None:
    cells = read_percent("import os\n\n# %%\nx = 1\n")
    assert [cell.source for cell in cells] == ["import os", "x = 1"]


def test_is_percent_script() -> None:
    assert is_percent_script("# %%\nx = 1")
    assert not is_percent_script("x = 1\n# %%% not a marker\n")


def test_read_notebook_from_percent_script(tmp_path: Path) -> None:
    path = tmp_path / "analysis.py"
    path.write_text(SCRIPT + "\n# %%\n!pip install pandas\n%matplotlib inline\n")
    notebook = read_notebook(path)
    assert notebook.source_format == "percent"
    assert [cell.kind for cell in notebook.cells] == ["markdown", "code", "code", "code", "code"]
    assert notebook.cells[2].directive is Role.LOAD
    assert notebook.requirements == ("pandas",)
    assert [magic.kind for magic in notebook.cells[4].magics] == ["shell", "line_magic"]
