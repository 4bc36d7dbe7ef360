"""Recommendation analytics: reporting with SQL over the event log and the orders tables.

Per placement, over a period: widget impressions (``rec_impression`` events) and the items they
showed, clicks (``rec_click``), click-through rate (clicks / impressions), and the revenue
attributed to recommendations. Attribution is last-click, per order line: a line of a paid
order (``store.paid_order_sql``) is attributed when the same customer clicked that product in a
widget within ``attribution_days`` before the order was created; the latest such click names the
placement. Guests' clicks carry no customer id and cannot be linked to orders, so they count as
clicks but never as revenue. This is reporting, not learning: the models are not involved.

>>> from datetime import UTC, datetime
>>> from connector_agent.store import Store
>>> report = recommendation_analytics(
...     Store.memory(), now=datetime(2026, 1, 31, tzinfo=UTC), period_days=30, attribution_days=7)
>>> report["from"], report["total"]["ctr"], report["total"]["attributed_revenue"]
('2026-01-01T00:00:00Z', None, '0.00')
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from connector_agent.store import Store, paid_order_sql
from online_models.events import format_time

UNKNOWN_PLACEMENT = "unknown"

_COUNTS = """
SELECT COALESCE(json_extract(payload, '$.placement'), :unknown) AS placement,
       SUM(kind = 'rec_impression'),
       SUM(CASE WHEN kind = 'rec_impression'
                THEN COALESCE(json_array_length(payload, '$.recommended_ids'), 0) ELSE 0 END),
       SUM(kind = 'rec_click')
FROM event_log
WHERE kind IN ('rec_impression', 'rec_click') AND occurred_at >= :since AND occurred_at <= :until
GROUP BY placement
"""

_REVENUE = """
WITH clicks AS (
    SELECT json_extract(payload, '$.customer_id') AS customer_id,
           json_extract(payload, '$.product_id') AS product_id,
           COALESCE(json_extract(payload, '$.placement'), :unknown) AS placement,
           julianday(occurred_at) AS at
    FROM event_log
    WHERE kind = 'rec_click' AND occurred_at >= :since AND occurred_at <= :until
      AND json_extract(payload, '$.customer_id') IS NOT NULL
),
attributed AS (
    SELECT o.id AS order_id,
           li.quantity * CAST(li.unit_price AS REAL) AS revenue,
           (SELECT c.placement FROM clicks AS c
            WHERE c.customer_id = o.customer_id AND c.product_id = li.product_id
              AND c.at <= julianday(o.created_at)
              AND c.at >= julianday(o.created_at) - :days
            ORDER BY c.at DESC LIMIT 1) AS placement
    FROM orders AS o JOIN line_items AS li ON li.order_id = o.id
    WHERE o.deleted_at IS NULL AND {paid}
      AND o.customer_id IN (SELECT customer_id FROM clicks)
)
SELECT placement, COUNT(DISTINCT order_id), SUM(revenue)
FROM attributed WHERE placement IS NOT NULL GROUP BY placement
UNION ALL
SELECT NULL, COUNT(DISTINCT order_id), SUM(revenue)
FROM attributed WHERE placement IS NOT NULL
""".format(paid=paid_order_sql("o"))


def _figures(
    impressions: int, items: int, clicks: int, orders: int, revenue: float
) -> dict[str, Any]:
    return {
        "impressions": impressions,
        "items_shown": items,
        "clicks": clicks,
        "ctr": round(clicks / impressions, 4) if impressions else None,
        "attributed_orders": orders,
        "attributed_revenue": f"{revenue:.2f}",
    }


def recommendation_analytics(
    store: Store, *, now: datetime, period_days: int, attribution_days: int
) -> dict[str, Any]:
    """The report for the ``period_days`` up to ``now``, per placement and in total."""
    if period_days < 1 or attribution_days < 1:
        raise ValueError("period_days and attribution_days must be positive")
    params = {
        "since": format_time(now - timedelta(days=period_days)),
        "until": format_time(now),
        "days": attribution_days,
        "unknown": UNKNOWN_PLACEMENT,
    }
    conn = store.db.conn
    counts = {row[0]: row[1:] for row in conn.execute(_COUNTS, params)}
    revenue = {row[0]: row[1:] for row in conn.execute(_REVENUE, params)}
    placements = {
        name: _figures(*counts.get(name, (0, 0, 0)), *revenue.get(name, (0, 0.0)))
        for name in sorted(set(counts) | (set(revenue) - {None}))
    }
    total_orders, total_revenue = revenue.get(None) or (0, 0.0)
    total = _figures(
        sum(c[0] for c in counts.values()),
        sum(c[1] for c in counts.values()),
        sum(c[2] for c in counts.values()),
        total_orders,
        total_revenue or 0.0,
    )
    return {
        "from": params["since"],
        "to": params["until"],
        "attribution_days": attribution_days,
        "placements": placements,
        "total": total,
    }
