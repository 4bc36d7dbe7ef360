"""Local facts the normaliser needs from the store: a product's category for an order line."""

from __future__ import annotations

import orjson

from connector_agent.store import Store


class CategoryLookup:
    """``lookup(product_id) -> first category name or None``, read from the products table.

    With ``preload`` the whole table is read on first use (a backfill of many orders costs one
    query); without it (a single webhook) each product is read by id. A miss is asked again
    next time, so a product synced a moment ago is found.
    """

    def __init__(self, store: Store, *, preload: bool = True) -> None:
        self.store = store
        self._names: dict[str, str | None] = {}
        self._loaded = not preload

    def __call__(self, product_id: str) -> str | None:
        if product_id not in self._names:
            self._load(product_id if self._loaded else None)
        return self._names.get(product_id)

    def _load(self, product_id: str | None) -> None:
        sql = "SELECT id, categories FROM products"
        args: list[str] = []
        if product_id is not None:
            sql += " WHERE id = ?"
            args = [product_id]
        for key, categories in self.store.db.conn.execute(sql, args):
            names = orjson.loads(categories) if categories else []
            self._names[key] = names[0].get("name") if names else None
        self._loaded = True
