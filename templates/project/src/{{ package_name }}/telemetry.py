"""Prometheus metrics of one service instance, in a registry of its own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

VALUE_BUCKETS = (-1e3, -100, -10, -1, 0, 1, 10, 50, 100, 150, 200, 300, 500, 1e3, 1e4)


class Telemetry:
    """Every metric the service exports; one per app, so tests can build several apps."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests by endpoint and status",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["endpoint"],
            registry=self.registry,
        )
        self.predicted_classes: Counter | None = None  # created on first use, per task
        self.predicted_values: Histogram | None = None
        self.validation_failures = Counter(
            "model_validation_failures_total",
            "Requests rejected by input validation",
            registry=self.registry,
        )
        self.prediction_errors = Counter(
            "model_prediction_errors_total",
            "Requests whose prediction raised an error",
            registry=self.registry,
        )
        self.feature_psi = Gauge(
            "model_feature_psi",
            "Population stability index per feature over the rolling window",
            ["feature"],
            registry=self.registry,
        )
        self.feedback = Counter(
            "model_feedback_total", "Feedback outcomes received", registry=self.registry
        )
        self.live_quality = Gauge(
            "model_live_quality",
            "Live quality from feedback (accuracy or mae/rmse)",
            ["metric"],
            registry=self.registry,
        )
        self.model_info = Gauge(
            "model_info", "The loaded model version", ["version"], registry=self.registry
        )

    def observe_predictions(self, task: str, values: list[object]) -> None:
        """Count classes (classification) or record values (regression)."""
        if task == "classification":
            if self.predicted_classes is None:
                self.predicted_classes = Counter(
                    "model_predictions_total",
                    "Predictions by predicted class",
                    ["predicted_class"],
                    registry=self.registry,
                )
            for value in values:
                self.predicted_classes.labels(predicted_class=str(value)).inc()
            return
        if self.predicted_values is None:
            self.predicted_values = Histogram(
                "model_prediction_value",
                "Distribution of predicted values",
                buckets=VALUE_BUCKETS,
                registry=self.registry,
            )
        for value in values:
            self.predicted_values.observe(float(value))  # type: ignore[arg-type]
