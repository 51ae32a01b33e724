"""The generated Kubernetes base: its own checks pass, and they catch a base that breaks them."""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from scaffold.render import render_project

kubernetes_validate = pytest.importorskip("kubernetes_validate")

ANSWERS = {
    "project_name": "Demo model",
    "package_name": "demo_model",
    "task_kind": "classification",
    "with_service": True,
    "with_docker": True,
    "with_k8s": True,
    "with_ci": False,
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    destination = tmp_path_factory.mktemp("k8s")
    render_project(destination, ANSWERS)
    return destination


@pytest.fixture(scope="module")
def checks(project: Path) -> ModuleType:
    """The generated project's tests/test_k8s.py, imported."""
    path = project / "tests/test_k8s.py"
    spec = importlib.util.spec_from_file_location("generated_test_k8s", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def objects(checks: ModuleType, project: Path) -> list[dict[str, Any]]:
    built: list[dict[str, Any]] = checks.build(project / "deploy/k8s")
    return built


def pod_of(objects: list[dict[str, Any]]) -> dict[str, Any]:
    (deployment,) = [obj for obj in objects if obj["kind"] == "Deployment"]
    pod: dict[str, Any] = deployment["spec"]["template"]["spec"]
    return pod


def test_the_generated_k8s_tests_pass(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_k8s.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "5 passed" in result.stdout


def test_the_kustomized_output_passes_kubernetes_validate_strict(
    objects: list[dict[str, Any]], tmp_path: Path
) -> None:
    built = tmp_path / "built.yaml"
    built.write_text(yaml.safe_dump_all(objects), encoding="utf-8")
    command = [sys.executable, "-m", "kubernetes_validate", "--strict", str(built)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("passed for resource") == len(objects) == 5


def test_kustomize_fields_are_applied(objects: list[dict[str, Any]]) -> None:
    assert {obj["kind"] for obj in objects} == {
        "Namespace",
        "Secret",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
    }
    for obj in objects:
        assert obj["metadata"]["labels"]["app.kubernetes.io/name"] == "demo-model"
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == "demo-model"
    (container,) = pod_of(objects)["containers"]
    assert container["image"] == "registry.example.com/demo-model:0.1.0"


def test_an_unknown_field_fails_strict_validation(objects: list[dict[str, Any]]) -> None:
    pod_of(objects)["containers"][0]["imagePulPolicy"] = "Always"  # misspelt
    (deployment,) = [obj for obj in objects if obj["kind"] == "Deployment"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, kubernetes_validate.latest_version(), strict=True)


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("securityContext", "seccompProfile"), None, "seccompProfile"),
        (("securityContext", "runAsUser"), 0, "runAsUser"),
        (("securityContext", "runAsNonRoot"), None, "runAsNonRoot"),
        (("containers", 0, "securityContext", "allowPrivilegeEscalation"), None, "Escalation"),
        (("containers", 0, "securityContext", "capabilities", "drop"), [], "drop ALL"),
        (("containers", 0, "securityContext", "capabilities", "add"), ["SYS_ADMIN"], "added"),
        (("volumes", 0, "hostPath"), {"path": "/"}, "not allowed"),
    ],
)
def test_the_restricted_profile_check_finds_each_breach(
    checks: ModuleType,
    objects: list[dict[str, Any]],
    path: tuple[str | int, ...],
    value: Any,
    problem: str,
) -> None:
    pod = copy.deepcopy(pod_of(objects))
    assert checks.restricted_profile_problems(pod) == []
    parent: Any = pod
    for key in path[:-1]:
        parent = parent[key]
    if value is None:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    problems = checks.restricted_profile_problems(pod)
    assert len(problems) == 1, problems
    assert problem in problems[0]


@pytest.mark.parametrize(
    ("image", "rule", "expected"),
    [
        ("app", {"newName": "r.io/app", "newTag": "1.2"}, "r.io/app:1.2"),
        ("app:old", {"newTag": "2"}, "app:2"),
        ("app:1", {"newName": "r.io/x"}, "r.io/x:1"),
        ("app:1", {"digest": "sha256:" + "0" * 64}, "app@sha256:" + "0" * 64),
        ("other:1", {"newTag": "2"}, "other:1"),  # another image's rule
    ],
)
def test_images_are_rewritten_as_kustomize_does(
    checks: ModuleType, image: str, rule: dict[str, str], expected: str
) -> None:
    container = {"image": image}
    checks._set_image(container, [{"name": "app", **rule}])
    assert container["image"] == expected


def test_a_registry_port_is_not_a_tag(checks: ModuleType) -> None:
    container = {"image": "localhost:5000/app"}
    checks._set_image(container, [{"name": "localhost:5000/app", "newTag": "3"}])
    assert container["image"] == "localhost:5000/app:3"
