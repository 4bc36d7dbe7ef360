"""What the agent knows about itself: ``status --json`` and ``GET /v1/status`` print this."""

from __future__ import annotations

from typing import Any

from connector_agent.eventlog import EventLog
from connector_agent.store import Store


def agent_status(store: Store) -> dict[str, Any]:
    """Counts, event log position, applied position and the last sync of each resource."""
    log = EventLog(store)
    syncs = store.sync_summary()
    return {
        "counts": store.counts(),
        "event_seq": log.last_seq(),
        "applied_seq": store.applied_seq(),
        "last_sync": {name: info["last_success_at"] for name, info in sorted(syncs.items())},
        "errors": {
            name: {"message": info["last_error"], "at": info["last_error_at"]}
            for name, info in sorted(syncs.items())
            if info["last_error"]
        },
        "events_by_kind": log.count_by_kind(),
    }
