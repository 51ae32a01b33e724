"""The prediction log: every scored row, joined later with its true outcome (feedback)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine

metadata = MetaData()
predictions = Table(
    "predictions",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("row", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("prediction", JSON, nullable=False),
    Column("outcome", JSON, nullable=True),
    Column("feedback_at", DateTime(timezone=True), nullable=True),
)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class PredictionLog:
    """Writes and reads the log through SQLAlchemy; SQLite (WAL mode) by default."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)
        self._write_lock = threading.Lock()  # SQLite allows one writer at a time

    def record(
        self, request_id: str, model_version: str, rows: list[dict[str, Any]], values: list[Any]
    ) -> None:
        """Log one request's rows and predictions."""
        now = datetime.now(UTC)
        entries = [
            {
                "request_id": request_id,
                "row": index,
                "created_at": now,
                "model_version": model_version,
                "inputs": row,
                "prediction": value,
            }
            for index, (row, value) in enumerate(zip(rows, values, strict=True))
        ]
        with self._write_lock, self.engine.begin() as connection:
            connection.execute(insert(predictions), entries)

    def add_feedback(self, request_id: str, row: int, outcome: Any) -> Any | None:
        """Attach the true outcome to a logged row; return its prediction, or None if unknown."""
        key = (predictions.c.request_id == request_id) & (predictions.c.row == row)
        with self._write_lock, self.engine.begin() as connection:
            prediction = connection.execute(select(predictions.c.prediction).where(key)).first()
            if prediction is None:
                return None
            connection.execute(
                update(predictions)
                .where(key)
                .values(outcome=outcome, feedback_at=datetime.now(UTC))
            )
        return prediction[0]

    def recent(self, limit: int, *, with_feedback: bool = False) -> pd.DataFrame:
        """The latest `limit` rows: columns request_id, row, inputs, prediction, outcome."""
        query = select(predictions).order_by(predictions.c.created_at.desc()).limit(limit)
        if with_feedback:
            query = query.where(predictions.c.feedback_at.is_not(None))
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return pd.DataFrame([dict(row) for row in rows])

    def feedback_rows(self, target: str) -> pd.DataFrame:
        """Every logged input row that received feedback, with the outcome as column `target`."""
        logged = self.recent(limit=10**9, with_feedback=True)
        if logged.empty:
            return pd.DataFrame()
        frame = pd.DataFrame(list(logged["inputs"]))
        frame[target] = list(logged["outcome"])
        return frame

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()
