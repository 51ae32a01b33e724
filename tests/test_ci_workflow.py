"""The generated CI workflow and Dependabot configuration: valid, zizmor-clean, complete."""

from __future__ import annotations

import re
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffold.render import python_versions, render_project

PACKAGE = "demo_model"
OPTIONS = {
    "service": {"with_service": True, "python_version": "3.12"},
    "pipeline": {"with_service": False, "python_version": "3.11"},
}


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    rendered = {}
    for name, options in OPTIONS.items():
        root = tmp_path_factory.mktemp(name)
        render_project(root, {"package_name": PACKAGE, "with_ci": True, **options})
        rendered[name] = root
    return rendered


def tool(name: str) -> str:
    """A command installed with this Python (its scripts folder), else on PATH; else skip."""
    beside = Path(sysconfig.get_path("scripts")) / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (the dev extra installs it)")
    return found


def workflow(root: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((root / ".github/workflows/ci.yml").read_text())
    return loaded


@pytest.mark.parametrize("name", list(OPTIONS))
def test_zizmor_finds_nothing(projects: dict[str, Path], name: str) -> None:
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", ".github"], cwd=projects[name],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", list(OPTIONS))
@pytest.mark.parametrize(
    ("path", "schema"),
    [
        (".github/workflows/ci.yml", "vendor.github-workflows"),
        (".github/dependabot.yml", "vendor.dependabot"),
    ],
)
def test_files_match_their_schema(
    projects: dict[str, Path], name: str, path: str, schema: str
) -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", schema, path], cwd=projects[name],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", list(OPTIONS))
def test_every_supported_python_is_tested(projects: dict[str, Path], name: str) -> None:
    oldest = OPTIONS[name]["python_version"]
    matrix = workflow(projects[name])["jobs"]["test"]["strategy"]["matrix"]
    supported = [v for v in python_versions() if int(v.split(".")[1]) >= int(oldest.split(".")[1])]
    assert matrix["python-version"] == supported
    assert matrix["include"] == [{"python-version": oldest, "constraints": "constraints.txt"}]
    steps = workflow(projects[name])["jobs"]["test"]["steps"]
    install = next(step for step in steps if step.get("name") == "Install")
    assert install["env"] == {"CONSTRAINTS": "${{ matrix.constraints }}"}
    assert '--constraint "$CONSTRAINTS"' in install["run"]
    pyproject = (projects[name] / "pyproject.toml").read_text()
    assert f'requires-python = ">={oldest}"' in pyproject


@pytest.mark.parametrize("name", list(OPTIONS))
def test_no_expression_is_expanded_in_a_script(projects: dict[str, Path], name: str) -> None:
    """Values reach scripts through `env:`, never `${{ }}` inside `run:` (template injection)."""
    for job in workflow(projects[name])["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step


def test_the_docker_job_builds_and_starts_the_image(projects: dict[str, Path]) -> None:
    jobs = workflow(projects["service"])["jobs"]
    assert "docker" not in workflow(projects["pipeline"])["jobs"]
    scripts = "\n".join(step.get("run", "") for step in jobs["docker"]["steps"])
    assert 'docker build --tag "$IMAGE" .' in scripts
    assert "--publish 127.0.0.1:8000:8000" in scripts
    assert re.search(r"curl .*--fail.*/predict", scripts)
    assert "test ! -e /app/data" in scripts  # the image starts without the training data
    assert jobs["docker"]["needs"] == "test"


@pytest.mark.parametrize("name", list(OPTIONS))
def test_dependabot_keeps_packages_and_actions_fresh(projects: dict[str, Path], name: str) -> None:
    config = yaml.safe_load((projects[name] / ".github/dependabot.yml").read_text())
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    expected = {"pip", "github-actions"} | ({"docker"} if name == "service" else set())
    assert set(updates) == expected
    assert updates["pip"]["groups"]["python-packages"]["patterns"] == ["*"]
    if name == "service":  # the image's Python stays the one constraints.txt was recorded for
        (ignored,) = updates["docker"]["ignore"]
        assert ignored["dependency-name"] == "python"
        assert "version-update:semver-minor" in ignored["update-types"]
