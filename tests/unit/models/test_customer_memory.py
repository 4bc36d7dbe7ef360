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


def view(customer: str, day: int, product: str) -> Event:
    at = f"{FIRST + timedelta(days=day)}T11:00:00Z"
    payload = {"customer_id": customer, "product_id": product}
    return Event(0, "view", f"{customer}-{day}", at, at, payload)


def test_a_customer_who_only_browsed_is_forgotten_too():
    """Browsing gives a customer latent factors; kept for ever they grew with every
    logged-in visitor, against memory that follows the active customers."""
    brain = Brain(BrainConfig(customer_memory_days=30.0), seed=2)
    brain.learn(view("dee", 0, "tea"))
    brain.learn(order("b1", "bob", 1, ("tea", "cup")))
    assert brain.stats()["mf_customers"] == 2
    for day in range(2, 45):
        brain.learn(order(f"b{day}", "bob", day, ("tea", "cup")))
    assert brain.stats()["mf_customers"] == 1


def test_taking_back_an_order_of_a_forgotten_history_leaves_the_new_one_alone():
    """ann is forgotten, comes back and buys marmalade again; then her old order is refunded.
    It was learned into the history since forgotten: her new history keeps its marmalade (the
    take-back removed it, and left her 0 orders)."""
    brain = shop(days=45)
    brain.learn(order("a1", "ann", 45, ("marmalade",)))
    refunded = order("a0", "ann", 0, ("marmalade", "toast"))
    refunded.payload["status"] = "refunded"
    brain.learn(Event(0, "order.upserted", "a0", "r", f"{FIRST + timedelta(days=46)}T10:00:00Z",
                      refunded.payload))
    assert again(brain, "ann") == ["marmalade"]
    assert "1 orders" in brain.segment_of("ann")["reason"]
    assert "toast" not in [r.product_id for r in brain.recommend_for_product("marmalade")]
