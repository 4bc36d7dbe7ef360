"""Pricer: elasticity from posted-price changes, never from a line's quantity-tiered price."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from online_models import Brain
from online_models.events import Event
from online_models.price import Pricer

START = datetime(2026, 1, 5, 10, tzinfo=UTC)


def _when(day: int) -> str:
    return (START + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _product(day: int, price: float) -> Event:
    payload = {
        "id": "mug",
        "name": "Mug",
        "status": "publish",
        "stock_status": "instock",
        "categories": [{"id": 1, "name": "kitchen"}],
        "price": f"{price:.2f}",
    }
    return Event(0, "product.upserted", "mug", f"v{day}-{price}", _when(day), payload)


def _order(key: str, day: int, qty: int, unit_price: float, status: str = "completed") -> Event:
    line = {"product_id": "mug", "name": "Mug", "quantity": qty, "unit_price": f"{unit_price:.2f}"}
    payload = {"id": key, "status": status, "customer_id": None, "line_items": [line]}
    return Event(0, "order.upserted", key, f"{key}-{status}", _when(day), payload)


def _learn_weeks(pricer: Pricer, weeks: list[tuple[float, float]], product: str = "mug") -> None:
    day = 0
    for price, daily in weeks:
        for _ in range(7):
            pricer.learn(product, "kitchen", price, day, daily, 1)
            day += 1


def test_quantity_tiers_under_one_posted_price_give_no_suggestion():
    # what the UCI shop does: 2.95 for a few, 2.55 from 24, 1.90 from 300; the list price holds
    brain = Brain(seed=1)
    brain.learn(_product(0, 2.95))
    for day in range(120):
        brain.learn(_order(f"s{day}", day, 6, 2.95))
        if day % 3 == 0:
            brain.learn(_order(f"m{day}", day, 32, 2.55))
        if day % 10 == 0:
            brain.learn(_order(f"w{day}", day, 320, 1.90))
    assert brain.suggest_price("mug") is None
    assert brain.price_suggestions() == []


def _elastic_mug() -> tuple[Brain, int]:
    """A brain that saw the mug's posted price move six times, its sales falling with each
    rise (lines paid less than posted: a trade tier); and the day after the last sale."""
    brain = Brain(seed=1)
    day, key = 0, 0
    for price, daily in [(3.0, 20), (3.3, 12), (3.0, 21), (3.3, 11), (3.0, 19), (3.3, 12)]:
        brain.learn(_product(day, price))
        for _ in range(14):
            brain.learn(_order(f"o{key}", day, daily, price * 0.8))
            day, key = day + 1, key + 1
    return brain, day


def test_demand_that_falls_when_the_posted_price_rises_suggests_a_cut():
    brain, _ = _elastic_mug()
    suggestion = brain.suggest_price("mug")
    assert suggestion is not None
    assert suggestion["elasticity"] < -1 and suggestion["change"] == pytest.approx(-0.1, abs=0.01)
    assert suggestion["current"] == 3.3 and "elastic demand" in suggestion["reason"]
    assert "from 4 price changes" in suggestion["reason"]


def test_a_deleted_or_unpublished_product_gets_no_price_suggestion():
    brain, day = _elastic_mug()
    assert [s["product_id"] for s in brain.price_suggestions()] == ["mug"]
    brain.learn(Event(0, "product.deleted", "mug", "deleted:x", _when(day), {"id": "mug"}))
    assert brain.suggest_price("mug") is None and brain.price_suggestions() == []
    draft = _product(day, 3.3)
    draft = Event(0, draft.kind, "mug", "draft", draft.occurred_at,
                  {**draft.payload, "status": "draft"})
    brain.learn(draft)  # restored as a draft: still not sold
    assert brain.suggest_price("mug") is None and brain.price_suggestions() == []
    brain.learn(_product(day, 3.3))  # published again
    assert [s["product_id"] for s in brain.price_suggestions()] == ["mug"]


def test_inelastic_demand_suggests_a_rise_within_the_guardrails():
    pricer = Pricer(max_change=0.1, min_margin=0.2, min_observations=3)
    _learn_weeks(pricer, [(1.0, 100), (1.2, 95), (0.9, 103), (1.1, 97), (1.0, 100)])
    e, error, level = pricer.elasticity("mug", None)
    assert level == "product" and -1 < e < 0 and error < 0.05
    suggestion = pricer.suggest("mug", current=1.0, cost=None)
    assert suggestion["suggested"] == 1.07 and suggestion["change"] == 0.07


def test_demand_that_wanders_whatever_the_price_gives_no_suggestion():
    pricer = Pricer(max_change=0.1, min_margin=0.2, min_observations=3)
    _learn_weeks(pricer, [(1.0, 100), (1.2, 60), (0.9, 70), (1.1, 110), (1.05, 75), (0.95, 105)])
    e, error, _ = pricer.elasticity("mug", None)
    assert error > abs(e + 1.0) / 2
    assert pricer.suggest("mug", current=1.0, cost=None) is None


def test_short_regimes_measure_nothing_and_a_product_borrows_its_category():
    pricer = Pricer(max_change=0.1, min_margin=0.2, min_observations=3)
    for day in range(40):  # the price flips daily: no regime lasts a week
        pricer.learn("flip", "kitchen", 1.0 + 0.2 * (day % 2), day, 10, 1)
    assert pricer.elasticity("flip", None) is None
    _learn_weeks(pricer, [(2.0, 50), (2.4, 30), (2.0, 52), (2.4, 29), (2.0, 49)], product="bowl")
    e, _, level = pricer.elasticity("flip", "kitchen")
    assert level == "category" and e == pytest.approx(pricer.elasticity("bowl", None)[0])


def test_a_take_back_at_an_older_price_leaves_the_open_regime_alone():
    pricer = Pricer(max_change=0.1, min_margin=0.2, min_observations=2)
    _learn_weeks(pricer, [(1.0, 100), (1.2, 80), (1.0, 100), (1.2, 80)])
    before = pricer.elasticity("mug", None)
    assert before is not None and before[0] < 0
    pricer.learn("mug", "kitchen", 1.0, 30, 500, -1)  # a refund of a sale made at 1.00
    assert pricer._regimes["mug"][0].units == 560.0
    pricer.learn("mug", "kitchen", 1.2, 30, 9999, -1)  # more than the open regime sold
    assert pricer._regimes["mug"][0].units == 0.0
    assert pricer.elasticity("mug", None) == before


def test_a_price_changed_again_on_the_day_its_regime_began_replaces_it():
    pricer = Pricer(max_change=0.1, min_margin=0.2, min_observations=2)
    pricer.learn("mug", "kitchen", 1.0, 0, 5, 1)
    pricer.learn("mug", "kitchen", 1.5, 0, 3, 1)  # corrected the same day: no one-day regime
    regime, previous = pricer._regimes["mug"]
    assert (regime.price, regime.start_day, regime.units, previous) == (1.5, 0, 8.0, None)


def test_a_take_back_of_a_sale_made_before_the_open_regime_leaves_it_alone():
    """The brain passes the price posted now: a sale made at 1.00 before the price rose to
    1.20 and cancelled after must not come off the 1.20 regime's units."""
    pricer = Pricer(max_change=0.1, min_margin=0.2, min_observations=2)
    _learn_weeks(pricer, [(1.0, 100)])
    pricer.learn("mug", "kitchen", 1.2, 7, 2, 1)  # the first sale at 1.20 opens its regime
    pricer.learn("mug", "kitchen", 1.2, 3, 100, -1)  # day 3's sale, at 1.00, cancelled
    regime, _ = pricer._regimes["mug"]
    assert (regime.price, regime.start_day, regime.units) == (1.2, 7, 2.0)
