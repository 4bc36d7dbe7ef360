"""A paid order's partial refunds lower what its customer spent (RFM monetary), and only that."""

from __future__ import annotations

import re

from online_models import Brain, BrainConfig
from online_models.events import Event

LINES = [
    {"product_id": "tea", "name": "Tea", "quantity": 2, "unit_price": "10.00"},
    {"product_id": "cup", "name": "Cup", "quantity": 1, "unit_price": "30.00"},
]  # 50.00 in all


def order(key: str, *refunds: object, status: str = "completed", version: str = "") -> Event:
    payload = {"id": key, "status": status, "customer_id": "bob", "line_items": LINES,
               "refunds": [{"id": str(i), "amount": a} for i, a in enumerate(refunds)],
               "created_at": "2026-03-02T10:00:00Z"}
    return Event(0, "order.upserted", key, version or f"{status}{refunds}", "2026-03-02T10:00:00Z",
                 payload)


def spent(brain: Brain, customer: str = "bob") -> float:
    segment = brain.segment_of(customer)
    assert segment is not None
    found = re.search(r"([-\d.]+) spent", segment["reason"])
    assert found is not None
    return float(found.group(1))


def orders(brain: Brain) -> str:
    segment = brain.segment_of("bob")
    assert segment is not None
    return re.search(r"(\d+) orders", segment["reason"]).group(1)


def push_out(brain: Brain) -> None:
    """ann's order, which pushes bob's out of a brain that remembers one order in full."""
    brain.learn(Event(0, "order.upserted", "8", "v", "2026-03-03T10:00:00Z",
                      {"id": "8", "status": "completed", "customer_id": "ann",
                       "line_items": LINES}))


def test_a_partial_refund_lowers_spend_and_nothing_else():
    brain = Brain(seed=3)
    brain.learn(order("7"))
    assert spent(brain) == 50.0
    forecast, recs = brain.forecast("tea", 3), brain.recommend_for_product("tea")
    brain.learn(order("7", "12.50"))
    assert spent(brain) == 37.5
    assert orders(brain) == "1"
    assert brain.forecast("tea", 3) == forecast
    assert brain.recommend_for_product("tea") == recs


def test_the_same_refunds_seen_again_change_nothing_and_a_second_refund_adds():
    brain = Brain(seed=3)
    brain.learn(order("7", "12.50"))
    assert spent(brain) == 37.5  # first seen already partly refunded: taught net
    snapshot = brain.snapshot()
    brain.learn(order("7", "12.50", version="modified again"))
    assert brain.snapshot() == snapshot
    brain.learn(order("7", "12.50", "7.50"))
    assert spent(brain) == 30.0


def test_a_refund_larger_than_the_lines_stops_at_zero_and_a_deleted_refund_gives_back():
    brain = Brain(seed=3)
    brain.learn(order("7"))
    brain.learn(order("7", "80.00"))  # shipping refunded too: the lines' 50 is all there was
    assert spent(brain) == 0.0
    brain.learn(order("7", "10.00"))  # the shop deleted the big refund
    assert spent(brain) == 40.0


def test_a_full_refund_after_a_partial_one_takes_back_only_what_is_left():
    brain = Brain(seed=3)
    brain.learn(order("7"))
    brain.learn(order("7", "20.00"))
    brain.learn(order("7", "20.00", "30.00", status="refunded"))
    assert brain.segment_of("bob") is None  # his one order taken back in full
    brain.learn(order("8"))
    assert (spent(brain), orders(brain)) == (50.0, "1")


def test_a_forgotten_order_refunded_in_full_takes_back_its_whole_spend():
    brain = Brain(BrainConfig(order_memory=1), seed=3)
    brain.learn(order("7"))
    push_out(brain)
    brain.learn(order("7", "50.00", status="refunded"))
    assert brain.segment_of("bob") is None


def test_unreadable_refund_amounts_count_as_nothing():
    brain = Brain(seed=3)
    brain.learn(order("7"))
    snapshot = brain.snapshot()
    brain.learn(order("7", "NaN", "-5", "inf", None, "ten"))
    assert spent(brain) == 50.0
    brain.learn(order("7", "NaN", "-5", "inf", None, "ten", "5"))
    assert spent(brain) == 45.0
    assert snapshot != brain.snapshot()


def test_refunds_survive_a_snapshot():
    brain = Brain(seed=3)
    brain.learn(order("7", "20.00"))
    restored = Brain.restore(brain.snapshot())
    restored.learn(order("7", "20.00", "30.00", status="refunded"))
    assert restored.segment_of("bob") is None


def test_a_forgotten_order_refunded_in_part_then_in_full_ends_at_nothing_spent():
    """The partial refund was learned while the order was remembered: the full refund that
    comes after the order left the memory takes back only the rest (it took the whole total
    again, and bob's spend went to -20)."""
    brain = Brain(BrainConfig(order_memory=1), seed=3)
    brain.learn(order("7"))
    brain.learn(order("6", "0"))  # another order of bob's, kept through it all
    brain.learn(order("7", "20.00"))
    assert spent(brain) == 80.0
    push_out(brain)
    brain.learn(order("7", "20.00", "30.00", status="refunded"))
    assert (spent(brain), orders(brain)) == (50.0, "1")


def test_a_refund_of_a_forgotten_order_is_learned_once():
    brain = Brain(BrainConfig(order_memory=1), seed=3)
    brain.learn(order("7"))
    push_out(brain)
    brain.learn(order("7", "12.50"))
    assert spent(brain) == 37.5
    snapshot = brain.snapshot()
    brain.learn(order("7", "12.50", version="seen again"))
    assert brain.snapshot() == snapshot
