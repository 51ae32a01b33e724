"""Runtime settings of the service and CLI, read from environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Runtime:
    """Where artifacts and the prediction log live, and the service's limits.

    Environment variables: `ARTIFACTS_DIR` (default `artifacts`), `PREDICTION_LOG_URL` (any
    SQLAlchemy URL; default a SQLite file at `PREDICTION_LOG_PATH`, itself defaulting to
    `var/predictions.db`), `MAX_BODY_BYTES`, `MAX_INSTANCES`, `DRIFT_WINDOW`.
    """

    artifacts_dir: Path = Path("artifacts")
    prediction_log_url: str = "sqlite:///var/predictions.db"
    max_body_bytes: int = 1_000_000
    max_instances: int = 1_000
    drift_window: int = 500

    @classmethod
    def from_env(cls) -> Runtime:
        """Read the environment, falling back to the defaults above."""
        log_path = Path(os.environ.get("PREDICTION_LOG_PATH", "var/predictions.db"))
        return cls(
            artifacts_dir=Path(os.environ.get("ARTIFACTS_DIR", "artifacts")),
            prediction_log_url=os.environ.get("PREDICTION_LOG_URL", f"sqlite:///{log_path}"),
            max_body_bytes=int(os.environ.get("MAX_BODY_BYTES", "1000000")),
            max_instances=int(os.environ.get("MAX_INSTANCES", "1000")),
            drift_window=int(os.environ.get("DRIFT_WINDOW", "500")),
        )
