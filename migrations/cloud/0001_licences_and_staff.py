"""Tenants, plans, licences, stores, signing keys, staff, sessions, counters, audit log, settings.

The schema is frozen here (never imported from ``cloud_api.models``) so later model changes
need a new migration, not an edit.
"""

from __future__ import annotations

import peewee


def up(db: peewee.Database) -> None:
    class Base(peewee.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Plan(Base):
        name = peewee.CharField(max_length=64, unique=True)
        features = peewee.TextField()
        limits = peewee.TextField()
        trial_days = peewee.IntegerField(default=0)
        price_cents = peewee.IntegerField(default=0)
        currency = peewee.CharField(max_length=3, default="EUR")
        created_at = peewee.BigIntegerField()

    class Tenant(Base):
        name = peewee.CharField(max_length=200, unique=True)
        created_at = peewee.BigIntegerField()

    class Licence(Base):
        tenant = peewee.ForeignKeyField(Tenant, on_delete="RESTRICT")
        plan = peewee.ForeignKeyField(Plan, on_delete="RESTRICT")
        key_hash = peewee.CharField(max_length=64, unique=True)
        key_hint = peewee.CharField(max_length=16)
        status = peewee.CharField(max_length=16, default="active")
        max_stores = peewee.IntegerField()
        max_staging = peewee.IntegerField()
        expires_at = peewee.BigIntegerField()
        trial_ends_at = peewee.BigIntegerField(null=True)
        created_at = peewee.BigIntegerField()
        updated_at = peewee.BigIntegerField()

    class Store(Base):
        tenant = peewee.ForeignKeyField(Tenant, on_delete="RESTRICT")
        licence = peewee.ForeignKeyField(Licence, on_delete="RESTRICT")
        url = peewee.CharField(max_length=500, index=True)
        instance_id = peewee.CharField(max_length=100)
        staging = peewee.BooleanField(default=False)
        offline = peewee.BooleanField(default=False)
        active = peewee.BooleanField(default=True)
        activated_at = peewee.BigIntegerField()
        deactivated_at = peewee.BigIntegerField(null=True)
        last_seen_at = peewee.BigIntegerField(null=True)
        agent_version = peewee.CharField(max_length=50, default="")

        class Meta:
            indexes = ((("licence", "url"), True),)

    class SigningKey(Base):
        kid = peewee.CharField(max_length=32, primary_key=True)
        public_pem = peewee.TextField()
        private_pem = peewee.TextField()
        encrypted = peewee.BooleanField(default=False)
        created_at = peewee.BigIntegerField()
        retired_at = peewee.BigIntegerField(null=True)

    class Staff(Base):
        email = peewee.CharField(max_length=254, unique=True)
        role = peewee.CharField(max_length=16)
        password_hash = peewee.CharField(max_length=255, default="")
        totp_secret = peewee.CharField(max_length=64, default="")
        recovery_codes = peewee.TextField(default="[]")
        active = peewee.BooleanField(default=True)
        created_at = peewee.BigIntegerField()

    class StaffSession(Base):
        sid = peewee.CharField(max_length=64, primary_key=True)
        staff = peewee.ForeignKeyField(Staff, on_delete="CASCADE")
        csrf = peewee.CharField(max_length=64)
        verified = peewee.BooleanField(default=False)
        created_at = peewee.BigIntegerField()
        expires_at = peewee.BigIntegerField(index=True)

    class Counter(Base):
        key = peewee.CharField(max_length=200, primary_key=True)
        window_start = peewee.BigIntegerField()
        count = peewee.IntegerField()

    class AuditEntry(Base):
        at = peewee.BigIntegerField(index=True)
        actor = peewee.CharField(max_length=300)
        action = peewee.CharField(max_length=64)
        target = peewee.CharField(max_length=100)
        tenant = peewee.ForeignKeyField(Tenant, null=True, on_delete="SET NULL")
        before = peewee.TextField(null=True)
        after = peewee.TextField(null=True)

        class Meta:
            table_name = "audit_log"

    class Setting(Base):
        name = peewee.CharField(max_length=64, primary_key=True)
        value = peewee.TextField()

    db.create_tables(
        [
            Plan,
            Tenant,
            Licence,
            Store,
            SigningKey,
            Staff,
            StaffSession,
            Counter,
            AuditEntry,
            Setting,
        ]
    )
