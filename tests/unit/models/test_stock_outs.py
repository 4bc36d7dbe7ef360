"""Days a product was out of stock are not days without demand: the forecast after a stock-out
(and during one: what to expect once restocked) keeps the demand seen while it could be bought."""

from __future__ import annotations

from datetime import date, timedelta

from online_models import Brain
from online_models.events import Event

FIRST = date(2026, 1, 5)


def at(day: int, hour: int = 10) -> str:
    return f"{FIRST + timedelta(days=day)}T{hour:02d}:00:00Z"


def sale(day: int) -> Event:
    when = at(day)
    payload = {"id": f"o{day}", "status": "completed", "customer_id": f"c{day % 5}",
               "created_at": when,
               "line_items": [{"product_id": "mug", "name": "Mug", "quantity": 10,
                               "unit_price": "4.00"}]}
    return Event(0, "order.upserted", f"o{day}", when, when, payload)


def stock(day: int, status: str) -> Event:
    """Sold out in the evening, restocked in the morning."""
    when = at(day, 18 if status == "outofstock" else 8)
    payload = {"id": "mug", "name": "Mug", "status": "publish", "price": "4.00",
               "stock_status": status, "stock_quantity": 0 if status == "outofstock" else 50}
    return Event(0, "product.upserted", "mug", f"{when}#{status}", when, payload)


def replay(*, tracked: bool, restocked: bool) -> Brain:
    """Ten mugs a day for eight weeks, then sold out on the evening of day 56 and restocked
    three weeks later, on the morning of day 77."""
    brain = Brain(seed=1)
    brain.learn(stock(0, "instock"))
    for day in range(57):
        brain.learn(sale(day))
    brain.learn(stock(56, "outofstock") if tracked else stock(56, "instock"))
    if restocked:
        brain.learn(stock(77, "instock"))
        brain.learn(sale(77))
        brain.learn(sale(78))
    else:
        brain.learn(stock(76, "outofstock") if tracked else stock(76, "instock"))
    return brain


def daily(brain: Brain) -> list[float]:
    return [day["units"] for day in brain.forecast("mug", 7, stock=0)["days"]]


def test_after_a_stock_out_the_demand_seen_before_it_comes_back():
    assert daily(replay(tracked=True, restocked=True)) == [10.0] * 7
    assert daily(replay(tracked=False, restocked=True)) == [0.0] * 7  # what it said before


def test_during_a_stock_out_the_forecast_says_what_to_expect_once_restocked():
    during = replay(tracked=True, restocked=False)
    assert daily(during) == [10.0] * 7
    assert daily(replay(tracked=False, restocked=False)) == [0.0] * 7
    assert Brain.restore(during.snapshot()).forecast("mug", 7) == during.forecast("mug", 7)
    assert during.forecast("mug", 7)["days_until_stockout"] == 0.0  # none left meanwhile
