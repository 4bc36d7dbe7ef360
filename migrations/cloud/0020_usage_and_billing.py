"""Usage metering and billing: plan terms, daily usage, invoices, flags, closes, payments.

Billing terms live beside ``plan`` (one row per plan) rather than as new ``plan`` columns, so the
licences schema stays untouched. The three seeded plans get terms here.
"""

from __future__ import annotations

import json

import peewee

#: plan name -> (included units per month, overage cents per 1,000 units, policy, reduced limits)
TERMS = {
    "starter": (
        {
            "orders_synced": 1_000,
            "recommendations_served": 50_000,
            "widget_impressions": 100_000,
            "widget_clicks": 10_000,
        },
        {"orders_synced": 1_000, "recommendations_served": 50},
        "reduce",
        {"recommendations_per_day": 500},
    ),
    "pro": (
        {
            "orders_synced": 10_000,
            "recommendations_served": 500_000,
            "widget_impressions": 1_000_000,
            "widget_clicks": 100_000,
        },
        {"orders_synced": 500, "recommendations_served": 30},
        "bill",
        {},
    ),
    "pro-trial": (
        {
            "orders_synced": 1_000,
            "recommendations_served": 50_000,
            "widget_impressions": 100_000,
            "widget_clicks": 10_000,
        },
        {},
        "reduce",
        {"recommendations_per_day": 500},
    ),
}


def up(db: peewee.Database) -> None:
    class Base(peewee.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Plan(Base):
        name = peewee.CharField(max_length=64, unique=True)

    class Tenant(Base):
        name = peewee.CharField(max_length=200, unique=True)

    class Licence(Base):
        tenant = peewee.ForeignKeyField(Tenant, on_delete="RESTRICT")

    class Store(Base):
        tenant = peewee.ForeignKeyField(Tenant, on_delete="RESTRICT")

    class PlanTerms(Base):
        plan = peewee.ForeignKeyField(Plan, primary_key=True, on_delete="CASCADE")
        included = peewee.TextField()
        overage_per_1000_cents = peewee.TextField()
        over_limit_policy = peewee.CharField(max_length=16)
        reduced_limits = peewee.TextField()

    class UsageDay(Base):
        store = peewee.ForeignKeyField(Store, on_delete="RESTRICT")
        licence = peewee.ForeignKeyField(Licence, on_delete="RESTRICT")
        tenant = peewee.ForeignKeyField(Tenant, on_delete="RESTRICT")
        day = peewee.CharField(max_length=10)
        orders_synced = peewee.BigIntegerField(default=0)
        recommendations_served = peewee.BigIntegerField(default=0)
        widget_impressions = peewee.BigIntegerField(default=0)
        widget_clicks = peewee.BigIntegerField(default=0)
        first_reported_at = peewee.BigIntegerField()
        updated_at = peewee.BigIntegerField()

        class Meta:
            indexes = ((("store", "day"), True), (("tenant", "day"), False))

    class Invoice(Base):
        tenant = peewee.ForeignKeyField(Tenant, on_delete="RESTRICT")
        period = peewee.CharField(max_length=7)
        number = peewee.CharField(max_length=32, unique=True)
        status = peewee.CharField(max_length=16)
        currency = peewee.CharField(max_length=3)
        total_cents = peewee.BigIntegerField()
        terms = peewee.TextField()
        created_at = peewee.BigIntegerField()
        paid_at = peewee.BigIntegerField(null=True)
        failed_at = peewee.BigIntegerField(null=True)

        class Meta:
            indexes = ((("tenant", "period"), True),)

    class InvoiceLine(Base):
        invoice = peewee.ForeignKeyField(Invoice, on_delete="CASCADE")
        licence = peewee.ForeignKeyField(Licence, null=True, on_delete="RESTRICT")
        kind = peewee.CharField(max_length=16)
        metric = peewee.CharField(max_length=32, default="")
        usage_period = peewee.CharField(max_length=7)
        quantity = peewee.BigIntegerField(default=0)
        amount_cents = peewee.BigIntegerField(default=0)
        description = peewee.CharField(max_length=300)

    class UsageFlag(Base):
        licence = peewee.ForeignKeyField(Licence, on_delete="CASCADE")
        tenant = peewee.ForeignKeyField(Tenant, on_delete="CASCADE")
        period = peewee.CharField(max_length=7)
        over = peewee.TextField()
        policy = peewee.CharField(max_length=16)
        reduced_limits = peewee.TextField()
        created_at = peewee.BigIntegerField()

        class Meta:
            indexes = ((("licence", "period"), True),)

    class BillingClose(Base):
        period = peewee.CharField(max_length=7, primary_key=True)
        closed_at = peewee.BigIntegerField()
        invoices = peewee.IntegerField()

    class PaymentEvent(Base):
        event_id = peewee.CharField(max_length=255, primary_key=True)
        type = peewee.CharField(max_length=100)
        invoice = peewee.ForeignKeyField(Invoice, null=True, on_delete="SET NULL")
        outcome = peewee.CharField(max_length=32)
        received_at = peewee.BigIntegerField()

    db.create_tables(
        [PlanTerms, UsageDay, Invoice, InvoiceLine, UsageFlag, BillingClose, PaymentEvent]
    )
    param = db.param
    for name, (included, overage, policy, reduced) in TERMS.items():
        row = db.execute_sql(f"SELECT id FROM plan WHERE name = {param}", (name,)).fetchone()
        if row is None:
            continue
        db.execute_sql(
            "INSERT INTO plan_terms"
            " (plan_id, included, overage_per_1000_cents, over_limit_policy, reduced_limits)"
            f" VALUES ({', '.join([param] * 5)})",
            (row[0], json.dumps(included), json.dumps(overage), policy, json.dumps(reduced)),
        )
