"""The copier template: renders for every option, lints clean, and its own tests pass."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml

from scaffold.render import RenderError, render_project, template_dir

PACKAGE = "demo_model"

MODEL_CHOICE = (
    "The notebook fits models on different data (cells 4, 9). This project serves second "
    "(cell 9), the last that can be served alone."
)
COMBINATIONS: dict[str, dict[str, Any]] = {
    "classification-all": {
        "task_kind": "classification",
        "with_service": True,
        "with_docker": True,
        "with_k8s": True,
        "with_ci": True,
    },
    "classification-none": {
        "task_kind": "classification",
        "with_service": True,
        "with_docker": False,
        "with_k8s": False,
        "with_ci": False,
    },
    "regression-all": {
        "task_kind": "regression",
        "with_service": True,
        "with_docker": True,
        "with_k8s": True,
        "with_ci": True,
    },
    "regression-none": {
        "task_kind": "regression",
        "with_service": True,
        "with_docker": False,
        "with_k8s": False,
        "with_ci": False,
        "model_choice": MODEL_CHOICE,
    },
    # no service: with_docker and with_k8s are not asked and default to false
    "classification-pipeline-ci": {
        "task_kind": "classification",
        "with_service": False,
        "with_ci": True,
    },
    "regression-pipeline": {
        "task_kind": "regression",
        "with_service": False,
        "with_ci": False,
        "no_service_reason": "the notebook sweeps hyper-parameters and keeps no model.",
    },
}
PIPELINE_ONLY = [name for name, options in COMBINATIONS.items() if not options["with_service"]]

BASE_FILES = {
    ".copier-answers.yml",
    ".gitignore",
    "README.md",
    "pyproject.toml",
    "constraints.txt",
    "config/params.yaml",
    "data/README.md",
    *(
        f"src/{PACKAGE}/{name}.py"
        for name in (
            "__init__",
            "__main__",
            "cli",
            "params",
            "settings",
            "table_metrics",
            "pipeline/__init__",
        )
    ),
    *(
        f"tests/{name}.py"
        for name in (
            "conftest",
            "test_pipeline",
            "test_reproduction",
            "test_settings",
            "test_table_metrics",
        )
    ),
}
SERVICE_FILES = {
    *(
        f"src/{PACKAGE}/{name}.py"
        for name in (
            "answers",
            "artifacts",
            "batch",
            "body_limit",
            "dask_scoring",
            "domain",
            "drift",
            "gate",
            "learnt",
            "log_database",
            "logs",
            "model",
            "monitoring",
            "observe",
            "predict",
            "prediction_log",
            "rows",
            "runtime",
            "schema",
            "service",
            "telemetry",
            "training",
            "validation",
        )
    ),
    *(
        f"tests/{name}.py"
        for name in (
            "test_api",
            "test_api_contract",
            "test_artifacts",
            "test_batch",
            "test_cli",
            "test_domain",
            "test_drift",
            "test_durability",
            "test_gate",
            "test_learnt",
            "test_log_database",
            "test_limits",
            "test_model",
            "test_openapi",
            "test_parity",
            "test_prediction_log",
            "test_rows",
            "test_runtime",
            "test_validation",
        )
    ),
}
DOCKER_FILES = {"Dockerfile", ".dockerignore"}
CI_FILES = {".github/workflows/ci.yml", ".github/dependabot.yml"}
K8S_FILES = {
    *(
        f"deploy/k8s/{name}.yaml"
        for name in (
            "kustomization",
            "namespace",
            "prediction-log-secret",
            "deployment",
            "service",
            "hpa",
        )
    ),
    "tests/test_k8s.py",
}

# the generator-owned files of CONTRACT.md
GENERATOR_OWNED = {
    "config/params.yaml",
    "src/{{ package_name }}/settings.py",
    "src/{{ package_name }}/pipeline/__init__.py",
    "tests/test_reproduction.py",
    "constraints.txt",
    "data/**",
}


def answers(combination: str) -> dict[str, Any]:
    return {"project_name": "Demo model", "package_name": PACKAGE, **COMBINATIONS[combination]}


def files(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def run(command: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each option combination rendered once for the module."""
    projects = {}
    for combination in COMBINATIONS:
        destination = tmp_path_factory.mktemp(combination)
        render_project(destination, answers(combination))
        projects[combination] = destination
    return projects


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_exact_file_set(rendered: dict[str, Path], combination: str) -> None:
    options = COMBINATIONS[combination]
    expected = set(BASE_FILES)
    expected |= SERVICE_FILES if options["with_service"] else set()
    expected |= DOCKER_FILES if options.get("with_docker") else set()
    expected |= CI_FILES if options["with_ci"] else set()
    expected |= K8S_FILES if options.get("with_k8s") else set()
    assert files(rendered[combination]) == expected


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_no_template_syntax_left(rendered: dict[str, Path], combination: str) -> None:
    root = rendered[combination]
    leftovers = [
        name
        for name in files(root)
        if re.search(r"(?<!\$)\{\{|\{%|\{#", (root / name).read_text(encoding="utf-8"))
    ]
    assert leftovers == []


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_yaml_and_toml_parse(rendered: dict[str, Path], combination: str) -> None:
    root = rendered[combination]
    for name in files(root):
        if name.endswith((".yml", ".yaml")):
            assert list(yaml.safe_load_all((root / name).read_text())), name
    tomllib.loads((root / "pyproject.toml").read_text())


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_ruff_clean(rendered: dict[str, Path], combination: str) -> None:
    root = rendered[combination]
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = run([sys.executable, "-m", "ruff", *command], cwd=root)
        assert result.returncode == 0, result.stdout + result.stderr


KEPT_ON = ("F", "E9", "E722", "B023", "B006", "B008")
"""Rules that find real bugs in extracted code: never ignored for the pipeline package."""


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_pipeline_ignores_hide_no_bugs(rendered: dict[str, Path], combination: str) -> None:
    config = tomllib.loads((rendered[combination] / "pyproject.toml").read_text())
    lint = config["tool"]["ruff"]["lint"]
    ignored = [*lint.get("ignore", [])]
    for codes in lint.get("per-file-ignores", {}).values():
        ignored += codes
    hiding = [
        code
        for code in ignored
        for kept in KEPT_ON
        if kept.startswith(code) or code.startswith(kept)
    ]
    assert hiding == []
    assert {"F", "E", "W", "B"} <= set(lint["select"])


@pytest.mark.slow
@pytest.mark.parametrize("combination", ["classification-all", "regression-none", *PIPELINE_ONLY])
def test_generated_tests_pass(rendered: dict[str, Path], combination: str) -> None:
    result = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=rendered[combination]
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.slow
@pytest.mark.parametrize("combination", ["classification-all", "regression-none"])
def test_generated_service_matches_its_openapi_document(
    rendered: dict[str, Path], combination: str
) -> None:
    """The generated slow test: schemathesis finds no server error and no schema violation."""
    pytest.importorskip("schemathesis")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "slow"]
    result = run([*command, "tests/test_openapi.py"], cwd=rendered[combination], timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout  # valid and invalid requests
    assert "skipped" not in result.stdout


def test_answers_file_holds_only_answers(rendered: dict[str, Path]) -> None:
    recorded = yaml.safe_load((rendered["regression-all"] / ".copier-answers.yml").read_text())
    assert recorded["package_name"] == PACKAGE
    assert recorded["task_kind"] == "regression"
    assert recorded["with_docker"] is True
    assert "_src_path" in recorded
    assert "dependencies" not in recorded
    assert "description" not in recorded


def test_pipeline_follows_the_task(rendered: dict[str, Path]) -> None:
    for combination, dataset, entry in (
        ("classification-all", "load_iris", "def train("),
        ("regression-all", "load_diabetes", "def train("),
        ("classification-pipeline-ci", "load_iris", "def run("),
        ("regression-pipeline", "load_diabetes", "def run("),
    ):
        source = (rendered[combination] / f"src/{PACKAGE}/pipeline/__init__.py").read_text()
        assert dataset in source
        assert entry in source
        assert f'TASK = "{COMBINATIONS[combination]["task_kind"]}"' in source


def test_render_data_reaches_pyproject(tmp_path: Path) -> None:
    render_project(
        tmp_path,
        {
            "package_name": PACKAGE,
            "description": 'Predicts "churn"',
            "dependencies": ["pandas>=2.2", "lightgbm>=4; python_version < '3.14'"],
        },
    )
    project = tomllib.loads((tmp_path / "pyproject.toml").read_text())["project"]
    assert project["description"] == 'Predicts "churn"'
    requirements = project["dependencies"]
    assert requirements[:2] == ["pandas>=2.2", "lightgbm>=4; python_version < '3.14'"]
    assert sum(r.startswith("pandas") for r in requirements) == 1  # no duplicate of the service's
    for name in ("fastapi", "uvicorn", "skops", "prometheus-client", "sqlalchemy", "typer"):
        assert any(r.startswith(name) for r in requirements), name


SETTING_GROUPS = [
    {
        "name": "data",
        "class_name": "DataSettings",
        "fields": [
            {"name": "train_path", "type": "Path", "value": "data/train.csv", "path": True,
             "origin": "cell 2, line 1"},
            {"name": "extra_path", "type": "Path", "value": "data/extra.csv", "path": True,
             "origin": "cell 2, line 2"},
            {"name": "url", "type": "str", "value": "https://example.com/x.csv", "path": False,
             "origin": "cell 2, line 3"},
        ],
    },
    {
        "name": "params",
        "class_name": "ParamsSettings",
        "fields": [
            {"name": "columns", "type": "list[Any]", "value": "[a, b]", "path": False,
             "origin": ""},
            {"name": "alpha", "type": "float", "value": "0.5", "path": False,
             "origin": "cell 3, line 1"},
        ],
    },
]  # fmt: skip

LOAD = """
import json, sys
from {package}.settings import load_settings
s = load_settings()
print(json.dumps({{"train": str(s.data.train_path), "extra": str(s.data.extra_path),
                  "url": s.data.url, "columns": s.params.columns, "alpha": s.params.alpha}}))
"""


@pytest.mark.parametrize("service", [True, False])
def test_settings_are_rendered_from_the_setting_groups(tmp_path: Path, service: bool) -> None:
    """One source: the settings module and config/params.yaml come from the generator's data."""
    project = tmp_path / "project"
    render_project(
        project,
        {"package_name": PACKAGE, "with_service": service, "setting_groups": SETTING_GROUPS},
    )
    params = (project / "config/params.yaml").read_text()
    assert "  train_path: data/train.csv  # cell 2, line 1\n" in params
    assert "  columns: [a, b]\n" in params
    assert ("retrain:\n  tolerance: 0.01\n" in params) == service
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = run([sys.executable, "-m", "ruff", *command], cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
    # from another folder, with the settings file named by the environment variable
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {**os.environ, "PYTHONPATH": str(project / "src")}
    code = LOAD.format(package=PACKAGE)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=environment, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"set {PACKAGE.upper()}_CONFIG" in result.stderr
    environment[f"{PACKAGE.upper()}_CONFIG"] = str(project / "config/params.yaml")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=environment, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "train": str(project / "data/train.csv"),  # the folder that holds config/
        "extra": str(project / "data/extra.csv"),
        "url": "https://example.com/x.csv",
        "columns": ["a", "b"],
        "alpha": 0.5,
    }


def test_settings_without_any_setting(tmp_path: Path) -> None:
    render_project(tmp_path, {"package_name": PACKAGE, "setting_groups": []})
    result = run([sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."], tmp_path)
    assert result.returncode == 0, result.stdout
    settings = (tmp_path / f"src/{PACKAGE}/settings.py").read_text()
    assert "PATHS: dict[str, tuple[str, ...]] = {}\n" in settings
    assert "    return Settings()\n" in settings


def test_ci_workflow(rendered: dict[str, Path]) -> None:
    text = (rendered["classification-all"] / ".github/workflows/ci.yml").read_text()
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {"contents": "read"}
    uses = re.findall(r"uses:\s*(\S+)", text)
    assert uses
    assert all(re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", use) for use in uses), uses
    for step in ("ruff check", "ruff format --check", "pytest", "docker build"):
        assert step in text
    assert "'.[dev,dask]'" in text
    assert "pytest -m slow" in text  # batch scoring on a real Dask cluster
    assert "${{ github.ref }}" in text


def test_dockerfile(rendered: dict[str, Path]) -> None:
    text = (rendered["classification-all"] / "Dockerfile").read_text()
    assert text.count("FROM python:3.11-slim") == 2
    for needle in ("USER 10001:10001", "HEALTHCHECK", f'"-m", "{PACKAGE}", "serve"'):
        assert needle in text


def test_k8s_manifests(rendered: dict[str, Path]) -> None:
    root = rendered["regression-all"] / "deploy/k8s"
    kinds = {yaml.safe_load(path.read_text()).get("kind") for path in root.glob("*.yaml")}
    assert kinds == {
        "Kustomization",
        "Namespace",
        "Secret",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
    }
    deployment = yaml.safe_load((root / "deployment.yaml").read_text())
    assert "replicas" not in deployment["spec"]  # the HPA owns the count
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["resources"]["limits"]
    assert container["image"] == "demo-model"  # a name for kustomize's `images:` to replace
    assert {item["name"] for item in container["env"]} == {"PREDICTION_LOG_URL"}
    kustomization = yaml.safe_load((root / "kustomization.yaml").read_text())
    (image,) = kustomization["images"]
    assert image["name"] == "demo-model"
    assert image["newTag"] != "latest"
    assert "/" in image["newName"]


def test_readme_explains_kubernetes_with_postgresql_only_with_k8s(
    rendered: dict[str, Path],
) -> None:
    readme = (rendered["regression-all"] / "README.md").read_text()
    for needle in (
        "### Kubernetes with PostgreSQL",
        "create secret generic demo-model-prediction-log",
        "restricted Pod Security Standard",
        "kubernetes-validate --strict",
        "PREDICTION_LOG_TEST_URL",
    ):
        assert needle in readme, needle
    assert "Kubernetes" not in (rendered["regression-none"] / "README.md").read_text()


def test_readme_says_which_model_is_served(rendered: dict[str, Path]) -> None:
    readme = (rendered["regression-none"] / "README.md").read_text()
    assert f"\n\n{MODEL_CHOICE}\n\n" in readme
    recorded = yaml.safe_load((rendered["regression-none"] / ".copier-answers.yml").read_text())
    assert "model_choice" not in recorded  # the generator's answer, not the user's
    other = (rendered["regression-all"] / "README.md").read_text()
    assert "fits models on different data" not in other
    assert "\n\n\n" not in other


def test_pipeline_only_answers(rendered: dict[str, Path]) -> None:
    recorded = yaml.safe_load((rendered["regression-pipeline"] / ".copier-answers.yml").read_text())
    assert recorded["with_service"] is False
    for hidden in ("with_docker", "with_k8s", "no_service_reason", "description"):
        assert hidden not in recorded


def test_pipeline_only_readme(rendered: dict[str, Path]) -> None:
    readme = (rendered["regression-pipeline"] / "README.md").read_text()
    assert "## No service" in readme
    assert "No service: the notebook sweeps hyper-parameters and keeps no model." in readme
    assert f"python -m {PACKAGE} train" in readme
    assert "artifacts/metrics.json" in readme
    for absent in ("/predict", " serve", "docker", "kubectl", "retrain", "## CI"):
        assert absent not in readme, absent
    default = (rendered["classification-pipeline-ci"] / "README.md").read_text()
    assert "No service: the notebook does not produce one model" in default
    assert "## CI" in default


def test_pipeline_only_dependencies_and_ci(rendered: dict[str, Path]) -> None:
    root = rendered["classification-pipeline-ci"]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~;\[ ]", r)[0] for r in project["dependencies"]}
    assert names == {"pandas", "numpy", "scikit-learn", "pyyaml", "typer"}  # numpy: table_metrics
    assert "served over HTTP" not in project["description"]
    workflow = (root / ".github/workflows/ci.yml").read_text()
    assert "pytest" in workflow
    assert "docker" not in workflow
    assert "dask" not in workflow


@pytest.mark.parametrize("option", ["with_docker", "with_k8s"])
def test_deployment_without_a_service_is_a_render_error(tmp_path: Path, option: str) -> None:
    with pytest.raises(RenderError, match=f"{option} needs with_service"):
        render_project(tmp_path, {"package_name": PACKAGE, "with_service": False, option: True})


@pytest.mark.slow
def test_pipeline_only_cli_keeps_stdout_json(rendered: dict[str, Path], tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    result = subprocess.run(
        [sys.executable, "-m", PACKAGE, "train", "--artifacts", str(artifacts)],
        cwd=rendered["regression-pipeline"],
        env={**os.environ, "PYTHONPATH": "src"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)["metrics"]
    assert set(metrics) == {"mae", "rmse", "r2"}
    assert json.loads((artifacts / "metrics.json").read_text()) == metrics
    assert "fitting on" in result.stderr  # the pipeline's print, kept off stdout


def test_skip_if_exists_lists_the_generator_owned_files() -> None:
    config = yaml.safe_load((template_dir() / "copier.yml").read_text())
    assert set(config["_skip_if_exists"]) == GENERATOR_OWNED
    assert config["_envops"]["undefined"] == "jinja2.StrictUndefined"


def test_generator_owned_files_survive_a_second_render(tmp_path: Path) -> None:
    render_project(tmp_path, {"package_name": PACKAGE})
    settings = tmp_path / f"src/{PACKAGE}/settings.py"
    service = tmp_path / f"src/{PACKAGE}/service.py"
    settings.write_text("# the user's settings\n")
    service.write_text("# edited\n")
    copier.run_copy(
        str(template_dir()),
        str(tmp_path),
        data={"package_name": PACKAGE},
        defaults=True,
        overwrite=True,
        quiet=True,
        vcs_ref=None,
    )
    assert settings.read_text() == "# the user's settings\n"
    assert service.read_text() != "# edited\n"


@pytest.mark.parametrize("name", ["Demo", "1demo", "demo-model", "demo model", ""])
def test_invalid_package_name_is_a_render_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(RenderError):
        render_project(tmp_path, {"package_name": name})


# copier leaves a directory iterator open when rendering fails part-way
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_undefined_variable_fails_loudly(tmp_path: Path) -> None:
    template = tmp_path / "template"
    (template / "project").mkdir(parents=True)
    config = yaml.safe_load((template_dir() / "copier.yml").read_text())
    settings = {key: value for key, value in config.items() if key.startswith("_")}
    settings.pop("_skip_if_exists")
    (template / "copier.yml").write_text(yaml.safe_dump(settings))
    (template / "project" / "file.txt.jinja").write_text("{{ misspelt_variable }}\n")
    with pytest.raises(RenderError, match="misspelt_variable"):
        render_project(tmp_path / "out", {}, template=template)


def test_template_dir_in_the_source_tree() -> None:
    assert template_dir() == Path(__file__).resolve().parents[1] / "templates"


@pytest.mark.slow
def test_wheel_ships_the_template(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    repository = Path(__file__).resolve().parents[1]
    result = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(repository),
        ],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (wheel,) = tmp_path.glob("scaffold-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "scaffold/templates/copier.yml" in names
    assert "scaffold/templates/project/{{ _copier_conf.answers_file }}.jinja" in names


SURVIVAL_FEEDBACK = """
import json
import pandas as pd
from {package}.monitoring import concordance_index, live_quality, outcome_problem

outcomes = [
    {{"event": True, "time": 2.0}},
    {{"event": True, "time": 5.0}},
    {{"event": False, "time": 9.0}},
]
logged = pd.DataFrame({{"prediction": [3.0, 2.0, 1.0], "outcome": outcomes}})
print(json.dumps({{
    "perfect": concordance_index([3.0, 2.0, 1.0], outcomes),
    "reversed": concordance_index([1.0, 2.0, 3.0], outcomes),
    "ties": concordance_index([1.0, 1.0, 1.0], outcomes),
    "none_comparable": concordance_index([1.0], outcomes[:1]),
    "live": live_quality("survival", logged),
    "problems": [
        outcome_problem("survival", 1.0),
        outcome_problem("survival", {{"event": True, "time": 3}}),
        outcome_problem("classification", {{"event": True}}),
        outcome_problem("statistical", {{"successes": 1, "failures": 2}}),
    ],
}}))
"""


def test_survival_feedback_is_scored_by_concordance(rendered: dict[str, Path]) -> None:
    """Risk scores against (event, time) outcomes: Harrell's C, and malformed outcomes named."""
    result = run(
        [sys.executable, "-c", SURVIVAL_FEEDBACK.format(package=PACKAGE)],
        cwd=rendered["classification-all"] / "src",
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["perfect"] == 1.0
    assert figures["reversed"] == 0.0
    assert figures["ties"] == 0.5
    assert figures["none_comparable"] is None
    assert figures["live"] == {"concordance_index": 1.0, "feedback_rows": 3.0}
    refused, accepted, record_for_a_label, several_columns = figures["problems"]
    assert "event" in refused
    assert accepted is None
    assert "not a record" in record_for_a_label
    assert several_columns is None


def test_dask_is_an_optional_extra_and_its_slow_tests_are_opt_in(
    rendered: dict[str, Path],
) -> None:
    pyproject = tomllib.loads((rendered["classification-all"] / "pyproject.toml").read_text())
    extras = pyproject["project"]["optional-dependencies"]
    names = {re.split(r"[<>=\[]", r)[0] for r in extras["dask"]}
    assert names == {"dask", "distributed", "fsspec"}  # fsspec: dask_scoring imports it
    assert not any("dask" in r for r in pyproject["project"]["dependencies"])
    pytest_config = pyproject["tool"]["pytest"]["ini_options"]
    assert "-m 'not slow'" in pytest_config["addopts"]
    assert any(marker.startswith("slow:") for marker in pytest_config["markers"])
    readme = (rendered["classification-all"] / "README.md").read_text()
    assert "## Scoring at scale" in readme
    assert "--scheduler" in readme
    pipeline_only = (rendered["classification-pipeline-ci"] / "pyproject.toml").read_text()
    assert "dask" not in tomllib.loads(pipeline_only)["project"]["optional-dependencies"]
