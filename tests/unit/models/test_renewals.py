"""A subscription's renewal orders (``created_via: subscription``) are sales and demand, but no
one chose them: they teach no recommendation, so a coffee subscription does not top every
list of a shop by renewing itself each month."""

from __future__ import annotations

from datetime import date, timedelta

from online_models import Brain
from online_models.events import Event
from online_models.orders import order_of, pack, unpack


def order(key: str, day: date, products: tuple[str, ...], *, via: str = "checkout",
          customer: str = "ann", status: str = "completed") -> Event:
    at = f"{day}T10:00:00Z"
    payload = {"id": key, "status": status, "customer_id": customer, "created_at": at,
               "created_via": via,
               "line_items": [{"product_id": p, "name": p, "quantity": 2, "unit_price": "9.00"}
                              for p in products]}
    return Event(0, "order.upserted", key, f"{at}#{status}", at, payload)


FIRST = date(2026, 1, 5)


def shop(*renewals: Event) -> Brain:
    """Ten weeks of customers choosing tea with cups or jam, then ``renewals``."""
    brain = Brain(seed=4)
    for n in range(70):
        basket = ("tea", "cup") if n % 2 else ("tea", "jam")
        brain.learn(order(f"o{n}", FIRST + timedelta(days=n), basket, customer=f"c{n % 9}"))
    for event in renewals:
        brain.learn(event)
    return brain


def coffee_club(periods: int = 10, every: int = 7, customers: int = 12) -> list[Event]:
    """Subscribers whose coffee and filters renew every ``every`` days."""
    return [order(f"r{c}-{n}", FIRST + timedelta(days=every * n + c % every),
                  ("coffee", "filter"), via="subscription", customer=f"s{c}")
            for n in range(periods) for c in range(customers)]


def ids(items) -> list[str]:
    return [item.product_id for item in items]


def test_renewals_teach_no_recommendation():
    plain, renewed = shop(), shop(*coffee_club())
    assert ids(renewed.popular(limit=5)) == ids(plain.popular(limit=5))
    assert "coffee" not in ids(renewed.trending(limit=5))
    assert ids(renewed.recommend_for_product("tea")) == ids(plain.recommend_for_product("tea"))
    assert renewed.recommend_for_product("coffee") == plain.recommend_for_product("coffee")
    # a subscriber is not told to "buy again" what renews by itself
    assert "coffee" not in ids(renewed.recommend_for_customer("s1"))


def test_renewals_are_sales_demand_and_spend():
    renewed, plain = shop(*coffee_club()), shop()
    assert renewed.forecast("coffee", 30)["total"] > 0
    segment = renewed.segment_of("s1")
    assert segment is not None and "10 orders" in segment["reason"]
    stats, before = renewed.stats(), plain.stats()
    assert stats["forecast_series"] == before["forecast_series"] + 2  # coffee and filters
    # bought at the price of the day they subscribed: no lesson about today's price
    assert stats["pricer_products"] == before["pricer_products"]
    assert stats["mf_customers"] == before["mf_customers"]
    assert stats["anomaly_orders_seen"] == before["anomaly_orders_seen"] + 120


def test_a_remembered_renewal_stays_one():
    event = coffee_club(periods=1, customers=1)[0]
    assert order_of(event).renewal and unpack(pack(order_of(event))).renewal
    assert not order_of(order("o", FIRST, ("tea",), via="admin")).renewal


def test_a_renewal_cancelled_takes_back_only_what_it_taught():
    renewal = order("r", FIRST + timedelta(days=69), ("coffee",), via="subscription")
    cancelled = order("r", FIRST + timedelta(days=69), ("coffee",), via="subscription",
                      status="cancelled")
    undone = shop(renewal, cancelled)
    never = shop()
    assert undone.popular(limit=5) == never.popular(limit=5)
    assert undone.recommend_for_customer("ann") == never.recommend_for_customer("ann")
    assert undone.forecast("tea", 7) == never.forecast("tea", 7)
