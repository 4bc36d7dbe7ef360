"""The agent's daily usage report: what it synced and served, per UTC day, as running totals.

Orders synced, widget impressions and clicks are read from the event log (by the day each event
was appended); recommendation requests come from ``usage_counters``, which the local API bumps
with :func:`count_served`. Totals are sent, not increments, so resending a day is harmless.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from connector_agent.store import Store

METRICS = ("orders_synced", "recommendations_served", "widget_impressions", "widget_clicks")
_FROM_LOG = {
    "order.upserted": "orders_synced",
    "rec_impression": "widget_impressions",
    "rec_click": "widget_clicks",
}
#: days re-sent in each report, so a day missed while the cloud was down is sent later
REPORT_DAYS = 7


def count_served(store: Store, day: str, n: int = 1) -> None:
    """Add ``n`` recommendation requests to ``day`` (``YYYY-MM-DD``, UTC)."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO usage_counters (day, metric, count)"
            " VALUES (?, 'recommendations_served', ?)"
            " ON CONFLICT (day, metric) DO UPDATE SET count = count + excluded.count",
            [day, n],
        )


def daily_usage(store: Store, *, today: date, days: int = REPORT_DAYS) -> list[dict[str, Any]]:
    """``[{"day", <metric>: int, …}]`` for the ``days`` days up to ``today``, oldest first."""
    first = (today - timedelta(days=days - 1)).isoformat()
    rows = {
        (today - timedelta(days=back)).isoformat(): dict.fromkeys(METRICS, 0)
        for back in range(days - 1, -1, -1)
    }
    conn = store.db.conn
    logged = conn.execute(
        "SELECT substr(appended_at, 1, 10) AS day, kind, COUNT(DISTINCT key) FROM event_log"
        f" WHERE kind IN ({', '.join('?' * len(_FROM_LOG))}) AND appended_at >= ?"
        " GROUP BY day, kind",
        [*_FROM_LOG, first],
    )
    for day, kind, count in logged:
        if day in rows:
            rows[day][_FROM_LOG[kind]] = int(count)
    counted = conn.execute("SELECT day, metric, count FROM usage_counters WHERE day >= ?", [first])
    for day, metric, count in counted:
        if day in rows and metric in METRICS:
            rows[day][metric] = int(count)
    return [{"day": day, **values} for day, values in rows.items()]
