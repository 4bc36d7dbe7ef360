"""The recommenders forget a customer with no order for ``customer_memory_days``; the segments
keep them. Memory then follows the shop's active customers, not every customer it ever had."""

from __future__ import annotations

from datetime import date, timedelta

from online_models import Brain, BrainConfig
from online_models.events import Event

FIRST = date(2026, 1, 5)


def order(key: str, customer: str, day: int, products: tuple[str, ...]) -> Event:
    at = f"{FIRST + timedelta(days=day)}T10:00:00Z"
    payload = {"id": key, "status": "completed", "customer_id": customer, "created_at": at,
               "line_items": [{"product_id": p, "name": p, "quantity": 1, "unit_price": "5.00"}
                              for p in products]}
    return Event(0, "order.upserted", key, at, at, payload)


def shop(days: int, memory_days: float = 30.0) -> Brain:
    """ann orders marmalade on day 0; bob and cy order tea and cups every day after."""
    brain = Brain(BrainConfig(customer_memory_days=memory_days), seed=2)
    brain.learn(order("a0", "ann", 0, ("marmalade", "toast")))
    for day in range(1, days):
        brain.learn(order(f"b{day}", "bob" if day % 2 else "cy", day, ("tea", "cup")))
    return brain


def again(brain: Brain, customer: str) -> list[str]:
    """The customer's "buy again" items."""
    return [r.product_id for r in brain.recommend_for_customer(customer)
            if r.source == "buy_again"]


def test_a_customer_gone_quiet_is_forgotten_by_the_recommenders_only():
    recent, later = shop(days=25), shop(days=45)
    assert recent.stats()["repeat_customers"] == 3
    assert later.stats()["repeat_customers"] == 2 and later.stats()["mf_customers"] == 2
    assert again(recent, "ann") == ["toast", "marmalade"]
    assert again(later, "ann") == []
    assert later.segment_of("ann") is not None  # hibernating, and still counted
    # what the shop sold is not forgotten: only what was known of the customer
    assert "marmalade" in [r.product_id for r in later.recommend_for_product("toast")]


def test_a_returning_customer_starts_a_new_history():
    brain = shop(days=45)
    brain.learn(order("a1", "ann", 45, ("jam",)))
    assert brain.stats()["repeat_customers"] == 3
    assert again(brain, "ann") == ["jam"]


def test_the_default_keeps_two_years():
    assert BrainConfig().customer_memory_days == 730.0
    assert shop(days=45, memory_days=730.0).stats()["repeat_customers"] == 3
    restored = Brain.restore(shop(days=45).snapshot())
    restored.learn(order("b99", "bob", 80, ("tea",)))  # the memory goes on after a restore
    assert restored.stats()["repeat_customers"] == 1
