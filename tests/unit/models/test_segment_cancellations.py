"""A cancelled order leaves the segments as if it had never been: a customer whose every order
is taken back is no customer, and cancelling the latest order gives back the recency of the
one before."""

from __future__ import annotations

from online_models import Brain
from online_models.events import Event
from online_models.segment import Segmenter

DAY = 86_400.0


def order(key: str, customer: str, made: str, status: str = "completed", at: str = "") -> Event:
    payload = {"id": key, "status": status, "customer_id": customer, "created_at": made,
               "line_items": [{"product_id": "tea", "name": "Tea", "quantity": 1,
                               "unit_price": "10.00"}]}
    return Event(0, "order.upserted", key, f"{key}{status}", at or made, payload)


def test_a_customer_whose_only_order_is_cancelled_is_counted_nowhere():
    seen_all, final_only = Brain(seed=1), Brain(seed=1)
    for brain in (seen_all, final_only):
        brain.learn(order("2", "bob", "2026-01-06T10:00:00Z"))
    seen_all.learn(order("1", "ann", "2026-01-05T10:00:00Z"))
    cancelled = order("1", "ann", "2026-01-05T10:00:00Z", "cancelled", "2026-01-07T10:00:00Z")
    for brain in (seen_all, final_only):
        brain.learn(cancelled)
    assert seen_all.segment_of("ann") is None
    assert seen_all.segment_sizes() == final_only.segment_sizes()
    assert sum(seen_all.segment_sizes().values()) == 1


def test_cancelling_the_latest_order_gives_back_the_recency_of_the_one_before():
    brain = Brain(seed=1)
    brain.learn(order("1", "bob", "2026-01-01T10:00:00Z"))
    brain.learn(order("2", "bob", "2026-03-01T10:00:00Z"))
    brain.learn(order("2", "bob", "2026-03-01T10:00:00Z", "cancelled", "2026-03-02T10:00:00Z"))
    brain.learn(order("3", "cy", "2026-03-10T10:00:00Z"))
    assert brain.segment_of("bob")["reason"] == "last order 68 days ago, 1 orders, 10.00 spent"


def test_only_one_earlier_time_is_kept_so_a_second_cancellation_keeps_what_is_known():
    segments = Segmenter()
    for day in (1, 5, 9):
        segments.learn("ann", ts=day * DAY, amount=10.0, orders=1)
    segments.learn("ann", ts=9 * DAY, amount=-10.0, orders=-1)  # the latest: back to day 5
    assert segments._customers["ann"][0] == 5 * DAY
    segments.learn("ann", ts=5 * DAY, amount=-10.0, orders=-1)  # day 1 was not kept
    assert segments._customers["ann"][:3] == [5 * DAY, 1.0, 10.0]
    segments.learn("ann", ts=1 * DAY, amount=-10.0, orders=-1)
    assert not segments.knows("ann") and segments.segment_sizes()["new"] == 0


def test_a_return_recorded_before_the_customers_first_order_still_counts_against_spend():
    """An imported history can list a return before the order it returns (EVALUATION.md: M is
    net spend, cancellations subtracting): it was dropped, as the customer was not known yet."""
    segments = Segmenter()
    segments.learn("ann", ts=1 * DAY, amount=-40.0, orders=0)
    assert not segments.knows("ann")
    segments.learn("ann", ts=2 * DAY, amount=100.0, orders=1)
    assert segments._customers["ann"][2] == 60.0
    segments.learn("bob", ts=1 * DAY, amount=-5.0, orders=0)
    segments.forget_customer("bob")  # erased: nothing of them is kept
    segments.learn("bob", ts=3 * DAY, amount=10.0, orders=1)
    assert segments._customers["bob"][2] == 10.0
