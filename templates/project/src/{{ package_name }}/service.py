"""The HTTP prediction service (FastAPI): health, readiness, predict, feedback, metrics.

No `from __future__ import annotations` here: FastAPI must see the request model built at
runtime from the stored input schema.
"""

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from . import logs
from .artifacts import Artifact, ArtifactError, load_artifact, load_schema, records
from .drift import drift_report
from .monitoring import live_quality
from .predict import predict_batch
from .prediction_log import PredictionLog
from .runtime import Runtime
from .schema import instance_model, request_model, rows_frame
from .telemetry import Telemetry

logger = logging.getLogger(__name__)


class Feedback(BaseModel):
    """The true outcome of row `row` of an earlier /predict request."""

    model_config = ConfigDict(extra="forbid")
    request_id: str
    row: int = 0
    outcome: bool | int | float | str


@dataclass
class ServiceState:
    """What the app holds between requests."""

    artifact: Artifact | None = None
    log: PredictionLog | None = None
    window: deque[dict[str, Any]] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)


class BodyLimit:
    """ASGI middleware answering 413 to bodies larger than `max_bytes`."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            length = dict(scope["headers"]).get(b"content-length")
            if length is not None and int(length) > self.max_bytes:
                response = JSONResponse({"detail": "request body too large"}, status_code=413)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(runtime: Runtime | None = None) -> FastAPI:
    """Build the service; the model is loaded at startup (lifespan), /ready says when."""
    runtime = runtime or Runtime.from_env()
    schema = load_schema(runtime.artifacts_dir)
    PredictRequest = request_model(schema, runtime.max_instances)
    telemetry = Telemetry()
    state = ServiceState(window=deque(maxlen=runtime.drift_window))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        logs.configure_logging()
        state.log = PredictionLog(runtime.prediction_log_url)
        try:
            state.artifact = load_artifact(runtime.artifacts_dir)
            telemetry.model_info.labels(version=state.artifact.version).set(1)
            logs.model_version.set(state.artifact.version)
            logger.info("model loaded", extra={"fields": {"version": state.artifact.version}})
        except ArtifactError:
            logger.exception("model not loaded; /ready answers 503")
        yield
        state.log.close()

    app = FastAPI(title=f"{__package__} prediction service", lifespan=lifespan)
    app.state.service = state
    app.state.telemetry = telemetry
    app.add_middleware(BodyLimit, max_bytes=runtime.max_body_bytes)

    @app.middleware("http")
    async def observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = rid
        logs.request_id.set(rid)
        logs.model_version.set(state.artifact.version if state.artifact else None)
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        endpoint = getattr(route, "path", "unmatched")
        telemetry.latency.labels(endpoint=endpoint).observe(time.perf_counter() - start)
        telemetry.requests.labels(endpoint, request.method, str(response.status_code)).inc()
        response.headers["x-request-id"] = rid
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        telemetry.validation_failures.inc()
        rid = getattr(request.state, "request_id", None)
        logger.info("invalid request", extra={"fields": {"errors": jsonable_encoder(exc.errors())}})
        body = {"detail": jsonable_encoder(exc.errors()), "request_id": rid}
        return JSONResponse(body, status_code=422)

    def loaded() -> Artifact:
        if state.artifact is None:
            raise HTTPException(status_code=503, detail="model not loaded")
        return state.artifact

    @app.get("/health")
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/ready")
    def ready() -> JSONResponse:
        """Readiness: 200 once the model is loaded, 503 before."""
        if state.artifact is None:
            return JSONResponse({"status": "loading"}, status_code=503)
        return JSONResponse({"status": "ready", "model_version": state.artifact.version})

    @app.post("/predict")
    def predict(body: PredictRequest, request: Request) -> Any:  # type: ignore[valid-type]
        """Score `instances`; answer `predictions` in the same order."""
        artifact = loaded()
        rid = request.state.request_id
        instances = body.instances  # type: ignore[attr-defined]
        if schema is None:  # the model appeared after startup: validate against its schema
            try:
                instances = TypeAdapter(list[instance_model(artifact.schema)]).validate_python(
                    instances
                )
            except ValidationError as exc:
                raise RequestValidationError(exc.errors()) from exc
        try:
            frame = rows_frame(instances, artifact.schema)
            values = predict_batch(artifact.model, frame).tolist()
            rows = records(frame)
            assert state.log is not None
            state.log.record(rid, artifact.version, rows, values)
        except Exception:
            telemetry.prediction_errors.inc()
            logger.exception("prediction failed")
            return JSONResponse({"detail": "prediction failed", "request_id": rid}, status_code=500)
        telemetry.observe_predictions(artifact.manifest["task"], values)
        update_drift(artifact, rows)
        logger.info("predicted", extra={"fields": {"rows": len(values)}})
        return {"predictions": values, "model_version": artifact.version, "request_id": rid}

    def update_drift(artifact: Artifact, rows: list[dict[str, Any]]) -> None:
        with state.lock:
            state.window.extend(rows)
            window = pd.DataFrame(list(state.window))
        for feature, value in drift_report(artifact.reference, window).items():
            telemetry.feature_psi.labels(feature=feature).set(value)

    @app.post("/feedback")
    def feedback(body: Feedback) -> dict[str, Any]:
        """Record the true outcome of an earlier prediction."""
        artifact = loaded()
        assert state.log is not None
        prediction = state.log.add_feedback(body.request_id, body.row, body.outcome)
        if prediction is None:
            raise HTTPException(404, f"no prediction {body.request_id!r} row {body.row}")
        telemetry.feedback.inc()
        recent = state.log.recent(runtime.drift_window, with_feedback=True)
        for name, value in live_quality(artifact.manifest["task"], recent).items():
            telemetry.live_quality.labels(metric=name).set(value)
        return {"request_id": body.request_id, "row": body.row, "prediction": prediction}

    @app.get("/metrics")
    def metrics() -> Response:
        """Prometheus text exposition."""
        return Response(generate_latest(telemetry.registry), media_type=CONTENT_TYPE_LATEST)

    return app
