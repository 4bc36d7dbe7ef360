"""The agent's daily usage report: per-day totals from the event log and the served counter."""

from __future__ import annotations

from datetime import date

from connector_agent.cloud.usage import count_served, daily_usage
from connector_agent.eventlog import EventLog
from online_models.events import Event


def event(kind: str, key: str, version: str = "v1") -> Event:
    payload = (
        {"id": key, "status": "completed", "line_items": []} if kind.startswith("order") else {}
    )
    return Event(0, kind, key, version, "2026-11-26T10:00:00Z", payload)


def test_a_day_counts_distinct_orders_impressions_clicks_and_served_requests(
    fresh_store,
    frozen_clock,  # type: ignore[no-untyped-def]
) -> None:
    log = EventLog(fresh_store)
    log.append(
        [
            event("order.upserted", "o1"),
            event("order.upserted", "o1", "v2"),
            event("order.upserted", "o2"),
        ]
    )
    log.append([event("rec_impression", f"imp-{n}") for n in range(3)])
    log.append([event("rec_click", "click-1")])
    count_served(fresh_store, "2026-11-26", 5)
    count_served(fresh_store, "2026-11-26")
    count_served(fresh_store, "2026-11-20", 2)
    frozen_clock.advance(-86_400)  # yesterday: one more order
    EventLog(fresh_store).append([event("order.upserted", "o0")])
    report = daily_usage(fresh_store, today=date(2026, 11, 26), days=3)
    assert report == [
        {
            "day": "2026-11-24",
            "orders_synced": 0,
            "recommendations_served": 0,
            "widget_impressions": 0,
            "widget_clicks": 0,
        },
        {
            "day": "2026-11-25",
            "orders_synced": 1,
            "recommendations_served": 0,
            "widget_impressions": 0,
            "widget_clicks": 0,
        },
        {
            "day": "2026-11-26",
            "orders_synced": 2,
            "recommendations_served": 6,
            "widget_impressions": 3,
            "widget_clicks": 1,
        },
    ]
    # the same day reported again gives the same totals: the cloud counts nothing twice
    assert daily_usage(fresh_store, today=date(2026, 11, 26), days=3) == report
