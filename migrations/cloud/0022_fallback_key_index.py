"""An index on the aggregates' item key: publishing first finds the keys sold by at least k
stores by walking this index (no sort of every uploaded row), then aggregates only those."""

from __future__ import annotations

import peewee


def up(db: peewee.Database) -> None:
    db.execute_sql("CREATE INDEX fallback_aggregate_item_key ON fallback_aggregate (item_key)")
