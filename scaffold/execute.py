"""Run a notebook that was saved without outputs, so its printed numbers can be compared.

The notebook runs with nbclient in a subprocess, in its own folder (its relative paths work),
with a time limit; the executed copy goes to a temporary file, never over the user's notebook.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

from scaffold.errors import ScaffoldError

TIMEOUT_S = 600
_RUNNER = """
import sys
import nbclient
import nbformat

source, target, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
notebook = nbformat.read(source, as_version=4)
client = nbclient.NotebookClient(
    notebook,
    timeout=timeout,
    kernel_name="python3",
    resources={"metadata": {"path": sys.argv[4]}},
)
client.execute()
nbformat.write(notebook, target)
"""


class ExecutionError(ScaffoldError):
    """The notebook could not be run to get its outputs."""


def can_execute() -> bool:
    """Whether nbclient and a Python kernel are installed here (nothing is installed for it)."""
    return all(importlib.util.find_spec(name) is not None for name in ("nbclient", "ipykernel"))


def execute_notebook(notebook: Path, timeout: int = TIMEOUT_S) -> Path:
    """Run `notebook` in its folder and return the path of an executed copy.

    Raises:
        ExecutionError: nbclient is missing, a cell failed, or the run took too long.
    """
    if not can_execute():
        raise ExecutionError(
            "the notebook has no outputs to compare with and nbclient/ipykernel are not "
            "installed to run it; install them or run the notebook and save it"
        )
    target = Path(tempfile.mkdtemp(prefix="scaffold-run-")) / notebook.name
    command = [
        sys.executable,
        "-c",
        _RUNNER,
        str(notebook),
        str(target),
        str(timeout),
        str(notebook.parent.resolve()),
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout + 60, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ExecutionError(f"running {notebook} took more than {timeout} s") from exc
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ExecutionError(f"running {notebook} failed: {last}")
    return target
