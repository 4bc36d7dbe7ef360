"""The daily cloud round as a scheduler job, and the fallback list handed to the live brain.

``install(agent)`` is called once from ``Agent.start`` after the scheduler is built: it gives the
agent the last mapped list at once and adds the daily job (explicit id, coalesced, one at a time).
The agent serves the list only while the licence has ``cloud_fallback`` (``Agent.set_fallback``):
the saved file outlives a downgrade, the paid list does not.
The round's blocking HTTP and SQLite work runs in a worker thread on its own store connection.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from connector_agent.cloud.sync import CloudSync, saved_fallback
from connector_agent.store import Store

if TYPE_CHECKING:
    from connector_agent.agent import Agent

log = logging.getLogger(__name__)

JOB_ID = "cloud-round"
#: the first round waits a little so start-up (backfill, check-in) goes first
FIRST_DELAY = timedelta(minutes=5)


def _round(agent: Agent) -> dict[str, Any]:
    shared = agent.store
    store = shared if shared.path is None else Store.open(shared.path, clock=agent.clock)
    try:
        return CloudSync(agent.config, store, agent.clock).run(agent.licence)
    finally:
        if store is not shared:
            store.close()


async def run_round(agent: Agent) -> dict[str, Any]:
    """One round, then the newly mapped list goes to the agent (served if licensed)."""
    result = await asyncio.to_thread(_round, agent)
    agent.set_fallback(saved_fallback(agent.config))
    log.info("cloud round: %s", result)
    return result


def install(agent: Agent) -> None:
    """Give the agent the saved list and schedule the daily round on ``agent.scheduler``."""
    agent.set_fallback(saved_fallback(agent.config))
    if agent.scheduler is None or not agent.config.licence.cloud_url:
        return
    agent.scheduler.add_job(
        run_round,
        "interval",
        hours=24,
        args=[agent],
        id=JOB_ID,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(UTC) + FIRST_DELAY,
    )
