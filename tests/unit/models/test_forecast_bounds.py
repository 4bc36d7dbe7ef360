"""A forecast never sells a negative amount, and its interval holds its point: units given back
are taken on the day they come back, so any weekday's sum can fall below zero."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from online_models.forecast import DemandForecaster

MONDAY = date(2026, 1, 5).toordinal()

days_and_units = st.lists(
    st.tuples(st.integers(0, 70), st.integers(-30, 30)), min_size=1, max_size=60
)


@settings(max_examples=200, deadline=None)
@given(days_and_units, st.integers(0, 80))
def test_every_forecast_day_is_zero_or_more_with_low_below_units_below_high(steps, ahead):
    forecaster = DemandForecaster(window_days=56, level_days=28, gate_weeks=8)
    for offset, units in steps:
        forecaster.learn("mug", MONDAY + offset, float(units))
    days, _ = forecaster.forecast("mug", MONDAY + ahead, 14)
    for units, low, high in days:
        assert 0.0 <= low <= units <= high


def test_a_weekday_whose_returns_outweigh_its_sales_forecasts_nothing_that_day():
    forecaster = DemandForecaster(window_days=56, level_days=28, gate_weeks=8)
    for week in range(4):
        for weekday in range(6):
            forecaster.learn("mug", MONDAY + 7 * week + weekday, 2.0)
    forecaster.learn("mug", MONDAY + 21, 20.0)  # a wholesale order on a Monday...
    forecaster.learn("mug", MONDAY + 22, -15.0)  # ...most of it given back on the Tuesday
    as_of = MONDAY + 27
    days, method = forecaster.forecast("mug", as_of, 7)
    assert method == "weekday_median"
    for h, day in enumerate(days, start=1):
        weekday = date.fromordinal(as_of + h).weekday()
        if weekday == 1:  # Tuesday
            assert day == (0.0, 0.0, 0.0)
        elif weekday < 6:  # the other open days still sell
            assert day[0] > 0
