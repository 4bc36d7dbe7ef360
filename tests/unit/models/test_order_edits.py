"""A paid order whose lines change (put on hold, edited, paid again) is learned as it is now:
the models end where they would had they only seen the edited order."""

from __future__ import annotations

from online_models import Brain
from online_models.events import Event

MADE = "2026-01-05T10:00:00Z"


def order(lines: dict[str, int], at: str, refunds: tuple[str, ...] = ()) -> Event:
    payload = {"id": "7", "status": "processing", "customer_id": "ann", "created_at": MADE,
               "line_items": [{"product_id": p, "name": p, "quantity": q, "unit_price": "10.00"}
                              for p, q in lines.items()],
               "refunds": [{"id": str(i), "amount": a} for i, a in enumerate(refunds)]}
    return Event(0, "order.upserted", "7", f"{at}{lines}{refunds}", at, payload)


def answers(brain: Brain) -> tuple[object, ...]:
    return (brain.segment_of("ann")["reason"], brain.forecast("mug", 3),
            [r.product_id for r in brain.recommend_for_product("mug")],
            [(r.product_id, round(r.score, 9)) for r in brain.popular()])


FIRST = order({"mug": 1}, MADE)
EDITED = order({"mug": 4, "teapot": 1}, "2026-01-05T12:00:00Z")
REFUNDED = order({"mug": 4, "teapot": 1}, "2026-01-06T12:00:00Z", refunds=("30.00",))


def test_an_edited_paid_order_is_learned_as_edited():
    seen_all, edited_only = Brain(seed=1), Brain(seed=1)
    seen_all.learn(FIRST)
    for brain in (seen_all, edited_only):
        brain.learn(EDITED)
    assert answers(seen_all) == answers(edited_only)
    assert answers(seen_all)[0] == "last order 0 days ago, 1 orders, 50.00 spent"
    assert answers(seen_all)[2] == ["teapot"]


def test_a_refund_after_the_edit_is_taken_from_the_edited_total():
    seen_all, edited_only = Brain(seed=1), Brain(seed=1)
    seen_all.learn(FIRST)
    for brain in (seen_all, edited_only):
        brain.learn(EDITED)
        brain.learn(REFUNDED)
    assert answers(seen_all)[0] == answers(edited_only)[0]
    assert answers(seen_all)[0] == "last order 0 days ago, 1 orders, 20.00 spent"


def test_an_order_seen_again_unchanged_is_not_learned_again():
    brain = Brain(seed=1)
    brain.learn(EDITED)
    snapshot = brain.snapshot()
    brain.learn(order({"teapot": 1, "mug": 4}, "2026-01-05T12:00:00Z"))  # lines in another order
    assert brain.snapshot() == snapshot
