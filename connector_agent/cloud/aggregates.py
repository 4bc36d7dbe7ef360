"""The daily aggregates a store contributes to the cloud's cross-store fallback lists.

Only item-level facts leave the shop: for each product sold in the window, its category path,
its normalised title, its GTIN when it has one, and the number of orders containing it. Never a
customer, an order id, a price or a date finer than the window. The exact payload is documented
in ``docs/cloud/fallbacks.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import orjson

from connector_agent.cloud.titles import normalise_title
from connector_agent.store import Store, paid_order_sql

SCHEMA = "luxebrain-fallback-aggregates/1"
WINDOW_DAYS = 30
MAX_ITEMS = 5000
NON_PRODUCT = "non_product"


@dataclass(frozen=True, slots=True)
class ItemSales:
    title: str
    category_path: tuple[str, ...]
    gtin: str | None
    orders: int


def payload(sales: Iterable[ItemSales], *, start: date, end: date) -> dict[str, Any]:
    """The upload body (without ``store_url``/``instance_id``): best sellers first, capped."""
    items: list[dict[str, Any]] = []
    for sale in sorted(sales, key=lambda s: (-s.orders, s.title)):
        title = normalise_title(sale.title)[:200]
        if sale.orders > 0 and title and len(items) < MAX_ITEMS:
            item = {
                "category_path": list(sale.category_path),
                "title": title,
                "orders": sale.orders,
            }
            items.append({**item, "gtin": sale.gtin} if sale.gtin else item)
    return {
        "schema": SCHEMA,
        "window": {"start": start.isoformat(), "end": end.isoformat()},
        "items": items,
    }


def _path(categories_json: str | None, line_category: str | None) -> tuple[str, ...]:
    names = [c.get("name") for c in orjson.loads(categories_json or "[]") if isinstance(c, dict)]
    first = next((str(n) for n in names if n), None) or line_category
    return (first,) if first else ()


def from_store(store: Store, *, today: date, days: int = WINDOW_DAYS) -> dict[str, Any]:
    """Aggregate the paid orders of the last ``days`` days (up to yesterday) of the store."""
    end = today - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    rows = store.db.conn.execute(
        """
        SELECT li.product_id, COALESCE(NULLIF(p.name, ''), MAX(li.name)), p.categories,
               MAX(li.category), p.gtin, COUNT(DISTINCT o.id)
        FROM line_items li
        JOIN orders o ON o.id = li.order_id
        LEFT JOIN products p ON p.id = li.product_id
        WHERE o.deleted_at IS NULL AND {paid}
          AND substr(o.created_at, 1, 10) BETWEEN ? AND ?
          AND li.quantity > 0 AND COALESCE(li.category, '') != ?
        GROUP BY li.product_id
        """.format(paid=paid_order_sql("o")),
        [start.isoformat(), end.isoformat(), NON_PRODUCT],
    )
    sales = [
        ItemSales(title or "", _path(categories, category), gtin or None, int(orders))
        for _, title, categories, category, gtin, orders in rows
    ]
    return payload(sales, start=start, end=end)
