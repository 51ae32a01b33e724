"""Start-up stays light: `scaffold --help` and `inspect` load only what they use."""

from __future__ import annotations

import subprocess
import sys

import pytest

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


PIPELINE = ("scaffold.api", "libcst", "nbformat", "jinja2", "rich")
"""What `scaffold --help` does not need: the pipeline, its parsers and rich's help renderer."""


def test_help_loads_no_pipeline_module() -> None:
    probe = (
        "import sys\n"
        "from scaffold.cli import main\n"
        "sys.argv = ['scaffold', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"loaded = [name for name in {PIPELINE!r} if name in sys.modules]\n"
        "print('LOADED', ' '.join(loaded))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert "Commands:" in completed.stdout
    assert completed.stdout.splitlines()[-1].strip() == "LOADED"


def test_the_package_exports_its_names_on_first_use() -> None:
    import scaffold

    assert set(scaffold.__all__) <= set(dir(scaffold))
    for name in scaffold.__all__:
        assert getattr(scaffold, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = scaffold.nothing  # type: ignore[attr-defined]
