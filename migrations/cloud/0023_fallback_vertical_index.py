"""Each aggregate row carries its store's vertical, and one covering index serves publishing.

With ``(vertical, item_key, store_id, orders)`` indexed, publishing counts stores and sums orders
per (vertical, item) by walking the index in order: no join, no sort, no hash table, whatever
the number of uploaded rows. It replaces the item-key index of 0022.
"""

from __future__ import annotations

import peewee


def up(db: peewee.Database) -> None:
    db.execute_sql(
        "ALTER TABLE fallback_aggregate ADD COLUMN vertical VARCHAR(64) NOT NULL DEFAULT 'general'"
    )
    db.execute_sql(
        "UPDATE fallback_aggregate SET vertical = COALESCE((SELECT tv.vertical FROM store s"
        " JOIN tenant_vertical tv ON tv.tenant_id = s.tenant_id"
        " WHERE s.id = fallback_aggregate.store_id), 'general')"
    )
    db.execute_sql("DROP INDEX fallback_aggregate_item_key")
    db.execute_sql(
        "CREATE INDEX fallback_aggregate_publish"
        " ON fallback_aggregate (vertical, item_key, store_id, orders)"
    )
