"""The applier: exactly-once application, snapshot + seq atomicity, refused snapshots rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector_agent.applier import Applier, snapshot_mac
from connector_agent.config import AgentConfig, load_config
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
        if sum(e.kind == "order.upserted" for e in events) >= 300:
            break
    EventLog(store).append(events)
    yield store
    store.close()


def answers(applier: Applier) -> list:  # type: ignore[type-arg]
    brain = applier.brain
    top = [r.product_id for r in brain.popular(limit=5)]
    return [top, [r.product_id for r in brain.recommend_for_product(top[0], limit=5)]]


def test_apply_is_exactly_once_and_resumes_from_the_snapshot(
    agent_config: AgentConfig, loaded: Store
) -> None:
    whole = Applier(loaded, agent_config)
    whole.load()
    total = whole.apply_pending()
    assert total == EventLog(loaded).last_seq() > 0
    assert whole.apply_pending() == 0

    # the same events in two halves with a snapshot and a reload in between
    loaded.db.conn.execute("DELETE FROM model_snapshots")
    first = Applier(loaded, agent_config)
    first.load()
    assert first.apply_pending(max_events=total // 2) == total // 2
    first.snapshot_now()
    assert loaded.applied_seq() == first.applied_seq
    second = Applier(loaded, agent_config)
    second.load()
    assert second.applied_seq == total // 2
    assert second.apply_pending() == total - total // 2
    assert answers(second) == answers(whole)
    assert second.brain.snapshot() == whole.brain.snapshot()


@pytest.mark.parametrize("damage", ["flip", "truncate", "mac"])
def test_tampered_snapshot_is_refused_and_models_rebuilt(
    agent_config: AgentConfig, loaded: Store, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    applier = Applier(loaded, agent_config)
    applier.load()
    applier.apply_pending()
    applier.snapshot_now()
    expected = answers(applier)
    seq, data, mac = loaded.latest_snapshot()  # type: ignore[misc]
    if damage == "flip":
        data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
    elif damage == "truncate":
        data = data[: len(data) // 2]
    else:
        mac = snapshot_mac(b"another key", seq, data)
    loaded.db.conn.execute("UPDATE model_snapshots SET data = ?, mac = ?", [data, mac])
    loaded.db.conn.commit()

    reloaded = Applier(loaded, agent_config)
    reloaded.load()
    assert reloaded.applied_seq == 0
    assert reloaded.rebuilt_reason is not None
    assert "snapshot refused" in caplog.text
    reloaded.apply_pending()
    assert answers(reloaded) == expected


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


def test_snapshots_follow_the_event_count(config_path: Path, loaded: Store) -> None:
    config = load_config(config_path, environ={"LUXEBRAIN_MODELS__SNAPSHOT_EVERY_EVENTS": "100"})
    applier = Applier(loaded, config)
    applier.load()
    applier.apply_pending()
    total = applier.applied_seq
    assert total > 300
    # the newest two are kept; each holds a multiple of 100 events
    kept = [row[0] for row in loaded.db.conn.execute(
        "SELECT applied_seq FROM model_snapshots ORDER BY id")]
    assert kept == [(total // 100 - 1) * 100, (total // 100) * 100]
