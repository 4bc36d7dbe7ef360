"""Orders in a plugin's status (shipped, delivered, …) are sales when WooCommerce has a payment
date for them, so a backfill of such a shop learns its history."""

from __future__ import annotations

from online_models import Brain
from online_models.events import Event


def order(status: str, *, paid_at: str | None, version: str = "") -> Event:
    payload = {"id": "41", "status": status, "customer_id": "ann", "paid_at": paid_at,
               "created_at": "2026-03-02T10:00:00Z",
               "line_items": [{"product_id": "tea", "name": "Tea", "quantity": 3,
                               "unit_price": "2.00"},
                              {"product_id": "cup", "name": "Cup", "quantity": 1,
                               "unit_price": "6.00"}]}
    return Event(0, "order.upserted", "41", version or status, "2026-03-02T10:00:00Z", payload)


def sold(brain: Brain) -> list[str]:
    return [r.product_id for r in brain.popular()]


def test_a_backfilled_order_in_a_plugins_status_with_a_payment_date_is_a_sale():
    brain = Brain(seed=4)
    brain.learn(order("delivered", paid_at="2026-03-02T10:01:00Z"))
    assert sold(brain) == ["tea", "cup"]
    assert "1 orders" in brain.segment_of("ann")["reason"]


def test_without_a_payment_date_an_unknown_status_teaches_nothing():
    brain = Brain(seed=4)
    brain.learn(order("awaiting-payment-proof", paid_at=None))
    brain.learn(order("on-hold", paid_at="2026-03-02T10:01:00Z"))  # WooCommerce's own: unpaid
    assert sold(brain) == [] and brain.segment_of("ann") is None


def test_moving_through_a_plugins_statuses_teaches_once_and_a_refund_takes_it_back():
    once = Brain(seed=4)
    once.learn(order("processing", paid_at="2026-03-02T10:01:00Z"))
    taught = once.snapshot()
    for status in ("shipped", "delivered"):
        once.learn(order(status, paid_at="2026-03-02T10:01:00Z"))
    assert once.snapshot() == taught
    once.learn(order("refunded", paid_at="2026-03-02T10:01:00Z"))
    assert once.segment_of("ann") is None  # her one order taken back: no customer yet
