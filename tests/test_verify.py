"""`scaffold.verify`: the comparison of the project's numbers with the notebook's."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from scaffold import verify
from scaffold.reproduction import PrintedMetric


def fake_runs(monkeypatch: pytest.MonkeyPatch, project: Path, metrics: dict[str, float]) -> None:
    """Tests pass; `train` writes `metrics` to artifacts/metrics.json."""

    def run(command: list[str], cwd: Path, environment: object = None) -> object:
        if "train" in command:
            (project / "artifacts").mkdir(exist_ok=True)
            (project / "artifacts" / "metrics.json").write_text(json.dumps(metrics))
        return subprocess.CompletedProcess(command, 0, "5 passed\n", "")

    monkeypatch.setattr(verify, "_run", run)


PRINTED = (PrintedMetric("accuracy", 0.7812, 4), PrintedMetric("f1", 0.61, 2))


@pytest.mark.parametrize(
    ("computed", "unseeded", "outcome"),
    [
        ({"accuracy": 0.78124, "f1": 0.6149}, False, "match"),
        ({"accuracy": 0.7818, "f1": 0.61}, False, "mismatch"),
        ({"accuracy": 0.80, "f1": 0.61}, True, "match"),  # unseeded: within 10 %
        ({"f1": 0.61}, False, "mismatch"),  # a printed metric the pipeline lost
    ],
)
def test_outcome(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    computed: dict[str, float],
    unseeded: bool,
    outcome: str,
) -> None:
    fake_runs(monkeypatch, tmp_path, computed)
    result = verify.verify_project(
        tmp_path, "pkg", PRINTED, unseeded=unseeded, stage_hint="look at cell 27"
    )
    assert result.outcome == outcome
    if outcome == "mismatch":
        assert "the notebook printed" in result.message
        assert result.message.endswith("look at cell 27")


def test_nothing_printed_is_not_comparable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_runs(monkeypatch, tmp_path, {"accuracy": 0.5})
    result = verify.verify_project(tmp_path, "pkg", (), unseeded=False, stage_hint="")
    assert result.outcome == "not comparable"


def test_failing_tests_are_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def run(command: list[str], cwd: Path, environment: object = None) -> object:
        return subprocess.CompletedProcess(command, 1, "1 failed, 4 passed\n", "")

    monkeypatch.setattr(verify, "_run", run)
    result = verify.verify_project(tmp_path, "pkg", PRINTED, unseeded=False, stage_hint="")
    assert result.outcome == "failed"
    assert "1 failed, 4 passed" in result.message


def test_importable_names_what_is_missing() -> None:
    assert verify.importable(["json", "numpy.linalg", "surely_not_a_module_xyz.sub"]) == [
        "surely_not_a_module_xyz"
    ]


def test_the_first_failing_test_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    summary = (
        "..F\n=== short test summary info ===\n"
        "FAILED tests/test_reproduction.py::test_training_reproduces_the_notebook[f1] - assert\n"
        "ERROR tests/test_api.py::test_health - ValueError\n1 failed, 2 passed, 1 error\n"
    )

    def run(command: list[str], cwd: Path, environment: object = None) -> object:
        return subprocess.CompletedProcess(command, 1, summary, "")

    monkeypatch.setattr(verify, "_run", run)
    result = verify.verify_project(tmp_path, "pkg", PRINTED, unseeded=False, stage_hint="")
    assert result.outcome == "failed"
    assert result.message.startswith(
        "tests/test_reproduction.py::test_training_reproduces_the_notebook[f1] fails "
        "(1 failed, 2 passed, 1 error)"
    )
