"""An order paid in another currency counts in the shop's own: a customer paying in yen in a
euro shop is not a champion for the size of the numbers, nor is each of their orders an anomaly."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import date, timedelta

from online_models import Brain
from online_models.events import Event

PRICES = {"tea": 8.0, "cup": 12.0, "jam": 5.0, "pot": 30.0}
YEN_PER_EURO = 161.3  # what the multi-currency plugin charges, rounding included
#: currencies a few per cent from the euro
NEAR_PAR_RATES = {"CHF": 0.95, "USD": 1.08}


def product(pid: str) -> Event:
    payload = {"id": pid, "name": pid, "status": "publish", "price": f"{PRICES[pid]:.2f}",
               "stock_status": "instock"}
    return Event(0, "product.upserted", pid, "v1", "2026-01-01T00:00:00Z", payload)


def order(key: str, customer: str, day: int, basket: dict[str, int], *, currency: str = "EUR",
          status: str = "completed", refunded: str = "", yen: float = YEN_PER_EURO) -> Event:
    rate = yen if currency == "JPY" else NEAR_PAR_RATES.get(currency, 1.0)
    at = f"{date(2026, 1, 5) + timedelta(days=day)}T10:00:00Z"
    lines = [{"product_id": p, "name": p, "quantity": q, "unit_price": f"{PRICES[p] * rate:.2f}"}
             for p, q in basket.items()]
    payload = {"id": key, "status": status, "customer_id": customer, "created_at": at,
               "currency": currency, "line_items": lines,
               "refunds": [{"id": "1", "amount": refunded}] if refunded else []}
    return Event(0, "order.upserted", key, f"{at}#{status}", at, payload)


def shop(kenji_pays_in: str, orders: int = 700) -> Brain:
    """A euro shop; one customer in ten (kenji among them) pays in ``kenji_pays_in``."""
    brain = Brain(seed=8)
    for pid in PRICES:
        brain.learn(product(pid))
    draw = random.Random(3)
    for n in range(orders):
        basket = {p: draw.randint(1, 3) for p in draw.sample(sorted(PRICES), 2)}
        customer = "kenji" if n % 10 == 0 else f"c{n % 37}"
        currency = kenji_pays_in if customer == "kenji" else "EUR"
        brain.learn(order(f"o{n}", customer, n // 8, basket, currency=currency))
    return brain


def spent(brain: Brain, customer: str) -> float:
    segment = brain.segment_of(customer)
    assert segment is not None
    return float(re.search(r"([-\d.]+) spent", segment["reason"]).group(1))


def test_yen_count_as_euros_in_the_segments():
    in_yen, in_euro = shop("JPY"), shop("EUR")
    assert abs(spent(in_yen, "kenji") / spent(in_euro, "kenji") - 1) < 0.01
    assert in_yen.segment_of("kenji")["segment"] == in_euro.segment_of("kenji")["segment"]


def test_an_order_in_yen_is_no_anomaly_for_its_numbers():
    in_yen = shop("JPY")
    flagged = {f["order_id"] for f in in_yen.flagged_orders(limit=500)}
    kenjis = {f"o{n}" for n in range(0, 700, 10)}
    assert not flagged & kenjis


def test_a_cancelled_order_in_yen_takes_back_what_it_counted():
    brain = shop("JPY", orders=80)
    before = spent(brain, "kenji")
    brain.learn(order("big", "kenji", 12, {"pot": 2}, currency="JPY"))
    assert abs(spent(brain, "kenji") - before - 60.0) < 1.0
    brain.learn(order("big", "kenji", 12, {"pot": 2}, currency="JPY", status="cancelled"))
    assert abs(spent(brain, "kenji") - before) < 0.01


def test_a_yen_refund_seen_again_after_the_rate_moved_changes_no_spend():
    brain = shop("JPY", orders=80)
    brain.learn(order("r", "kenji", 12, {"pot": 2}, currency="JPY", status="processing",
                      refunded="4839.00"))  # 30 euros back
    after_refund = spent(brain, "kenji")
    for n in range(30):  # the plugin's yen price moves up 5%
        brain.learn(order(f"y{n}", "kenji", 13, {"tea": 1}, currency="JPY",
                          yen=YEN_PER_EURO * 1.05))
    moved = spent(brain, "kenji")
    assert moved > after_refund
    brain.learn(order("r", "kenji", 12, {"pot": 2}, currency="JPY", refunded="4839.00"))
    assert spent(brain, "kenji") == moved


def test_an_order_seen_again_and_again_counts_once_for_the_shops_currency():
    brain = Brain(seed=8)
    for pid in PRICES:
        brain.learn(product(pid))
    for n in range(5):
        brain.learn(order(f"o{n}", f"c{n}", n, {"tea": 1}))
    for n in range(8):  # one yen order through many status changes
        status = "processing" if n % 2 else "completed"
        event = order("y", "kenji", 6, {"pot": 1}, currency="JPY", status=status)
        brain.learn(replace(event, version=f"{event.version}#{n}"))
    assert brain.currencies() == {"shop": "EUR", "rates": {"JPY": YEN_PER_EURO}}


def test_a_currency_a_few_per_cent_from_the_shops_is_converted_too():
    in_euro = shop("EUR")
    for currency in NEAR_PAR_RATES:
        assert abs(spent(shop(currency), "kenji") / spent(in_euro, "kenji") - 1) < 0.01, currency
