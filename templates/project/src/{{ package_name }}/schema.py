"""The input schema learnt from the training rows, and the API request model derived from it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, create_model


@dataclass(frozen=True)
class Column:
    """One raw input column: its name, pandas dtype, kind, nullability and category set."""

    name: str
    dtype: str
    kind: str  # "integer", "number", "boolean", "category" or "string"
    nullable: bool
    categories: list[Any] | None = None


@dataclass(frozen=True)
class InputSchema:
    """The raw input columns a model expects, in order."""

    columns: list[Column]

    @property
    def names(self) -> list[str]:
        """The column names, in order."""
        return [column.name for column in self.columns]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict."""
        return {"columns": [asdict(column) for column in self.columns]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputSchema:
        """Inverse of `to_dict`."""
        return cls([Column(**column) for column in data["columns"]])


MAX_CATEGORIES = 50


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    if isinstance(series.dtype, pd.CategoricalDtype) or series.nunique() <= MAX_CATEGORIES:
        return "category"
    return "string"


def _categories(series: pd.Series) -> list[Any]:
    values = series.dtype.categories if isinstance(series.dtype, pd.CategoricalDtype) else series
    return sorted({value.item() if hasattr(value, "item") else value for value in values.dropna()})


def infer_schema(frame: pd.DataFrame) -> InputSchema:
    """Learn the schema of the raw training rows."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        kind = _kind(series)
        columns.append(
            Column(
                name=str(name),
                dtype=str(series.dtype),
                kind=kind,
                nullable=bool(series.isna().any()),
                categories=_categories(series) if kind == "category" else None,
            )
        )
    return InputSchema(columns)


_PYTHON_TYPES: dict[str, Any] = {"integer": int, "number": float, "boolean": bool, "string": str}


def _annotation(column: Column) -> Any:
    if column.kind == "category" and column.categories:
        annotation: Any = Literal[tuple(column.categories)]
    else:
        annotation = _PYTHON_TYPES.get(column.kind, str)
    return annotation | None if column.nullable else annotation


def instance_model(schema: InputSchema) -> type[BaseModel]:
    """A pydantic model of one input row: real column names (as aliases), types, no extras."""
    fields: dict[str, Any] = {
        f"feature_{index}": (
            _annotation(column),
            Field(alias=column.name, description=f"{column.kind} ({column.dtype})"),
        )
        for index, column in enumerate(schema.columns)
    }
    return create_model(
        "Instance",
        __config__=ConfigDict(extra="forbid", strict=True),
        **fields,
    )


def request_model(schema: InputSchema | None, max_instances: int) -> type[BaseModel]:
    """The /predict body: `{"instances": [row, ...]}`, rows validated against `schema`."""
    row: Any = instance_model(schema) if schema is not None else dict[str, Any]
    return create_model(
        "PredictRequest",
        __config__=ConfigDict(extra="forbid"),
        instances=(list[row], Field(min_length=1, max_length=max_instances)),
    )


def rows_frame(instances: list[Any], schema: InputSchema) -> pd.DataFrame:
    """Turn validated instances into a frame with the training dtypes where possible."""
    records = [
        instance.model_dump(by_alias=True) if isinstance(instance, BaseModel) else instance
        for instance in instances
    ]
    frame = pd.DataFrame.from_records(records, columns=schema.names)
    for column in schema.columns:
        if column.kind in {"integer", "number", "boolean"} and not frame[column.name].isna().any():
            frame[column.name] = frame[column.name].astype(column.dtype)
        elif column.kind in {"integer", "number"}:
            frame[column.name] = pd.to_numeric(frame[column.name])
    return frame
