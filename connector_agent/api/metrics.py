"""Prometheus metrics: request counts and latency per route, plus the agent's state at scrape time.

Each app has its own registry (several apps live in one test process). Request metrics are
labelled by the route *template* (``/v1/recommendations/product/<product_id>``), never by the
raw path, so their number stays bounded; unmatched paths share one label.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from quart import Quart, Response, g, request

if TYPE_CHECKING:
    from connector_agent.agent import Agent

LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
METRICS = "luxebrain.metrics"


def _numbers(prefix: str, value: Any) -> Iterator[tuple[str, float]]:
    """Flatten ``brain.stats()`` into ``(dotted.key, number)`` pairs."""
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield prefix, float(value)
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _numbers(f"{prefix}.{key}" if prefix else str(key), inner)


class AgentCollector:
    """Gauges read from the agent when Prometheus scrapes (nothing is kept up to date)."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent

    def collect(self) -> Iterator[Metric]:
        agent = self.agent
        applied = GaugeMetricFamily(
            "luxebrain_events_applied", "Last event log seq the models have learned."
        )
        applied.add_metric([], agent.applied_seq())
        yield applied
        backlog = GaugeMetricFamily(
            "luxebrain_events_pending", "Events appended but not yet learned by the models."
        )
        backlog.add_metric([], max(0, agent.log.last_seq() - agent.applied_seq()))
        yield backlog
        failed = CounterMetricFamily(
            "luxebrain_events_failed",
            "Events the models could not learn (logged and skipped) since the agent started.",
        )
        failed.add_metric([], agent.applier.failed_events)
        yield failed
        age = agent.last_sync_age_seconds()
        lag = GaugeMetricFamily(
            "luxebrain_sync_lag_seconds", "Seconds since the last successful WooCommerce sync."
        )
        if age is not None:
            lag.add_metric([], age)
        yield lag
        failing = GaugeMetricFamily(
            "luxebrain_snapshot_failing",
            "1 while the models' snapshot cannot be saved (a full disk): they go on in memory.",
        )
        failing.add_metric([], 0 if agent.applier.snapshot_error is None else 1)
        yield failing
        sizes = GaugeMetricFamily(
            "luxebrain_model_size", "Sizes reported by the models (brain.stats()).", labels=["stat"]
        )
        for key, number in _numbers("", agent.brain.stats()):
            sizes.add_metric([key], number)
        yield sizes


class ApiMetrics:
    """The app's registry; :meth:`install` adds the timing hooks and nothing else."""

    def __init__(self, agent: Agent) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "luxebrain_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "luxebrain_http_request_duration_seconds",
            "Time from routing to response, by route template.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(AgentCollector(agent))

    def install(self, app: Quart) -> None:
        app.before_request(self._start)
        app.after_request(self._finish)

    async def _start(self) -> None:
        g.started = time.perf_counter()

    async def _finish(self, response: Response) -> Response:
        started = g.get("started")
        rule = request.url_rule
        route = rule.rule if rule is not None else "unmatched"
        self.requests.labels(route, request.method, str(response.status_code)).inc()
        if started is not None:
            self.latency.labels(route).observe(time.perf_counter() - started)
        return response

    def render(self) -> Response:
        return Response(generate_latest(self.registry), content_type=CONTENT_TYPE)
