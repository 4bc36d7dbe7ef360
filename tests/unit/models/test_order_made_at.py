"""An order is learned at the time it was made, not at its last modification (a backfill)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from online_models import Brain
from online_models.events import Event
from online_models.orders import order_of


def order(key: str, customer: str, products: tuple[str, ...], *, made: object,
          modified: str) -> Event:
    lines = [{"product_id": p, "name": p, "quantity": 2, "unit_price": "4.00"} for p in products]
    payload = {"id": key, "status": "completed", "customer_id": customer, "line_items": lines,
               "created_at": made}
    return Event(0, "order.upserted", key, modified, modified, payload)


def replay(first_modified: str) -> Brain:
    brain = Brain(seed=5)
    brain.learn(order("1", "ann", ("tea", "cup"), made="2026-03-02T10:00:00Z",
                      modified=first_modified))
    brain.learn(order("2", "bob", ("tea", "jam"), made="2026-06-01T09:00:00Z",
                      modified="2026-06-01T09:00:00Z"))
    return brain


def test_an_order_modified_months_later_is_learned_as_made():
    """Backfilled after it was completed, refunded in part or touched by a bulk edit: the models
    end exactly as if the order had been seen when it was made."""
    seen_then = replay("2026-03-02T10:00:00Z")
    seen_late = replay("2026-05-20T16:30:00Z")
    assert seen_late.snapshot() == seen_then.snapshot()
    assert seen_late.forecast("cup", 7) == seen_then.forecast("cup", 7)


def test_the_time_an_order_was_made_bounds_nothing_after_its_event():
    late = order("1", "ann", ("tea",), made="2026-03-09T10:00:00Z", modified="2026-03-02T10:00:00Z")
    assert order_of(late).timestamp == late.timestamp  # made "after" its event: the event's time
    for made in (None, "", "yesterday", "2026-03-01T10:00:00", 17):
        unread = order("1", "ann", ("tea",), made=made, modified="2026-03-02T10:00:00Z")
        assert order_of(unread).timestamp == unread.timestamp, made
    backfilled = order("1", "ann", ("tea",), made="2026-03-01T23:30:00Z",
                       modified="2026-03-04T08:00:00Z")
    made = order_of(backfilled)
    assert made.timestamp == datetime(2026, 3, 1, 23, 30, tzinfo=UTC).timestamp()
    assert (made.day, made.hour) == (date(2026, 3, 1).toordinal(), 23)
