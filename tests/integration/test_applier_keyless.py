"""Applier: a snapshot that cannot be verified (no key configured) is never trusted."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector_agent.applier import Applier
from connector_agent.config import AgentConfig
from connector_agent.eventlog import EventLog
from connector_agent.orders_csv import read_events
from connector_agent.store import Store

SLICE = Path(__file__).resolve().parents[2] / "connector_agent/demo/data"


@pytest.fixture
def loaded(agent_config: AgentConfig) -> Store:
    store = Store.open(agent_config.database_path)
    events = []
    for event in read_events(next(SLICE.glob("*.csv.gz"))):
        events.append(event)
        if sum(e.kind == "order.upserted" for e in events) >= 100:
            break
    EventLog(store).append(events)
    yield store
    store.close()


def test_snapshot_without_key_is_not_trusted(agent_config: AgentConfig, loaded: Store) -> None:
    applier = Applier(loaded, agent_config)
    applier.load()
    applier.apply_pending(max_events=50)
    applier.snapshot_now()
    keyless = Applier(loaded, agent_config)
    keyless._key = b""
    keyless.load()
    assert keyless.applied_seq == 0
    assert "no snapshot_key" in (keyless.rebuilt_reason or "")
