"""The forecast's weekly shortcuts equal their day-by-day definitions: days until stock runs out,
counted in whole forecast weeks, equal a walk through a year of forecasts (what the brain did
once per product of the shop's running-out list), and the zero-day gate counts what walking each
weekday back counts."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from online_models import Brain
from online_models.events import Event
from online_models.forecast import STOCKOUT_HORIZON, DemandForecaster
from online_models.forecast.demand import EMPTY_SHARE

START = date(2026, 1, 5).toordinal()


def _walk(forecaster: DemandForecaster, product: str, as_of: int, stock: float,
          within: int) -> float | None:
    """The definition: sell each forecast day's units until the stock is gone (a remainder
    within the sums' rounding is gone)."""
    if stock <= 0:
        return 0.0
    days, _ = forecaster.forecast(product, as_of, within)
    left = stock
    for i, (units, _, _) in enumerate(days):
        if units > 0 and units >= left - EMPTY_SHARE * stock:
            return i + min(left / units, 1.0)
        left -= units
    return None


@settings(max_examples=200, deadline=None)
@given(
    week=st.lists(st.integers(0, 30), min_size=7, max_size=7),
    noise=st.lists(st.integers(-3, 3), min_size=7, max_size=7),
    history=st.integers(1, 90),
    stock=st.integers(0, 3000),
    within=st.sampled_from([1, 7, 15, 31, STOCKOUT_HORIZON]),
)
def test_whole_weeks_equal_the_day_by_day_walk(week, noise, history, stock, within) -> None:
    """Weekday-shaped sales (closed days where the week has 0), with some noise."""
    forecaster = DemandForecaster(window_days=56, level_days=28, gate_weeks=8)
    for day in range(history):
        units = week[day % 7] + noise[day % 5] if week[day % 7] else 0
        if units > 0:
            forecaster.learn("mug", START + day, units)
    as_of = START + history - 1
    expected = _walk(forecaster, "mug", as_of, float(stock), within)
    found = forecaster.days_until_empty("mug", as_of, float(stock), within=within)
    if expected is None:
        assert found is None
    else:
        assert found is not None and math.isclose(found, expected, rel_tol=1e-9, abs_tol=1e-9)


def test_a_stock_that_forecast_days_empty_exactly_runs_out_that_day_not_after_closed_days():
    """Found by the property above: 6.2 units a day on weekdays, closed at weekends, and a stock
    of exactly 31 weeks' units. Summed day by day or by the week, the float sums leave a
    remainder of rounding size either way, which once carried the stock over the weekend."""
    forecaster = DemandForecaster(window_days=56, level_days=28, gate_weeks=8)
    for day in range(56):
        if day % 7 < 5:
            forecaster.learn("mug", START + day, 6 if day % 5 else 7)
    as_of = START + 55
    days, _ = forecaster.forecast("mug", as_of, 7)
    per_week = sum(units for units, _, _ in days)
    open_days = [i for i, (units, _, _) in enumerate(days) if units > 0]
    for weeks in range(1, 40):
        stock = weeks * per_week
        found = forecaster.days_until_empty("mug", as_of, stock)
        # emptied at the end of the week's last open day, whatever the rounding
        assert found is not None and math.isclose(found, 7 * (weeks - 1) + open_days[-1] + 1)
        assert math.isclose(found, _walk(forecaster, "mug", as_of, stock, STOCKOUT_HORIZON))


def _event(kind: str, key: str, day: int, payload: dict) -> Event:
    when = f"{date.fromordinal(START + day)}T10:00:00Z"
    return Event(0, kind, key, f"{when}#{key}", when, payload)


def test_the_running_out_list_names_what_empties_within_the_days_asked() -> None:
    brain = Brain(seed=1)
    for pid, stock in (("fast", 55), ("slow", 55), ("idle", 1)):
        brain.learn(_event("product.upserted", pid, -41, {
            "id": pid, "name": pid.title(), "status": "publish", "price": "4.00",
            "stock_status": "instock", "stock_quantity": stock}))
    for day in range(-40, 1):  # ten a day and one a day, every day
        lines = [{"product_id": "fast", "name": "Fast", "quantity": 10, "unit_price": "4.00"},
                 {"product_id": "slow", "name": "Slow", "quantity": 1, "unit_price": "4.00"}]
        brain.learn(_event("order.upserted", f"o{day}", day, {
            "id": f"o{day}", "status": "completed", "customer_id": "c1",
            "created_at": f"{date.fromordinal(START + day)}T10:00:00Z", "line_items": lines}))
    assert brain.running_out(within_days=14) == [
        {"product_id": "fast", "stock": 55, "days_until_stockout": 5.5, "name": "Fast"}
    ]
    assert [p["product_id"] for p in brain.running_out(within_days=60)] == ["fast", "slow"]
    assert brain.forecast("slow", 7)["days_until_stockout"] == pytest.approx(55.0)
    assert brain.forecast("idle", 7)["days_until_stockout"] is None  # never sold: lasts


def _mostly_zero(forecaster: DemandForecaster, product: str, as_of: int, weekday: int,
                 unavailable: set[int]) -> bool:
    """The definition: walk back over the weekday's last ``gate_weeks`` occurrences."""
    series = forecaster._series[product]
    last = as_of - ((as_of - weekday) % 7)
    seen = zeros = 0
    for week in range(forecaster.gate_weeks):
        d = last - 7 * week
        if d < series.first_day:
            break
        if d in unavailable:
            continue
        seen += 1
        zeros += series.days.get(d, 0.0) <= 0
    return seen > 0 and 2 * zeros > seen


@settings(max_examples=300)
@given(
    sales=st.lists(st.tuples(st.integers(0, 120), st.integers(-2, 9)), min_size=1, max_size=90),
    as_of=st.integers(0, 130),
    out_back=st.sets(st.integers(-3, 60), max_size=30),  # days before as_of it was out
)
def test_the_zero_day_gate_counts_what_walking_each_weekday_back_counts(
    sales, as_of, out_back
) -> None:
    forecaster = DemandForecaster(window_days=56, level_days=28, gate_weeks=8)
    forecaster.learn("mug", START + sales[0][0], 1)  # a first sale, so the series exists
    for day, units in sales:
        forecaster.learn("mug", START + day, units)
    series = forecaster._series["mug"]
    unavailable = {START + as_of - back for back in out_back}
    expected = [_mostly_zero(forecaster, "mug", START + as_of, w, unavailable) for w in range(7)]
    assert forecaster._zero_weekdays(series, START + as_of, unavailable) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(
    st.tuples(st.just("sell"), st.integers(0, 60), st.integers(-3, 40)),
    st.tuples(st.just("out"), st.integers(0, 60), st.integers(0, 6)),
    # a few days and stocks, so the same question comes again (after sales in between)
    st.tuples(st.just("ask"), st.sampled_from([20, 45, 60]), st.sampled_from([0, 40, 300])),
), min_size=1, max_size=60))
def test_a_remembered_answer_is_the_answer_worked_out_afresh(steps) -> None:
    """Asked again, the running-out days are remembered until the product sells, goes out of
    stock, or the day or the stock asked about changes: never a stale answer."""
    remembering = DemandForecaster(window_days=56, level_days=28, gate_weeks=8)
    fresh = DemandForecaster(window_days=56, level_days=28, gate_weeks=8)
    for day in range(40):  # selling every day: the forecasts are not all zero
        remembering.learn("mug", START + day, 5)
        fresh.learn("mug", START + day, 5)
    for op, day, n in steps:
        if op == "sell":
            remembering.learn("mug", START + day, n)
            fresh.learn("mug", START + day, n)
        elif op == "out":
            remembering.mark_unavailable("mug", START + day, START + day + n)
            fresh.mark_unavailable("mug", START + day, START + day + n)
        else:
            fresh._until.clear()
            for within in (15, STOCKOUT_HORIZON):
                asked = (START + day, float(n))
                assert remembering.days_until_empty("mug", *asked, within=within) == (
                    fresh.days_until_empty("mug", *asked, within=within)
                )
