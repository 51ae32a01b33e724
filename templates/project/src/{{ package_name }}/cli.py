"""Command line: train, evaluate, predict, serve, monitor, retrain."""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from . import pipeline
from .artifacts import ArtifactError, load_artifact
from .monitoring import monitoring_report
from .predict import predict_batch
from .prediction_log import PredictionLog
from .runtime import Runtime
from .settings import load_settings
from .training import InvalidInputs, train_and_save
from .validation import validate

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)

Params = Annotated[
    Path | None, typer.Option("--params", help="Settings file (default: config/params.yaml).")
]
Artifacts = Annotated[
    Path | None, typer.Option("--artifacts", help="Artifact directory (default: $ARTIFACTS_DIR).")
]


def _runtime(artifacts: Path | None) -> Runtime:
    runtime = Runtime.from_env()
    return replace(runtime, artifacts_dir=artifacts) if artifacts else runtime


def _echo(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


@app.command()
def train(
    params: Params = None,
    artifacts: Artifacts = None,
    no_validate: Annotated[bool, typer.Option(help="Skip the input checks.")] = False,
) -> None:
    """Train with config/params.yaml and write a new model version."""
    root = _runtime(artifacts).artifacts_dir
    try:
        trained = train_and_save(load_settings(params), root, check=not no_validate)
    except InvalidInputs as exc:
        raise _fail(str(exc)) from exc
    _echo({"artifact": str(trained.directory), "metrics": trained.run.metrics})


@app.command()
def evaluate(params: Params = None, artifacts: Artifacts = None) -> None:
    """Compute the metrics of the current model on the held-out rows."""
    try:
        artifact = load_artifact(_runtime(artifacts).artifacts_dir)
    except ArtifactError as exc:
        raise _fail(str(exc)) from exc
    with contextlib.redirect_stdout(sys.stderr):  # the notebook's prints must not mix with results
        metrics = pipeline.evaluate(load_settings(params), artifact.model)
    _echo(metrics)


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".csv":
        return pd.read_csv(path)
    raise _fail(f"{path}: expected a .csv or .parquet file")


@app.command()
def predict(
    input_path: Annotated[Path, typer.Argument(metavar="IN", help="CSV or Parquet rows.")],
    output_path: Annotated[Path, typer.Argument(metavar="OUT", help="CSV or Parquet output.")],
    artifacts: Artifacts = None,
) -> None:
    """Score a file of rows; OUT gets the rows plus a `prediction` column."""
    try:
        artifact = load_artifact(_runtime(artifacts).artifacts_dir)
    except ArtifactError as exc:
        raise _fail(str(exc)) from exc
    frame = _read_table(input_path)
    scored = frame.assign(prediction=predict_batch(artifact.model, frame))
    if output_path.suffix == ".parquet":
        scored.to_parquet(output_path, index=False)
    else:
        scored.to_csv(output_path, index=False)
    typer.echo(f"{len(scored)} rows scored -> {output_path}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    artifacts: Artifacts = None,
) -> None:
    """Run the HTTP service (one uvicorn process; scale with replicas)."""
    import uvicorn

    from .service import create_app

    uvicorn.run(create_app(_runtime(artifacts)), host=host, port=port, workers=1)


@app.command()
def monitor(
    artifacts: Artifacts = None,
    window: Annotated[int, typer.Option(help="How many recent logged rows to use.")] = 500,
) -> None:
    """Report drift (PSI per feature) and live quality; writes artifacts/monitoring.json."""
    runtime = _runtime(artifacts)
    try:
        artifact = load_artifact(runtime.artifacts_dir)
    except ArtifactError as exc:
        raise _fail(str(exc)) from exc
    log = PredictionLog(runtime.prediction_log_url)
    report = monitoring_report(log, artifact.reference, artifact.manifest["task"], window)
    log.close()
    report["model_version"] = artifact.version
    path = runtime.artifacts_dir / "monitoring.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    _echo(report)


@app.command()
def retrain(
    params: Params = None,
    artifacts: Artifacts = None,
    no_validate: Annotated[bool, typer.Option(help="Skip the input checks.")] = False,
) -> None:
    """Train again on the original data plus logged rows that received feedback."""
    runtime = _runtime(artifacts)
    try:
        artifact = load_artifact(runtime.artifacts_dir)
    except ArtifactError as exc:
        raise _fail(str(exc)) from exc
    log = PredictionLog(runtime.prediction_log_url)
    extra = log.feedback_rows(pipeline.TARGET)
    log.close()
    if extra.empty:
        raise _fail("no logged predictions have feedback yet; nothing to add")
    report = validate(extra[artifact.model.input_columns], artifact.expectations)
    if not no_validate and not report.ok:
        raise _fail(f"feedback rows failed validation:\n{report}")
    try:
        trained = train_and_save(
            load_settings(params), runtime.artifacts_dir, extra_rows=extra, check=not no_validate
        )
    except InvalidInputs as exc:
        raise _fail(str(exc)) from exc
    _echo(
        {
            "artifact": str(trained.directory),
            "extra_rows": len(extra),
            "previous_metrics": artifact.manifest["metrics"],
            "metrics": trained.run.metrics,
        }
    )


def main() -> None:
    """Entry point of `python -m` and the console script."""
    app()
