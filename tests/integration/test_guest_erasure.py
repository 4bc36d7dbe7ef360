"""Erasing a guest reaches the models: their segment is gone from the agent's brain."""

from __future__ import annotations

from connector_agent.applier import Applier
from connector_agent.config import load_config
from connector_agent.eventlog import EventLog
from connector_agent.guests import key_for_email
from connector_agent.store import Store
from online_models import Brain
from online_models.events import Event, version_of


def guest_order(order_id: str, guest_key: str, at: str) -> Event:
    payload = {"id": order_id, "status": "completed", "customer_id": None, "guest_key": guest_key,
               "created_at": at, "refunds": [],
               "line_items": [{"product_id": "p1", "name": "P1", "quantity": 1,
                               "unit_price": "9.50"}]}
    return Event(0, "order.upserted", order_id, version_of(at, payload), at, payload)


def test_an_erased_guest_leaves_the_segments_and_a_rebuild(tmp_path, config_path, frozen_clock):
    store = Store.open(tmp_path / "agent.sqlite", clock=frozen_clock)
    log = EventLog(store)
    gus, ida = key_for_email("gus@example.com"), key_for_email("ida@example.com")
    log.append([guest_order("1", gus, "2026-11-02T10:00:00Z"),
                guest_order("2", gus, "2026-11-09T10:00:00Z"),
                guest_order("3", ida, "2026-11-10T10:00:00Z")])
    applier = Applier(store, load_config(config_path), clock=frozen_clock)
    applier.load()
    applier.apply_pending()
    assert "2 orders" in applier.brain.segment_of(f"guest:{gus}")["reason"]
    applier.snapshot_now()
    log.erase_guest(gus)
    applier.apply_pending()
    assert applier.brain.segment_of(f"guest:{gus}") is None
    assert applier.brain.segment_of(f"guest:{ida}") is not None
    # rebuilt from the (redacted) log alone, the models never hear of the guest again
    rebuilt = Brain(seed=load_config(config_path).models.seed)
    for event in log.read(0, 1_000):
        rebuilt.learn(event)
    assert rebuilt.segment_of(f"guest:{gus}") is None
    assert rebuilt.segment_sizes() == applier.brain.segment_sizes()
    store.close()
