"""The versioned model artifact: save after training, load (and verify) for serving."""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
import sklearn

from .drift import reference_statistics
from .learnt import FeatureState
from .model import Model, TrainingRun
from .schema import InputSchema, infer_schema
from .validation import Expectations, learn_expectations

LATEST = "LATEST"
SAMPLE_ROWS = 5


class ArtifactError(Exception):
    """The artifact is missing, incomplete or has been modified since training."""


@dataclass(frozen=True)
class Artifact:
    """A loaded model with everything recorded beside it."""

    model: Model
    version: str
    directory: Path
    manifest: dict[str, Any]
    schema: InputSchema
    expectations: Expectations
    reference: dict[str, dict[str, Any]]


def sha256(path: Path) -> str:
    """Hex SHA-256 digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def jsonable(value: Any) -> Any:
    """Plain JSON value: numpy scalars unwrapped, NaN and NA become None."""
    if hasattr(value, "item"):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of `frame` as JSON-safe dicts."""
    return [
        {str(key): jsonable(value) for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _function_reference(function: Any) -> str | None:
    if function is None:
        return None
    reference = f"{function.__module__}:{function.__qualname__}"
    if "<" in reference:
        raise ArtifactError(f"the feature step {reference} must be a module-level function")
    return reference


def _import_function(reference: str | None) -> Any:
    if reference is None:
        return None
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def _payload(model: Model) -> dict[str, Any]:
    state = model.state
    return {
        "estimator": model.estimator,
        "statistics": state.statistics,
        "column_sets": state.column_sets,
        "category_sets": state.category_sets,
        "transformers": state.transformers,
    }


def _dump(payload: dict[str, Any], directory: Path) -> tuple[str, list[str]]:
    """Save with skops when it round-trips, else joblib; return (file name, trusted types)."""
    try:
        import skops.io as sio

        path = directory / "model.skops"
        sio.dump(payload, path)
        trusted = sio.get_untrusted_types(file=path)
        sio.load(path, trusted=trusted)
        return path.name, trusted
    except Exception:
        (directory / "model.skops").unlink(missing_ok=True)
        path = directory / "model.joblib"
        joblib.dump(payload, path)
        return path.name, []


def _load_payload(path: Path, trusted: list[str]) -> dict[str, Any]:
    if path.suffix == ".joblib":
        return dict(joblib.load(path))
    import skops.io as sio

    untrusted = set(sio.get_untrusted_types(file=path)) - set(trusted)
    if untrusted:
        raise ArtifactError(f"{path} holds types not recorded at training: {sorted(untrusted)}")
    return dict(sio.load(path, trusted=trusted))


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def save_artifact(run: TrainingRun, root: Path, *, task: str, target: str) -> Path:
    """Write a new model version under `root/models/` and point `root/LATEST` at it.

    Also writes `root/metrics.json` and `root/sample_request.json`. Returns the version dir.
    """
    models = root / "models"
    models.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=models))
    model_file, trusted = _dump(_payload(run.model), staging)
    digest = sha256(staging / model_file)
    version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{digest[:8]}"
    inputs = run.inputs[run.model.input_columns]
    manifest = {
        "version": version,
        "created_at": datetime.now(UTC).isoformat(),
        "task": task,
        "target": target,
        "model_file": model_file,
        "sha256": digest,
        "trusted_types": trusted,
        "features": _function_reference(run.model.features),
        "input_columns": list(run.model.input_columns),
        "training_rows": len(inputs),
        "sklearn_version": sklearn.__version__,
        "metrics": {name: float(value) for name, value in run.metrics.items()},
    }
    _write_json(staging / "manifest.json", manifest)
    _write_json(staging / "schema.json", infer_schema(inputs).to_dict())
    _write_json(staging / "expectations.json", learn_expectations(inputs).to_dict())
    _write_json(staging / "reference.json", reference_statistics(inputs))
    directory = models / version
    staging.rename(directory)
    (root / LATEST).write_text(version + "\n", encoding="utf-8")
    _write_json(root / "metrics.json", manifest["metrics"])
    _write_json(root / "sample_request.json", {"instances": records(inputs.head(SAMPLE_ROWS))})
    return directory


def latest_version(root: Path) -> str:
    """The version `root/LATEST` points at."""
    pointer = root / LATEST
    if not pointer.is_file():
        raise ArtifactError(f"no trained model in {root}: run `train` first")
    return pointer.read_text(encoding="utf-8").strip()


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise ArtifactError(f"artifact file missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def load_schema(root: Path) -> InputSchema | None:
    """The input schema of the latest version, or None if nothing is trained yet."""
    try:
        return InputSchema.from_dict(
            _read_json(root / "models" / latest_version(root) / "schema.json")
        )
    except ArtifactError:
        return None


def load_artifact(root: Path, version: str | None = None) -> Artifact:
    """Load a model version (default: latest), refusing a file whose SHA-256 has changed."""
    version = version or latest_version(root)
    directory = root / "models" / version
    manifest = _read_json(directory / "manifest.json")
    model_path = directory / manifest["model_file"]
    if not model_path.is_file():
        raise ArtifactError(f"artifact file missing: {model_path}")
    actual = sha256(model_path)
    if actual != manifest["sha256"]:
        raise ArtifactError(
            f"{model_path} has SHA-256 {actual}, but {manifest['sha256']} was recorded at "
            "training: the file was modified or corrupted; retrain or restore it"
        )
    payload = _load_payload(model_path, manifest["trusted_types"])
    state = FeatureState()
    state.statistics = payload["statistics"]
    state.column_sets = payload["column_sets"]
    state.category_sets = payload.get("category_sets", {})
    state.transformers = payload["transformers"]
    model = Model(
        estimator=payload["estimator"],
        features=_import_function(manifest["features"]),
        state=state.freeze(),
        input_columns=list(manifest["input_columns"]),
    )
    return Artifact(
        model=model,
        version=version,
        directory=directory,
        manifest=manifest,
        schema=InputSchema.from_dict(_read_json(directory / "schema.json")),
        expectations=Expectations.from_dict(_read_json(directory / "expectations.json")),
        reference=_read_json(directory / "reference.json"),
    )
