"""Orders are counted on the shop's own calendar: a New York shop's evening sales fall on its
own day, not on the next UTC day, so its closed day and its "tomorrow" are its own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from online_models import Brain
from online_models.events import Event, format_time
from online_models.orders import order_of, pack, unpack

NEW_YORK_WINTER = -300


def order(key: str, made: datetime, offset: object = NEW_YORK_WINTER) -> Event:
    """An order of 3 mugs made at ``made`` (UTC)."""
    when = format_time(made)
    payload = {"id": key, "status": "completed", "customer_id": "ann", "created_at": when,
               "utc_offset_minutes": offset,
               "line_items": [{"product_id": "mug", "name": "Mug", "quantity": 3,
                               "unit_price": "4.00"}]}
    return Event(0, "order.upserted", key, when, when, payload)


def evening_sales(weeks: int, offset: object = NEW_YORK_WINTER) -> Brain:
    """Monday to Saturday at 21:00 New York (02:00 UTC the next day); closed on Sundays.
    The last order is Saturday 2026-03-07 21:00 New York."""
    brain = Brain(seed=3)
    first_monday = date(2026, 3, 9) - timedelta(weeks=weeks)
    for day in range(7 * weeks - 1):
        local = first_monday + timedelta(days=day)
        if local.weekday() == 6:
            continue
        made = datetime(local.year, local.month, local.day, 21, tzinfo=UTC) + timedelta(hours=5)
        brain.learn(order(str(day), made, offset))
    return brain


def test_an_evening_order_is_on_the_shop_day_and_hour():
    made = datetime(2026, 3, 8, 2, 30, tzinfo=UTC)  # Saturday 21:30 in New York
    seen = order_of(order("1", made))
    assert date.fromordinal(seen.day) == date(2026, 3, 7)
    assert seen.hour == 21
    assert seen.timestamp == made.timestamp()
    remembered = unpack(pack(seen))  # what compensates it later keeps its shop day
    assert (remembered.day, remembered.hour, remembered.utc_offset) == (seen.day, 21, -300)
    unknown = order_of(order("2", made, offset=None))
    assert (date.fromordinal(unknown.day), unknown.hour) == (date(2026, 3, 8), 2)


def test_an_offset_no_timezone_has_is_ignored():
    made = datetime(2026, 3, 8, 2, 30, tzinfo=UTC)
    for odd in (15 * 60, -13 * 60, "-300", True, 2.5):
        seen = order_of(order("1", made, offset=odd))
        assert (date.fromordinal(seen.day), seen.hour) == (date(2026, 3, 8), 2)
        assert seen.utc_offset is None


def test_the_shop_closed_day_is_forecast_on_its_own_calendar():
    forecast = evening_sales(weeks=10).forecast("mug", 7)
    days = {date.fromisoformat(d["date"]).strftime("%a"): d["units"] for d in forecast["days"]}
    # tomorrow is the shop's Sunday 8 March (UTC is already in Sunday at the last order)
    assert forecast["days"][0]["date"] == "2026-03-08"
    assert days["Sun"] < 0.5
    assert min(units for name, units in days.items() if name != "Sun") > 2.0


def test_without_the_offset_the_same_sales_fall_on_utc_days():
    """What the shop saw before orders carried their offset: its closed day moves to Monday."""
    forecast = evening_sales(weeks=10, offset=None).forecast("mug", 7)
    days = {date.fromisoformat(d["date"]).strftime("%a"): d["units"] for d in forecast["days"]}
    assert forecast["days"][0]["date"] == "2026-03-09"
    assert days["Mon"] < 0.5 and days["Sun"] > 2.0


def test_today_follows_the_latest_order_offset_across_daylight_saving():
    brain = Brain(seed=3)
    # Saturday 4 July 2026, 21:00 in New York (UTC-4 in summer) is 01:00 UTC on the 5th
    brain.learn(order("1", datetime(2026, 3, 2, 15, tzinfo=UTC)))
    brain.learn(order("2", datetime(2026, 7, 5, 1, tzinfo=UTC), offset=-240))
    assert brain.forecast("mug", 1)["days"][0]["date"] == "2026-07-05"
    # an order whose offset is unknown leaves the shop's calendar as it was
    brain.learn(order("3", datetime(2026, 7, 5, 1, 30, tzinfo=UTC), offset=None))
    assert brain.forecast("mug", 1)["days"][0]["date"] == "2026-07-05"
    # a shop set to UTC (offset 0) is as known as any other
    brain.learn(order("4", datetime(2026, 7, 6, 2, tzinfo=UTC), offset=0))
    assert brain.forecast("mug", 1)["days"][0]["date"] == "2026-07-07"
    restored = Brain.restore(brain.snapshot())
    assert restored.forecast("mug", 1) == brain.forecast("mug", 1)
