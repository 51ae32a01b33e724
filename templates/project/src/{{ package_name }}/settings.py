"""Settings lifted from the notebook, read from config/params.yaml."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

PARAMS = Path("config") / "params.yaml"


@dataclass(frozen=True)
class Settings:
    """Every tunable value of the pipeline."""

    test_size: float = 0.25
    random_state: int = 42
    regularization: float = 1.0


def _default_path() -> Path:
    here = Path.cwd() / PARAMS
    return here if here.is_file() else Path(__file__).resolve().parents[2] / PARAMS


def load_settings(path: Path | None = None) -> Settings:
    """Read `path` (default: config/params.yaml from the current directory or project root)."""
    path = path or _default_path()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known = {field.name for field in fields(Settings)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"{path}: unknown settings {unknown}; known: {sorted(known)}")
    return Settings(**raw)
