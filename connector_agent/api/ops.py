"""Operations: ``/healthz`` (process up, open), ``/readyz``, ``/v1/status`` and ``/metrics``."""

from __future__ import annotations

import asyncio
from typing import Any

from quart import Blueprint, Response, current_app

from connector_agent.api.context import current_agent
from connector_agent.api.metrics import METRICS
from connector_agent.errors import NotReady
from connector_agent.status import agent_status

blueprint = Blueprint("ops", __name__)


@blueprint.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@blueprint.get("/readyz")
async def readyz() -> dict[str, Any]:
    """Ready when the store answers and the models are loaded; reports the last sync's age."""
    agent = current_agent()
    problems = []
    if not agent.store_reachable():
        problems.append("the store cannot be read")
    if not agent.models_ready:
        problems.append("the models are still loading")
    if problems:
        raise NotReady("; ".join(problems))
    return {"ready": True, "last_sync_age_seconds": agent.last_sync_age_seconds()}


@blueprint.get("/v1/status")
async def status() -> dict[str, Any]:
    """``status --json``, with ``applied_seq`` live from the models (``snapshot_seq``: on disk).

    Its counts scan the log, so they run in a worker thread, off the widgets' event loop."""
    agent = current_agent()

    def counts() -> dict[str, Any]:
        with agent.reading_store() as store:
            return agent_status(store)

    return {
        **await asyncio.to_thread(counts),
        "applied_seq": agent.applied_seq(),
        "snapshot_seq": agent.store.applied_seq(),
        "models_ready": agent.models_ready,
        "snapshot_error": agent.applier.snapshot_error,
        "failed_events": agent.applier.failed_events,
        "currencies": agent.brain.currencies(),
        "licence": agent.licence_summary(),
        "last_sync_age_seconds": agent.last_sync_age_seconds(),
    }


@blueprint.get("/metrics")
async def metrics() -> Response:
    return current_app.extensions[METRICS].render()
