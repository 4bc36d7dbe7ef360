"""Cross-store fallbacks: tenant verticals, each store's latest aggregates, published lists."""

from __future__ import annotations

import peewee


def up(db: peewee.Database) -> None:
    class Base(peewee.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Tenant(Base):
        name = peewee.CharField(max_length=200, unique=True)

    class Store(Base):
        tenant = peewee.ForeignKeyField(Tenant, on_delete="RESTRICT")

    class TenantVertical(Base):
        tenant = peewee.ForeignKeyField(Tenant, primary_key=True, on_delete="CASCADE")
        vertical = peewee.CharField(max_length=64)
        updated_at = peewee.BigIntegerField()

    class FallbackUpload(Base):
        store = peewee.ForeignKeyField(Store, primary_key=True, on_delete="CASCADE")
        window_start = peewee.CharField(max_length=10)
        window_end = peewee.CharField(max_length=10)
        items = peewee.IntegerField()
        received_at = peewee.BigIntegerField()

    class FallbackAggregate(Base):
        store = peewee.ForeignKeyField(Store, on_delete="CASCADE", index=False)
        item_key = peewee.CharField(max_length=80)
        category = peewee.CharField(max_length=500)
        title = peewee.CharField(max_length=200)
        gtin = peewee.CharField(max_length=14, default="")
        orders = peewee.IntegerField()

        class Meta:
            primary_key = peewee.CompositeKey("store", "item_key")

    class FallbackItem(Base):
        vertical = peewee.CharField(max_length=64)
        item_key = peewee.CharField(max_length=80)
        category = peewee.CharField(max_length=500)
        title = peewee.CharField(max_length=200)
        gtin = peewee.CharField(max_length=14, default="")
        stores = peewee.IntegerField()
        orders = peewee.BigIntegerField()
        published_at = peewee.BigIntegerField()

        class Meta:
            primary_key = peewee.CompositeKey("vertical", "item_key")
            indexes = ((("vertical", "category", "stores"), False),)

    db.create_tables([TenantVertical, FallbackUpload, FallbackAggregate, FallbackItem])
