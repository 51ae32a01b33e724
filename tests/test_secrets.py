"""Hard-coded credentials become environment variables and are written to no project file."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.reading import read_notebook
from scaffold.reading.secrets import find_secrets, without_secrets

KEY = "sk-live-abcdefghijklmnop1234"
DSN = "postgresql://ml:hunter22@db.internal/prod"


@pytest.mark.parametrize(
    ("code", "variable"),
    [
        pytest.param(f'API_KEY = "{KEY}"', "API_KEY", id="named-and-shaped"),
        pytest.param('token = "abcd1234efgh"', "TOKEN", id="named"),
        pytest.param('dbPassword = "hunter22"', "DBPASSWORD", id="camel-case"),
        pytest.param(f"client = Client(key='{KEY}')", "KEY", id="keyword-argument"),
        pytest.param(f'connect("{DSN}")', "DATABASE_URL", id="url-with-password"),
        pytest.param('aws = "AKIAABCDEFGHIJKLMNOP"', "AWS", id="aws-key-shape"),
    ],
)
def test_credentials_are_found(
    make_notebook: Callable[..., Path], code: str, variable: str
) -> None:
    secrets = find_secrets(read_notebook(make_notebook([code])))
    assert [secret.variable for secret in secrets] == [variable]


@pytest.mark.parametrize(
    "code",
    [
        pytest.param('password_hint = "see the wiki page"', id="a-sentence"),
        pytest.param('token = ""', id="empty"),
        pytest.param('path = "data/train.csv"', id="a-path"),
        pytest.param('url = "https://example.org/data.csv"', id="url-without-password"),
        pytest.param('tokenizer = "word"', id="a-name-containing-token"),
        pytest.param('sort_key = "price"', id="a-key-that-is-no-credential"),
    ],
)
def test_other_strings_are_no_credentials(make_notebook: Callable[..., Path], code: str) -> None:
    assert find_secrets(read_notebook(make_notebook([code]))) == ()


def test_the_code_reads_the_environment(make_notebook: Callable[..., Path]) -> None:
    notebook = read_notebook(make_notebook([f'API_KEY = "{KEY}"\nprint(len(API_KEY))']))
    cleaned = without_secrets(notebook, find_secrets(notebook))
    assert cleaned.code_cells[0].code == (
        'import os\nAPI_KEY = os.environ["API_KEY"]\nprint(len(API_KEY))'
    )


def test_no_generated_file_nor_the_first_commit_holds_a_credential(
    tmp_path: Path, notebook: Path
) -> None:
    folder = notebook.parent
    notebook = nbformat.read(folder / "churn.ipynb", as_version=4)
    cell = nbformat.v4.new_code_cell(f'API_KEY = "{KEY}"\nDB = "{DSN}"\nprint(API_KEY)')
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{KEY}\n")]
    notebook.cells.insert(3, cell)
    nbformat.write(notebook, folder / "churn.ipynb")
    target = tmp_path / "project"
    result = CliRunner().invoke(
        app, [str(folder / "churn.ipynb"), "-o", str(target), "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    assert "credentials read from the environment" in result.output
    assert "API_KEY (cell 4)" in result.output
    for path in target.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_bytes()
            assert KEY.encode() not in text, path
            assert b"hunter22" not in text, path
    history = subprocess.run(
        ["git", "log", "--all", "-p"], cwd=target, capture_output=True, check=True
    ).stdout
    assert KEY.encode() not in history
    assert b"hunter22" not in history
    assert (target / ".env.example").read_text().splitlines()[-2:] == ["API_KEY=", "DB="]
    assert (
        "<redacted: set API_KEY in the environment>"
        in (target / "notebooks" / "churn.ipynb").read_text()
    )
