"""Recommendation analytics: counts, CTR and last-click attributed revenue from the event log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from connector_agent.analytics import recommendation_analytics
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from online_models.events import Event, version_of

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def browsing(kind: str, at: str, product: str, placement: str | None, **extra: object) -> Event:
    payload = {
        "session_id": "session-1",
        "customer_id": extra.pop("customer_id", None),
        "product_id": product,
        "placement": placement,
        "source": "co_purchase",
        "recommended_ids": extra.pop("shown", []),
    }
    return Event(0, kind, str(uuid.uuid4()), "1", at, payload)


def order(
    order_id: str, customer: str, at: str, lines: list[tuple[str, int, str]], **kw: str
) -> Event:
    payload = {
        "id": order_id,
        "status": kw.get("status", "completed"),
        "customer_id": customer,
        "created_at": at,
        "paid_at": kw.get("paid_at"),
        "line_items": [
            {"product_id": p, "variation_id": None, "quantity": q, "unit_price": price}
            for p, q, price in lines
        ],
        "refunds": [],
    }
    return Event(0, "order.upserted", order_id, version_of(at, payload), at, payload)


@pytest.fixture
def log() -> EventLog:
    return EventLog(Store.memory())


def report(log: EventLog, **kw: int) -> dict:
    return recommendation_analytics(
        log.store, now=NOW, period_days=kw.get("period_days", 30), attribution_days=7
    )


def test_counts_impressions_items_clicks_and_ctr_per_placement(log: EventLog) -> None:
    log.append(
        [
            browsing("rec_impression", "2026-03-20T10:00:00Z", "1", "product", shown=["2", "3"]),
            browsing("rec_impression", "2026-03-21T10:00:00Z", "1", "product", shown=["2"]),
            browsing("rec_impression", "2026-03-21T10:00:00Z", "5", "cart", shown=["6", "7", "8"]),
            browsing("rec_click", "2026-03-21T10:01:00Z", "2", "product"),
            browsing("view", "2026-03-21T10:02:00Z", "2", None),
            # before the period: not counted
            browsing("rec_impression", "2026-02-01T10:00:00Z", "1", "product", shown=["2"]),
        ]
    )
    result = report(log)
    assert result["from"] == "2026-03-01T12:00:00Z" and result["to"] == "2026-03-31T12:00:00Z"
    assert result["placements"]["product"] == {
        "impressions": 2,
        "items_shown": 3,
        "clicks": 1,
        "ctr": 0.5,
        "attributed_orders": 0,
        "attributed_revenue": "0.00",
    }
    assert result["placements"]["cart"]["ctr"] == 0.0
    assert result["total"]["impressions"] == 3 and result["total"]["clicks"] == 1
    assert result["total"]["ctr"] == round(1 / 3, 4)


def test_revenue_is_attributed_to_the_last_click_within_the_window(log: EventLog) -> None:
    log.append(
        [
            browsing("rec_click", "2026-03-10T09:00:00Z", "P", "product", customer_id="c1"),
            browsing("rec_click", "2026-03-11T09:00:00Z", "P", "cart", customer_id="c1"),
            browsing("rec_click", "2026-03-11T09:00:00Z", "R", "thankyou", customer_id="c1"),
            # two days later: P attributed to the last click (cart); Q was never clicked
            order("o1", "c1", "2026-03-13T09:00:00Z", [("P", 2, "10.00"), ("Q", 1, "99.00")]),
            # R bought 9 days after its click: outside the 7-day window
            order("o2", "c1", "2026-03-20T09:00:00Z", [("R", 1, "5.00")]),
            # another customer buying P: not theirs to attribute
            order("o3", "c2", "2026-03-12T09:00:00Z", [("P", 1, "10.00")]),
            # a cancelled order earns nothing
            order("o4", "c1", "2026-03-12T09:00:00Z", [("P", 1, "10.00")], status="cancelled"),
        ]
    )
    result = report(log)
    assert result["placements"]["cart"]["attributed_orders"] == 1
    assert result["placements"]["cart"]["attributed_revenue"] == "20.00"
    assert result["placements"]["product"]["attributed_revenue"] == "0.00"
    assert result["placements"]["thankyou"]["attributed_orders"] == 0
    assert result["total"]["attributed_orders"] == 1
    assert result["total"]["attributed_revenue"] == "20.00"


def test_a_plugins_status_counts_as_paid_with_a_payment_date(log: EventLog) -> None:
    at = "2026-03-13T09:00:00Z"
    log.append(
        [
            browsing("rec_click", "2026-03-11T09:00:00Z", "P", "cart", customer_id="c1"),
            order("o1", "c1", at, [("P", 1, "7.00")], status="delivered", paid_at=at),
            order("o2", "c1", at, [("P", 1, "5.00")], status="awaiting-proof"),
            order("o3", "c1", at, [("P", 1, "3.00")], status="on-hold", paid_at=at),
        ]
    )
    assert report(log)["placements"]["cart"]["attributed_revenue"] == "7.00"


def test_an_order_before_the_click_is_not_attributed(log: EventLog) -> None:
    log.append(
        [
            order("o1", "c1", "2026-03-10T09:00:00Z", [("P", 1, "10.00")]),
            browsing("rec_click", "2026-03-10T10:00:00Z", "P", "product", customer_id="c1"),
        ]
    )
    assert report(log)["total"]["attributed_revenue"] == "0.00"


def test_guest_clicks_count_but_earn_no_revenue(log: EventLog) -> None:
    log.append(
        [
            browsing("rec_click", "2026-03-10T09:00:00Z", "P", "shortcode"),
            order("o1", "c1", "2026-03-11T09:00:00Z", [("P", 1, "10.00")]),
        ]
    )
    shortcode = report(log)["placements"]["shortcode"]
    assert shortcode["clicks"] == 1 and shortcode["ctr"] is None
    assert shortcode["attributed_orders"] == 0


def test_events_without_a_placement_are_reported_as_unknown(log: EventLog) -> None:
    log.append([browsing("rec_click", "2026-03-10T09:00:00Z", "P", None)])
    assert report(log)["placements"]["unknown"]["clicks"] == 1


def test_bad_periods_are_refused(log: EventLog) -> None:
    with pytest.raises(ValueError, match="positive"):
        report(log, period_days=0)
