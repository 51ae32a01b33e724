"""Reading notebooks: cells, outputs, tags, directives, requirements, and each bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from scaffold.analysis import analyse
from scaffold.errors import CellError, CellSyntaxError, NotebookError
from scaffold.notebook import Notebook, Role
from scaffold.reading import read_notebook

Read = Callable[..., Notebook]


def test_cells_in_order_with_numbers_and_kinds(read_cells: Read) -> None:
    notebook = read_cells([("markdown", "# Title"), "import os", "x = 1"])
    assert [(cell.number, cell.kind) for cell in notebook.cells] == [
        (1, "markdown"),
        (2, "code"),
        (3, "code"),
    ]
    assert [cell.number for cell in notebook.code_cells] == [2, 3]
    assert notebook.nbformat_version == 4
    assert notebook.source_format == "ipynb"


def test_outputs_are_kept(tmp_path: Path) -> None:
    node = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('hi')\n42", execution_count=3)
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="hi\n"),
        nbformat.v4.new_output("execute_result", {"text/plain": "42"}, execution_count=3),
        nbformat.v4.new_output("display_data", {"image/png": "iVBOR"}),
        nbformat.v4.new_output("error", ename="ValueError", evalue="bad", traceback=[]),
    ]
    node.cells.append(cell)
    path = tmp_path / "run.ipynb"
    nbformat.write(node, path)
    read = read_notebook(path).cells[0]
    assert [(out.kind, out.text) for out in read.outputs] == [
        ("stream", "hi\n"),
        ("result", "42"),
        ("error", "ValueError: bad"),
    ]
    assert read.output_text == "hi\n42"
    assert read.execution_count == 3


def test_nbformat_3_is_upgraded(tmp_path: Path) -> None:
    v3 = nbformat.v3
    cell = v3.new_code_cell(
        input="import pandas as pd\ndf = pd.read_csv('x.csv')",
        prompt_number=1,
        outputs=[v3.new_output("pyout", output_text="42", prompt_number=1)],
    )
    node = v3.new_notebook(
        worksheets=[v3.new_worksheet(cells=[v3.new_text_cell("markdown", source="# Load"), cell])]
    )
    path = tmp_path / "old.ipynb"
    path.write_text(nbformat.writes(node, version=3))
    notebook = read_notebook(path)
    assert notebook.nbformat_version == 3
    assert [cell.kind for cell in notebook.cells] == ["markdown", "code"]
    assert notebook.cells[1].source == "import pandas as pd\ndf = pd.read_csv('x.csv')"
    assert notebook.cells[1].output_text == "42"


def test_ipython_syntax_is_neutralised_and_pip_lines_become_requirements(read_cells: Read) -> None:
    notebook = read_cells(
        ["!pip install pandas scikit-learn", "%pip install pandas shap\n%matplotlib inline\nx = 1"]
    )
    assert notebook.requirements == ("pandas", "scikit-learn", "shap")
    cell = notebook.cells[1]
    assert cell.source.startswith("%pip")
    assert "%" not in cell.code.split("#", 1)[0]
    assert [magic.line for magic in cell.magics] == [1, 2]


@pytest.mark.parametrize(
    ("source", "tags", "role"),
    [
        ("# scaffold: skip\nx = 1", (), Role.SKIP),
        ("# scaffold: train\nx = 1", (), Role.TRAIN),
        ("#scaffold:Evaluate\nx = 1", (), Role.EVALUATE),
        ("\n# scaffold: predict\nx = 1", (), Role.PREDICT),
        ("x = 1", ("scaffold:load",), Role.LOAD),
        ("x = 1", ("scaffold-prepare",), Role.PREPARE),
        ("x = 1", ("split",), Role.SPLIT),
        ("x = 1", ("parameters",), Role.CONFIG),
        ("x = 1", ("explore",), Role.EXPLORE),
        ("# scaffold: config\nx = 1", ("explore",), Role.CONFIG),
        ("x = 1", ("hide-input",), None),
        ("# scaffold is great\nx = 1", (), None),
    ],
)
def test_directives_and_tags(
    read_cells: Read, source: str, tags: tuple[str, ...], role: Role | None
) -> None:
    cell = read_cells([("code", source, tags)]).cells[0]
    assert cell.directive is role
    assert cell.tags == tags


def test_unknown_directive_names_the_cell(read_cells: Read) -> None:
    with pytest.raises(CellError, match=r"cell 2, line 1: unknown directive '# scaffold: trian'"):
        read_cells(["import os", "# scaffold: trian\nx = 1"])


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def _notebook_json(**fields: object) -> str:
    data: dict[str, object] = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}
    data.update(fields)
    return json.dumps(data)


BAD_FILES = [
    ("notes.txt", "hello", "not a notebook: expected a .ipynb file"),
    ("broken.ipynb", "{nope", r"not JSON \(line 1, column 2"),
    ("list.ipynb", "[1, 2]", "JSON but not a Jupyter notebook"),
    ("future.ipynb", _notebook_json(nbformat=5), "nbformat 5 is not supported"),
    (
        "invalid.ipynb",
        _notebook_json(cells=[{"cell_type": "code"}]),
        "invalid notebook format",
    ),
    ("binary.ipynb", b"\xff\xfe\x00", "not UTF-8 text"),
    (
        "r.ipynb",
        _notebook_json(
            metadata={"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}}
        ),
        "its kernel runs R, not Python",
    ),
    ("empty.ipynb", _notebook_json(), "the notebook has no code"),
    ("script.py", "x = 1\n", "a .py file without '# %%' cell markers"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_bad_files(tmp_path: Path, name: str, content: str | bytes, message: str) -> None:
    with pytest.raises(NotebookError, match=message):
        read_notebook(_write(tmp_path, name, content))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotebookError, match="no such file"):
        read_notebook(tmp_path / "nope.ipynb")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(NotebookError, match="not a file"):
        read_notebook(tmp_path)


@pytest.mark.parametrize(
    "cells", [[("markdown", "# Only prose")], ["", "   \n"], [("markdown", "# A"), "\n"]]
)
def test_no_code_is_an_error(read_cells: Read, cells: list[object]) -> None:
    with pytest.raises(NotebookError, match="no code to scaffold"):
        read_cells(cells)


def test_non_python_kernel(read_cells: Read) -> None:
    with pytest.raises(NotebookError, match="kernel runs julia"):
        read_cells(["x = 1"], language="julia")


def test_cell_that_does_not_parse_names_cell_line_and_text(read_cells: Read) -> None:
    notebook = read_cells([("markdown", "# T"), "import os", "x = 1\ny = 2\nz = (3 +\n"])
    with pytest.raises(CellSyntaxError) as caught:
        analyse(notebook)
    message = str(caught.value)
    assert message.startswith("cell 3, line 3: does not parse")
    assert "'z = (3 +'" in message
    assert "# scaffold: skip" in message
    assert (caught.value.cell, caught.value.line) == (3, 3)


def test_skipped_cell_is_not_parsed(read_cells: Read) -> None:
    analysis = analyse(read_cells(["x = 1", "# scaffold: skip\nz = (3 +"]))
    assert analysis.cell(2).role is Role.SKIP
    assert analysis.cell(2).symbols is None
