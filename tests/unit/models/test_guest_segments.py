"""Guests (checkouts without an account) are customers to the segments, and are forgotten."""

from __future__ import annotations

import pytest

from online_models import Brain, BrainConfig, snapshot
from online_models.anomaly import AnomalyDetector
from online_models.events import Event
from online_models.orders import buyer_of, order_of, pack, unpack

GUEST = "3f9a1c0d2b7e4a55"


def order(key: str, at: str, *, status: str = "completed", customer: str | None = None,
          guest: str | None = GUEST, refunds: tuple[str, ...] = ()) -> Event:
    payload = {"id": key, "status": status, "customer_id": customer, "guest_key": guest,
               "line_items": [{"product_id": "tea", "name": "Tea", "quantity": 2,
                               "unit_price": "5.00"}],
               "refunds": [{"id": str(i), "amount": a} for i, a in enumerate(refunds)],
               "created_at": at}
    return Event(0, "order.upserted", key, f"{key}-{status}-{refunds}", at, payload)


def pickled(brain: Brain) -> bytes:
    """The brain's state as pickled, uncompressed (what a key search must look through)."""
    return snapshot.pickled(brain.snapshot())


def erased(customer: str) -> Event:
    return Event(0, "customer.erased", customer, "erased", "2026-03-20T00:00:00Z",
                 {"id": customer})


def test_a_guest_who_orders_again_is_one_returning_customer():
    brain = Brain(seed=2)
    brain.learn(order("1", "2026-03-02T10:00:00Z"))
    brain.learn(order("2", "2026-03-09T10:00:00Z", refunds=("4.00",)))
    segment = brain.segment_of(f"guest:{GUEST}")
    assert segment is not None
    assert "2 orders, 16.00 spent" in segment["reason"]
    assert sum(brain.segment_sizes().values()) == 1
    # a guest has no account to recommend to: only the segments know them
    assert brain.stats()["repeat_customers"] == 0


def test_a_registered_customers_order_is_theirs_whatever_guest_key_it_carries():
    brain = Brain(seed=2)
    brain.learn(order("1", "2026-03-02T10:00:00Z", customer="ann"))
    assert brain.segment_of("ann") is not None
    assert brain.segment_of(f"guest:{GUEST}") is None


def test_an_erased_guest_is_forgotten_and_their_remembered_orders_lose_the_key():
    for memory in (10_000, 1):
        brain = Brain(BrainConfig(order_memory=memory), seed=2)
        brain.learn(order("1", "2026-03-02T10:00:00Z"))
        brain.learn(order("2", "2026-03-09T10:00:00Z", guest="another"))
        assert GUEST.encode() in pickled(brain)
        brain.learn(erased(f"guest:{GUEST}"))
        assert brain.segment_of(f"guest:{GUEST}") is None
        assert GUEST.encode() not in pickled(brain)
        # a refund arriving later does not bring the guest back
        brain.learn(order("1", "2026-03-02T10:00:00Z", status="refunded", guest=None))
        assert brain.segment_of(f"guest:{GUEST}") is None
        assert brain.segment_of("guest:another") is not None


def test_a_guest_order_without_a_key_counts_for_no_one():
    brain = Brain(seed=2)
    brain.learn(order("1", "2026-03-02T10:00:00Z", guest=None))
    brain.learn(order("2", "2026-03-02T11:00:00Z", guest=""))
    assert sum(brain.segment_sizes().values()) == 0
    assert brain.stats()["anomaly_orders_seen"] == 2  # still an order for the shop's models


@pytest.mark.parametrize(
    ("customer", "guest", "buyer"),
    [
        ("ann", None, "ann"),
        ("ann", GUEST, "ann"),
        (None, GUEST, f"guest:{GUEST}"),
        (None, None, None),
    ],
)
def test_the_buyer_of_a_remembered_order_is_read_without_unpacking(customer, guest, buyer):
    made = order_of(order("1", "2026-03-02T10:00:00Z", customer=customer, guest=guest))
    assert made.buyer == buyer
    assert buyer_of(pack(made)) == buyer == unpack(pack(made)).buyer


def test_a_guest_who_orders_again_is_no_new_customer_to_the_anomaly_detector(monkeypatch):
    told: list[tuple[str, bool]] = []
    learn = AnomalyDetector.learn

    def spy(self, order, returning):
        told.append((order.key, returning))
        return learn(self, order, returning)

    monkeypatch.setattr(AnomalyDetector, "learn", spy)
    brain = Brain(seed=2)
    brain.learn(order("1", "2026-03-02T10:00:00Z"))
    brain.learn(order("2", "2026-03-09T10:00:00Z"))
    brain.learn(order("3", "2026-03-10T10:00:00Z", guest="someone-else"))
    brain.learn(order("4", "2026-03-11T10:00:00Z", guest=None))  # no email: unknown, new
    brain.learn(order("5", "2026-03-12T10:00:00Z", customer="ann"))
    brain.learn(order("6", "2026-03-13T10:00:00Z", customer="ann"))
    assert told == [("1", False), ("2", True), ("3", False), ("4", False), ("5", False),
                    ("6", True)]
