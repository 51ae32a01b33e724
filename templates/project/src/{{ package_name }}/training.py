"""Train through the pipeline interface, check the inputs, and save a new model version."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import pipeline
from .artifacts import ArtifactError, load_artifact, save_artifact
from .model import TrainingRun
from .settings import Settings
from .validation import ValidationReport, validate


class InvalidInputs(Exception):
    """Training rows failed their checks; the message lists every failure."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(f"training inputs failed validation:\n{report}")
        self.report = report


@dataclass(frozen=True)
class Trained:
    """A training run and where its artifact was written."""

    run: TrainingRun
    directory: Path


def check_inputs(inputs: pd.DataFrame, target: pd.Series, root: Path) -> ValidationReport:
    """Sanity checks, plus the previous version's expectations when there is one."""
    failures = []
    if inputs.empty:
        failures.append("no training rows")
    failures += [f"{name}: every value is missing" for name in inputs.columns[inputs.isna().all()]]
    if target.isna().any():
        failures.append(f"target: {int(target.isna().sum())} missing outcomes")
    with contextlib.suppress(ArtifactError):  # first training: nothing to compare with
        failures += validate(inputs, load_artifact(root).expectations).failures
    return ValidationReport(failures)


def train_and_save(
    settings: Settings, root: Path, *, extra_rows: pd.DataFrame | None = None, check: bool = True
) -> Trained:
    """Run `pipeline.train`, validate its inputs, then write the artifact under `root`."""
    with contextlib.redirect_stdout(sys.stderr):  # the notebook's prints must not mix with results
        run = pipeline.train(settings, extra_rows)
    if check:
        report = check_inputs(run.inputs, run.target, root)
        if not report.ok:
            raise InvalidInputs(report)
    directory = save_artifact(run, root, task=pipeline.TASK, target=pipeline.TARGET)
    return Trained(run, directory)
