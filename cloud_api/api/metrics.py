"""``GET /metrics``: request counts and latency per route, Prometheus text format.

Each app has its own registry (tests build many apps in one process); each worker process
reports its own numbers, which Prometheus sums across targets. Labels are route templates
(``/api/v1/licences/<int:licence_id>``), never raw paths, so their number stays bounded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from quart import Blueprint, Response, current_app, g, request
from quart.blueprints import BlueprintSetupState

bp = Blueprint("metrics", __name__)
KEY = "luxebrain.cloud.metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


@dataclass(frozen=True)
class Metrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    registry = CollectorRegistry()
    state.app.extensions[KEY] = Metrics(
        registry,
        Counter(
            "luxebrain_cloud_requests",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=registry,
        ),
        Histogram(
            "luxebrain_cloud_request_seconds",
            "HTTP request latency by route.",
            ["method", "route"],
            buckets=BUCKETS,
            registry=registry,
        ),
    )


@bp.before_app_request
async def _start() -> None:
    g.metrics_started = time.perf_counter()


@bp.after_app_request
async def _count(response: Response) -> Response:
    metrics: Metrics = current_app.extensions[KEY]
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    metrics.requests.labels(request.method, route, str(response.status_code)).inc()
    started = getattr(g, "metrics_started", None)
    if started is not None:
        metrics.latency.labels(request.method, route).observe(time.perf_counter() - started)
    return response


@bp.get("/metrics")
async def metrics() -> Response:
    registry = current_app.extensions[KEY].registry
    return Response(generate_latest(registry), content_type=CONTENT_TYPE)
