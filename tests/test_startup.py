"""Start-up stays light: `scaffold --help` and `inspect` load only what they use."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("copier", "nbclient", "libcst.matchers", "questionary", "plumbum")
"""Modules only writing a project (copier) or running a notebook (nbclient) needs."""


def test_importing_the_cli_loads_no_heavy_module() -> None:
    probe = (
        "import sys, scaffold.cli; "
        f"print(' '.join(name for name in {HEAVY!r} if name in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert completed.stdout.strip() == ""
