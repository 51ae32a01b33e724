"""The generated project's requirements: ranges in pyproject.toml, exact pins in constraints.txt."""

from __future__ import annotations

import ast
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from scaffold import dependencies
from scaffold.api import scaffold_project
from scaffold.dependencies import compatible_range, pins, project_requirements
from scaffold.project import project_python
from scaffold.render import python_versions, render_project


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2.2.3", ">=2.2.3,<3"),
        ("1.26", ">=1.26,<2"),
        ("0.10.1", ">=0.10.1,<0.11"),  # 0.x: the next minor may break
        ("2.9.0.post0", ">=2.9.0.post0,<3"),
        ("2.1.0+cpu", ">=2.1.0,<3"),  # no index has a local label
        ("2024.8.0", ">=2024.8.0,<2025"),
    ],
)
def test_compatible_range(version: str, expected: str) -> None:
    assert compatible_range(version) == expected


def test_ranges_start_at_the_installed_version() -> None:
    needs = project_requirements(["pandas", "sklearn.metrics", "os.path", "__future__"])
    pandas, sklearn = metadata.version("pandas"), metadata.version("scikit-learn")
    assert needs.dependencies == (
        f"pandas{compatible_range(pandas)}",
        f"scikit-learn{compatible_range(sklearn)}",
    )


def test_a_declared_package_only_left_out_cells_import_is_dropped() -> None:
    needs = project_requirements(
        ["pandas"],
        declared=["pandas==1.0", "matplotlib", "openpyxl>=3", "not-installed-here==1.2"],
        notebook_imports=["pandas", "matplotlib.pyplot", "not_installed_here"],
    )
    names = [Requirement(requirement).name for requirement in needs.dependencies]
    assert "matplotlib" not in names  # plots only: the notebook imports it, the project does not
    assert "openpyxl>=3" in needs.dependencies  # never imported: an engine pandas loads, kept
    assert "not-installed-here==1.2" not in needs.dependencies  # imported only in left-out cells
    assert needs.dependencies[names.index("pandas")].startswith(
        f"pandas>={metadata.version('pandas')}"
    )  # what the pipeline ran with, not the notebook's older pin


def test_a_package_not_installed_here_keeps_the_notebooks_requirement() -> None:
    needs = project_requirements(
        ["not_installed_here"], declared=["not-installed-here==1.2"],
        notebook_imports=["not_installed_here"],
    )  # fmt: skip
    assert needs.dependencies == ("not-installed-here==1.2",)
    assert needs.constraints == ()
    bare = project_requirements(["not_installed_here"])
    assert bare.dependencies == ("not-installed-here",)


def test_pins_are_the_installed_versions_with_what_they_need() -> None:
    pinned = dict(pin.split("==") for pin in pins(["pandas"]))
    assert pinned["pandas"] == metadata.version("pandas")
    assert pinned["numpy"] == metadata.version("numpy")  # pandas needs numpy
    for name, version in pinned.items():
        assert metadata.version(name) == version
    assert list(pinned) == sorted(pinned)


def test_a_package_installed_from_a_folder_is_not_pinned() -> None:
    """scaffold itself is installed editable here: no index has that version."""
    direct = metadata.distribution("scaffold").read_text("direct_url.json")
    if direct is None:
        pytest.skip("scaffold is installed from an index here")
    needs = project_requirements(["scaffold"])
    assert needs.dependencies == ("scaffold",)
    assert needs.constraints == ()


@pytest.mark.parametrize(
    ("running", "expected"), [("3.12", "3.12"), ("3.14", "3.13"), ("3.10", "3.11")]
)
def test_project_python_is_where_the_pins_hold(running: str, expected: str) -> None:
    assert project_python(("3.11", "3.12", "3.13"), running) == expected


def test_python_versions_are_the_templates_choices() -> None:
    assert python_versions() == ("3.11", "3.12", "3.13")


def imported_distributions(src: Path) -> set[str]:
    """The distributions whose top-level modules the code under `src` imports."""
    tops: set[str] = set()
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                tops |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                tops.add(node.module.split(".")[0])
    provided = metadata.packages_distributions()
    return {canonicalize_name(name) for top in tops for name in provided.get(top, [])}


DRIVERS = {"psycopg"}
"""Declared, never imported: SQLAlchemy loads the driver PREDICTION_LOG_URL names."""


def declared(project: Path) -> set[str]:
    """The project's dependencies and its extras' (not the dev tools', not database drivers)."""
    metadata_ = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    extras = metadata_.get("optional-dependencies", {})
    requirements = [*metadata_["dependencies"]]
    requirements += [r for name, group in extras.items() if name != "dev" for r in group]
    return {canonicalize_name(Requirement(r).name) for r in requirements} - DRIVERS


def test_the_generated_project_depends_on_what_src_imports(notebook: Path, tmp_path: Path) -> None:
    project = tmp_path / "churn"
    scaffold_project(notebook, project, git=False, verify=False)
    assert "matplotlib" in notebook.read_text()  # the notebook installs and imports it for plots
    assert declared(project) == imported_distributions(project / "src")
    pinned = [line for line in (project / "constraints.txt").read_text().splitlines()
              if line and not line.startswith("#")]  # fmt: skip
    assert f"pandas=={metadata.version('pandas')}" in pinned
    assert f"scikit-learn=={metadata.version('scikit-learn')}" in pinned
    assert not any(line.startswith(("matplotlib", "fastapi")) for line in pinned)
    running = f"{__import__('sys').version_info.major}.{__import__('sys').version_info.minor}"
    answers = (project / ".copier-answers.yml").read_text()
    assert f"python_version: '{project_python(python_versions(), running)}'" in answers


@pytest.mark.parametrize("service", [True, False])
def test_the_template_depends_on_what_src_imports(tmp_path: Path, service: bool) -> None:
    render_project(tmp_path, {"package_name": "demo_model", "with_service": service})
    assert declared(tmp_path) == imported_distributions(tmp_path / "src")
    constraints = (tmp_path / "constraints.txt").read_text()
    assert all(line.startswith("#") for line in constraints.splitlines())  # none recorded


def test_each_module_maps_to_the_distributions_the_stdlib_names() -> None:
    expected = metadata.packages_distributions()
    for top in [*expected, "no_such_module_here"]:
        assert list(dependencies._distributions_of(top)) == expected.get(top, []), top


def test_requirements_do_not_map_every_installed_distribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def everything() -> None:
        raise AssertionError("packages_distributions() parses every file list installed")

    monkeypatch.setattr(metadata, "packages_distributions", everything)
    dependencies._distributions_of.cache_clear()
    needs = project_requirements(["pandas", "sklearn.ensemble", "os", "yaml"], ["xgboost"])
    names = [Requirement(requirement).name for requirement in needs.dependencies]
    assert names == ["pandas", "pyyaml", "scikit-learn", "xgboost"]
    assert needs.dependencies[0].startswith(f"pandas>={metadata.version('pandas')}")
