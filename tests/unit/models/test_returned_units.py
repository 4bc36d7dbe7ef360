"""Units given back through a refund's line items lower the product's demand on the day the
refund is learned, once, and a later full reversal takes back only the units left."""

from __future__ import annotations

from datetime import date, timedelta

from online_models import Brain
from online_models.events import Event
from online_models.orders import order_of, pack, unpack

SOLD = "2026-03-02T10:00:00Z"
BACK = "2026-03-20T15:00:00Z"


def history(brain: Brain) -> Brain:
    """Three mugs a day from 5 January to 25 March, so the forecaster has a level to move and
    every brain of a test forecasts from the same day."""
    first = date(2026, 1, 5)
    for n in range(80):
        brain.learn(sale(f"h{n}", f"{first + timedelta(days=n)}T09:00:00Z", quantity=3))
    return brain


def replayed(*events: Event) -> Brain:
    """A brain that learned the history, then ``events``."""
    brain = history(Brain(seed=2))
    for event in events:
        brain.learn(event)
    return brain


def sale(key: str, at: str, *, quantity: int = 5, returned: int = 0, money: str = "",
         status: str = "completed", modified: str = "") -> Event:
    refunds = []
    if returned or money:
        refund = {"id": "90", "amount": money or f"{4 * returned}.00"}
        if returned:
            refund["line_items"] = [{"product_id": "mug", "variation_id": None,
                                     "quantity": -returned, "unit_price": "4.00"}]
        refunds.append(refund)
    payload = {"id": key, "status": status, "customer_id": "ann", "created_at": at,
               "line_items": [{"product_id": "mug", "name": "Mug", "quantity": quantity,
                               "unit_price": "4.00"}],
               "refunds": refunds}
    when = modified or at
    return Event(0, "order.upserted", key, f"{when}#{status}{returned}{money}", when, payload)


def return_record(at: str, units: int) -> Event:
    """The same units coming back as an imported return record (a cancellation of its own)."""
    payload = {"id": "r1", "status": "cancelled", "customer_id": "ann", "created_at": at,
               "line_items": [{"product_id": "mug", "name": "Mug", "quantity": -units,
                               "unit_price": "4.00"}]}
    return Event(0, "order.upserted", "import:r1", f"{at}#r", at, payload)


def test_the_refund_reads_units_by_product_whatever_their_sign():
    seen = order_of(sale("7", SOLD, returned=2, modified=BACK))
    assert seen.returned == (("mug", 2),)
    assert unpack(pack(seen)).returned == (("mug", 2),)
    assert order_of(sale("7", SOLD, money="3.00")).returned == ()


def test_units_given_back_count_like_a_return_on_the_refund_day():
    refunded = replayed(sale("7", SOLD), sale("7", SOLD, returned=2, modified=BACK))
    returned = replayed(sale("7", SOLD), return_record(BACK, 2))
    # the same money back, no units
    kept = replayed(sale("7", SOLD), sale("7", SOLD, money="8.00", modified=BACK))
    assert refunded.forecast("mug", 7)["days"] == returned.forecast("mug", 7)["days"]
    assert refunded.forecast("mug", 7)["total"] < kept.forecast("mug", 7)["total"]


def test_the_same_refund_seen_again_changes_nothing_and_a_deleted_one_gives_back():
    once = replayed(sale("7", SOLD), sale("7", SOLD, returned=2, modified=BACK))
    twice = replayed(sale("7", SOLD), sale("7", SOLD, returned=2, modified=BACK),
                     sale("7", SOLD, returned=2, modified=BACK))  # a re-sync: the same facts
    assert twice.forecast("mug", 7) == once.forecast("mug", 7)
    undone = replayed(sale("7", SOLD), sale("7", SOLD, returned=2, modified=BACK),
                      sale("7", SOLD, modified=BACK.replace("15:", "16:")))  # refund deleted
    never = replayed(sale("7", SOLD))
    assert undone.forecast("mug", 7)["days"] == never.forecast("mug", 7)["days"]


def test_a_full_reversal_after_a_return_takes_back_only_the_units_left():
    both = replayed(sale("7", SOLD), sale("7", SOLD, returned=2, modified=SOLD),
                    sale("7", SOLD, returned=2, status="refunded", modified=SOLD))
    only_reversal = replayed(sale("7", SOLD), sale("7", SOLD, status="refunded", modified=SOLD))
    assert both.forecast("mug", 7)["days"] == only_reversal.forecast("mug", 7)["days"]


def test_an_order_first_seen_after_its_return_is_learned_as_sale_then_return():
    backfilled = replayed(sale("7", SOLD, returned=2, modified=BACK))
    live = replayed(sale("7", SOLD), sale("7", SOLD, returned=2, modified=BACK))
    assert backfilled.forecast("mug", 7)["days"] == live.forecast("mug", 7)["days"]
