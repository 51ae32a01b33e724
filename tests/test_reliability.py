"""No input crashes or hangs `scaffold inspect`: each crash signature found by fuzzing, refused.

Each test is the smallest notebook that crashed, hung or gave a raw Python error before; the
CLI must now end with one `scaffold: error:` line naming the cell (or the field), exit code 1.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import build_notebook
from typer.testing import CliRunner

import scaffold.api
import scaffold.project
from scaffold.analysis.limits import bracket_depth
from scaffold.api import unshadowed_package
from scaffold.cli import app
from scaffold.errors import ScaffoldError
from scaffold.reading import read_notebook

runner = CliRunner()
Make = Callable[..., Path]
IMPORTS = "import pandas as pd"
EXAMPLES = Path(__file__).parent.parent / "examples"


def refusal(path: Path) -> str:
    """The one-line error of `scaffold inspect path` (which must refuse, not crash)."""
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 1, result.output
    lines = result.output.strip().split("\n")
    assert len(lines) == 1, result.output
    assert lines[0].startswith("scaffold: error: ")
    return lines[0].removeprefix("scaffold: error: ")


def inspects(path: Path) -> None:
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output


def write_json(tmp_path: Path, data: Any, name: str = "notebook.ipynb") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def notebook_json(cells: list[str]) -> dict[str, Any]:
    return json.loads(json.dumps(build_notebook(cells)))


# --- reading ----------------------------------------------------------------------------------


def test_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    text = json.dumps(notebook_json([IMPORTS]))
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.ipynb"
    path.write_text(text.replace('"metadata": {', f'"metadata": {{"deep": {deep}, ', 1))
    assert "its JSON nests too deeply" in refusal(path)


def test_json_nested_deeper_than_a_notebook_is_refused_before_nbformat(tmp_path: Path) -> None:
    data = notebook_json([IMPORTS])
    value: Any = []
    for _ in range(500):  # within json.loads' limit, beyond nbformat's validation
        value = [value]
    data["metadata"]["deep"] = value
    assert "its JSON nests over 64 levels deep" in refusal(write_json(tmp_path, data))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda nb: nb["cells"].__setitem__(0, "import os"), "cell 1: is a string, not an object"),
        (lambda nb: nb.__setitem__("cells", {"a": 1}), "no list of cells ('cells' is an object)"),
        (lambda nb: nb.pop("cells"), "no list of cells ('cells' is missing)"),
        (lambda nb: nb["cells"][0].__setitem__("source", 5), "cell 1: 'source' is a number"),
        (lambda nb: nb["cells"][0].pop("cell_type"), "cell 1: has no 'cell_type'"),
        (lambda nb: nb["cells"][0].__setitem__("outputs", "x"), "cell 1: 'outputs' is a string"),
        (lambda nb: nb["cells"][0].__setitem__("outputs", [1]), "cell 1: an output is a number"),
        (lambda nb: nb["cells"][0].__setitem__("metadata", []), "cell 1: 'metadata' is a list"),
        (lambda nb: nb.__setitem__("metadata", "x"), "'metadata' is a string, not an object"),
        (lambda nb: nb["metadata"].__setitem__("kernelspec", None), "'metadata.kernelspec' is"),
        (lambda nb: nb["cells"][0].pop("execution_count"), "cell 1: 'execution_count' is a"),
        (lambda nb: nb.__setitem__("nbformat", True), "nbformat True is not supported"),
        (lambda nb: nb.__setitem__("nbformat", 99), "nbformat 99 is not supported"),
        (
            lambda nb: nb.update(nbformat=3, worksheets=[{"cells": ["x"]}]),
            "cell 1: is a string, not an object",
        ),
    ],
)
def test_malformed_notebook_structure_is_said_in_the_notebooks_terms(
    tmp_path: Path, change: Callable[[dict[str, Any]], object], expected: str
) -> None:
    data = notebook_json([IMPORTS])
    change(data)
    message = refusal(write_json(tmp_path, data))
    assert expected in message
    assert "object has no attribute" not in message


def test_a_validation_error_names_the_cell_and_not_the_whole_value(tmp_path: Path) -> None:
    data = notebook_json([IMPORTS])
    html = ["<div>\n"] * 1000
    data["cells"][0]["outputs"] = [
        {"output_type": "display_data", "data": {"text/html": 5, "x": html}, "metadata": {}}
    ]
    message = refusal(write_json(tmp_path, data))
    assert "cell 1 outputs.0" in message
    assert len(message) < 300


def test_a_lone_surrogate_in_a_cell_is_refused_naming_the_cell(tmp_path: Path) -> None:
    data = notebook_json([IMPORTS, "x = 1\ny = '\ud800'"])
    path = tmp_path / "notebook.ipynb"
    path.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")  # "\ud800" escaped
    message = refusal(path)
    assert message.startswith("cell 2, line 2: holds a lone surrogate ('\\ud800')")


def test_a_lone_surrogate_in_an_output_is_replaced(tmp_path: Path) -> None:
    data = notebook_json([IMPORTS, "print(1)"])
    data["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1\udc80"}]
    path = tmp_path / "notebook.ipynb"
    path.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    assert read_notebook(path).cells[1].outputs[0].text == "1\ufffd"
    inspects(path)


def test_deep_indentation_is_read_in_linear_time(make_notebook: Make) -> None:
    code = "".join("    " * i + "if x:\n" for i in range(150)) + "    " * 150 + "pass\n"
    start = time.perf_counter()
    message = refusal(make_notebook([IMPORTS, code]))
    assert time.perf_counter() - start < 5  # was 9 s in the assigned-magic pattern
    assert message.startswith("cell 2, line 101: too complex to analyse")


# --- analysis ---------------------------------------------------------------------------------


def test_thousands_of_nested_parentheses_never_reach_the_native_parser(make_notebook: Make) -> None:
    # libcst's native parser died with a segfault on this; the whole test run would have.
    message = refusal(make_notebook([IMPORTS, "x = " + "(" * 3000 + "1" + ")" * 3000]))
    assert message.startswith("cell 2, line 1: too complex to analyse: 3000 nested brackets")


@pytest.mark.parametrize(
    "code",
    [
        "x = " + "[" * 150 + "]" * 150,  # RecursionError in gather_symbols
        "x = " + " + ".join(["a"] * 500),
        "x = " + " and ".join(["a"] * 500),
        "x = a" + ".b" * 500,
        "x = " + "-" * 600 + "1",
        "x = 1\nif x == 0:\n    pass\n"
        + "".join(f"elif x == {i}:\n    pass\n" for i in range(1, 500)),  # KeyError in libcst
        "x = " + " ".join(['"a"'] * 500),  # implicit concatenation: caught by the net
    ],
    ids=["brackets", "plus", "and", "attributes", "unary", "elif", "strings"],
)
def test_deeply_nested_code_is_refused_naming_the_cell(make_notebook: Make, code: str) -> None:
    message = refusal(make_notebook([IMPORTS, code]))
    assert message.startswith("cell 2")
    assert "too complex to analyse" in message


def test_an_elif_chain_of_sixty_branches_is_analysed(make_notebook: Make) -> None:
    code = "x = 1\nif x == 0:\n    y = 0\n" + "".join(
        f"elif x == {i}:\n    y = {i}\n" for i in range(1, 60)
    )
    inspects(make_notebook([IMPORTS, code]))


def test_a_megabyte_literal_is_refused_before_it_is_analysed(make_notebook: Make) -> None:
    """It took 520 s to analyse; the node count refuses it first (timing: benchmarks/fuzz.py)."""
    code = "x = [" + ", ".join(str(i) for i in range(170_000)) + "]"  # 1 MB on one line
    message = refusal(make_notebook([IMPORTS, code]))
    assert message.startswith("cell 2: too large to analyse: over 10,000 syntax nodes")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("nonlocal x\nx = 1", "cell 2, line 1: Python cannot run it (nonlocal declaration"),
        ("return 1", "cell 2, line 1: Python cannot run it ('return' outside function)"),
        ("type X = int", "cell 2, line 1: uses syntax newer than Python 3.11"),
        ("def f[T](x: T) -> T:\n    return x", "cell 2, line 1: uses syntax newer than Python"),
        ("class C[T]:\n    pass", "cell 2, line 1: uses syntax newer than Python 3.11"),
        ("x = (1 +", "cell 2, line 1: does not parse"),
    ],
)
def test_code_python_3_11_would_not_run_is_refused(
    make_notebook: Make, code: str, expected: str
) -> None:
    assert refusal(make_notebook([IMPORTS, code])).startswith(expected)


def test_code_python_warns_about_is_analysed_without_the_warning(make_notebook: Make) -> None:
    # pytest turns warnings into errors here: a SyntaxWarning would become a SyntaxError
    inspects(make_notebook([IMPORTS, "x = 1\nok = x is 1"]))


def test_top_level_await_is_still_accepted(make_notebook: Make) -> None:
    inspects(make_notebook([IMPORTS, "import asyncio\nawait asyncio.sleep(0)"]))


def test_bracket_depth_skips_strings_and_comments() -> None:
    assert bracket_depth('f("(((", [1, {2: (3)}])  # ((((\ny = """((\n("""') == (4, 1)
    assert bracket_depth("x = 1") == (0, None)
    assert bracket_depth("x = (\n(\n1))") == (2, 2)


# --- fuzzing ----------------------------------------------------------------------------------


def _fuzz_module() -> Any:
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "fuzz.py"
    spec = importlib.util.spec_from_file_location("scaffold_fuzz", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_fuzzing_500_notebooks_gives_no_crash_and_no_hang() -> None:
    fuzz = _fuzz_module()
    # a hang guard, not a timing: cases take a few seconds of CPU, but the wall clock of a
    # loaded 2-core CI machine stretches that; benchmarks/fuzz.py keeps the 10 s budget
    report = fuzz.fuzz(500, seed=20261202, timeout=60.0, jobs=2)
    assert sum(report.outcomes.values()) == 500
    assert report.outcomes["crash"] == 0, "\n".join(report.lines())
    assert report.outcomes["timeout"] == 0, "\n".join(report.lines())
    assert not report.poor, "\n".join(report.lines())
    assert report.outcomes["success"] > 50  # the cases reach the analysis, not only the reader


def test_fuzz_cases_are_reproducible() -> None:
    fuzz = _fuzz_module()
    seeds = fuzz.seed_notebooks()
    assert fuzz.make_case(3, 7, copy.deepcopy(seeds)) == fuzz.make_case(3, 7, seeds)


# --- the project's name and where it goes -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "imported", "expected", "why"),
    [
        ("churn", [], "churn", None),
        ("pandas", [], "pandas_project", "would shadow a library the project uses"),
        ("fastapi", [], "fastapi_project", "would shadow a library the project uses"),
        ("sklearn", [], "sklearn_project", "would shadow a library the project uses"),
        ("json", [], "json_project", "would shadow a module of Python's standard library"),
        ("mylib", ["mylib.io"], "mylib_project", "would shadow a module the notebook imports"),
        ("class", [], "class_project", "is a Python keyword"),
        ("match", [], "match", None),  # a soft keyword is a valid module name
    ],
)
def test_a_package_that_would_shadow_a_module_is_renamed(
    name: str, imported: list[str], expected: str, why: str | None
) -> None:
    package, renamed = unshadowed_package(name, imported)
    assert package == expected
    if why is None:
        assert renamed is None
    else:
        assert renamed == f"package named {expected}: {name!r} {why} (choose another with --name)"


def test_class_notebook_gives_a_class_project_package(tmp_path: Path) -> None:
    folder = tmp_path / "nb"
    folder.mkdir()
    for source, name in (("churn.ipynb", "class.ipynb"), ("customer_churn.csv", None)):
        (folder / (name or source)).write_bytes((EXAMPLES / source).read_bytes())
    out = tmp_path / "out"
    result = runner.invoke(
        app, [str(folder / "class.ipynb"), "-o", str(out), "--no-git", "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    assert "package class_project" in result.stdout.splitlines()[0]
    assert "package named class_project: 'class' is a Python keyword" in result.stdout
    assert (out / "src" / "class_project" / "pipeline" / "__init__.py").is_file()


def test_an_output_path_through_a_file_is_one_clear_line(
    make_notebook: Make, tmp_path: Path
) -> None:
    path = make_notebook([IMPORTS, "x = 1"])
    (tmp_path / "afile").write_text("mine")
    out = tmp_path / "afile" / "project"
    result = runner.invoke(app, [str(path), "-o", str(out), "--no-git", "--no-verify"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        f"scaffold: error: cannot create {out}: {tmp_path / 'afile'} is a file, not a folder; "
        "choose another with -o"
    )


def test_an_output_folder_that_cannot_be_written_is_one_clear_line(
    notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(target: Path) -> Path:
        raise PermissionError(13, "Permission denied", str(tmp_path))

    # the staging folder beside the output cannot be made (as root, chmod is moot)
    monkeypatch.setattr(scaffold.project, "_staging_folder", denied)
    out = tmp_path / "out"
    result = runner.invoke(app, [str(notebook), "-o", str(out), "--no-git", "--no-verify"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"scaffold: error: cannot write {out}: Permission denied ({tmp_path}); "
        "choose another with -o"
    )


def test_ctrl_c_while_inspecting_is_one_line_and_exit_130(
    make_notebook: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(path: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(scaffold.api, "inspect_notebook", interrupted)
    result = runner.invoke(app, ["inspect", str(make_notebook([IMPORTS]))])
    assert result.exit_code == 130
    assert result.output.strip() == "scaffold: interrupted"


def test_ctrl_c_while_writing_leaves_nothing_and_exits_130(
    notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(root: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(scaffold.project, "tidy", interrupted)
    result = runner.invoke(app, [str(notebook), "-o", str(tmp_path / "out"), "--no-git"])
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines()[-1] == (
        "scaffold: interrupted; nothing was written (the staging folder was removed)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb"]


def test_ctrl_c_while_verifying_says_the_project_is_kept_unverified(
    notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(scaffold.api, "verify_project", interrupted)
    monkeypatch.setattr(scaffold.api, "importable", lambda modules: [])  # verify it here
    out = tmp_path / "out"
    result = runner.invoke(app, [str(notebook), "-o", str(out), "--no-git", "--verify"])
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines()[-1] == (
        "scaffold: interrupted; the project is written but not verified: run its tests "
        "(`python -m pytest`)"
    )
    assert (out / "pyproject.toml").is_file()


ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize(
    "module", ["scaffold.entry", "typer", "libcst", "nbformat", "scaffold.api"]
)
def test_ctrl_c_while_the_cli_starts_is_one_line_and_exit_130(module: str) -> None:
    """SIGINT once `module` is imported (Python's import-time report says when), mid-start-up."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [
        sys.executable,
        "-X",
        "importtime",
        "-m",
        "scaffold",
        "inspect",
        str(EXAMPLES / "churn.ipynb"),
    ]
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert child.stderr is not None
    for line in child.stderr:
        if line.rsplit("|", 1)[-1].strip() == module:
            child.send_signal(signal.SIGINT)
            break
    else:
        pytest.fail(f"{module} was never imported")
    # read on through the same buffered file: communicate() reads the pipe itself, and would
    # miss what the loop above has already buffered
    assert child.stdout is not None
    with child.stderr, child.stdout:
        stderr = child.stderr.read()
        stdout = child.stdout.read()
    assert child.wait(timeout=60) == 130, stderr[-2000:]
    assert stdout == ""
    assert "Traceback" not in stderr
    report = [line for line in stderr.splitlines() if not line.startswith("import time:")]
    assert report == ["scaffold: interrupted"]


def test_the_console_script_starts_through_the_light_entry_module() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["scaffold"] == "scaffold.entry:main"
    loaded = "sorted(m for m in sys.modules if m.startswith(('scaffold.', 'typer', 'libcst')))"
    probe = f"import sys, scaffold.entry; print({loaded})"
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert completed.stdout.strip() == "['scaffold._version', 'scaffold.entry']"


def test_the_public_names_load_on_first_use() -> None:
    import scaffold

    assert scaffold.read_notebook is scaffold.reading.read_notebook
    assert sorted(scaffold.__all__) == sorted([*scaffold._HOMES, "__version__"])
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = scaffold.nothing  # type: ignore[attr-defined]


def test_a_ruff_failure_says_what_ruff_said(tmp_path: Path) -> None:
    (tmp_path / "src" / "class").mkdir(parents=True)
    (tmp_path / "src" / "class" / "__init__.py").write_text("from class.x import y\n")
    with pytest.raises(ScaffoldError) as caught:
        scaffold.project.tidy(tmp_path)  # `ruff format --quiet` printed nothing here
    assert "Failed to parse src/class/__init__.py:1:6" in str(caught.value)
