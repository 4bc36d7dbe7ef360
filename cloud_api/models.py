"""The cloud's peewee models. Times are Unix seconds (UTC) so both backends compare them alike.

The schema itself is created by the numbered files in ``migrations/cloud/``; these classes must
match it.
"""

from __future__ import annotations

from typing import Any

import orjson
import peewee

from cloud_api.db import database


class JSONField(peewee.TextField):
    """A JSON document stored as text (portable across SQLite and PostgreSQL)."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()

    def python_value(self, value: str | None) -> Any:
        return None if value is None else orjson.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class Plan(BaseModel):
    """What a licence sells: features, limits (stores, staging sites), price, a trial."""

    name = peewee.CharField(max_length=64, unique=True)
    features = JSONField()
    limits = JSONField()
    trial_days = peewee.IntegerField(default=0)
    price_cents = peewee.IntegerField(default=0)
    currency = peewee.CharField(max_length=3, default="EUR")
    created_at = peewee.BigIntegerField()


class Tenant(BaseModel):
    """A customer of the vendor; owns licences and stores."""

    name = peewee.CharField(max_length=200, unique=True)
    created_at = peewee.BigIntegerField()


class Licence(BaseModel):
    """A tenant's right to run a plan on up to ``max_stores`` stores until ``expires_at``."""

    tenant = peewee.ForeignKeyField(Tenant, backref="licences", on_delete="RESTRICT")
    plan = peewee.ForeignKeyField(Plan, backref="licences", on_delete="RESTRICT")
    key_hash = peewee.CharField(max_length=64, unique=True)
    key_hint = peewee.CharField(max_length=16)
    status = peewee.CharField(max_length=16, default="active")
    max_stores = peewee.IntegerField()
    max_staging = peewee.IntegerField()
    expires_at = peewee.BigIntegerField()
    trial_ends_at = peewee.BigIntegerField(null=True)
    created_at = peewee.BigIntegerField()
    updated_at = peewee.BigIntegerField()
    #: when it was revoked (billing charges no fee for the months after); revocation is final
    revoked_at = peewee.BigIntegerField(null=True)


class Store(BaseModel):
    """A shop (site URL + agent instance id) activated on a licence."""

    tenant = peewee.ForeignKeyField(Tenant, backref="stores", on_delete="RESTRICT")
    licence = peewee.ForeignKeyField(Licence, backref="stores", on_delete="RESTRICT")
    url = peewee.CharField(max_length=500)
    instance_id = peewee.CharField(max_length=100)
    staging = peewee.BooleanField(default=False)
    offline = peewee.BooleanField(default=False)
    active = peewee.BooleanField(default=True)
    activated_at = peewee.BigIntegerField()
    deactivated_at = peewee.BigIntegerField(null=True)
    last_seen_at = peewee.BigIntegerField(null=True)
    agent_version = peewee.CharField(max_length=50, default="")


class SigningKey(BaseModel):
    """An Ed25519 key; ``kid`` is a fingerprint of the public key. Retired keys still verify."""

    kid = peewee.CharField(max_length=32, primary_key=True)
    public_pem = peewee.TextField()
    private_pem = peewee.TextField()
    encrypted = peewee.BooleanField(default=False)
    created_at = peewee.BigIntegerField()
    retired_at = peewee.BigIntegerField(null=True)


class Staff(BaseModel):
    """A vendor employee who signs in to the console or the staff API."""

    email = peewee.CharField(max_length=254, unique=True)
    role = peewee.CharField(max_length=16)
    password_hash = peewee.CharField(max_length=255, default="")
    totp_secret = peewee.CharField(max_length=64, default="")
    recovery_codes = JSONField(default=list)
    #: the time step (Unix time // 30) of the last TOTP code accepted: older or equal ones are not
    totp_last_step = peewee.BigIntegerField(default=0)
    active = peewee.BooleanField(default=True)
    created_at = peewee.BigIntegerField()


class StaffSession(BaseModel):
    """A signed-in session; the cookie or bearer token is this id signed with itsdangerous."""

    sid = peewee.CharField(max_length=64, primary_key=True)
    staff = peewee.ForeignKeyField(Staff, backref="sessions", on_delete="CASCADE")
    csrf = peewee.CharField(max_length=64)
    verified = peewee.BooleanField(default=False)
    created_at = peewee.BigIntegerField()
    expires_at = peewee.BigIntegerField()


class Counter(BaseModel):
    """A fixed-window counter (rate limits, login throttling) shared by every worker."""

    key = peewee.CharField(max_length=200, primary_key=True)
    window_start = peewee.BigIntegerField()
    count = peewee.IntegerField()


class AuditEntry(BaseModel):
    """Who changed what, from what to what, when."""

    at = peewee.BigIntegerField(index=True)
    actor = peewee.CharField(max_length=300)
    action = peewee.CharField(max_length=64)
    target = peewee.CharField(max_length=100)
    tenant = peewee.ForeignKeyField(Tenant, null=True, on_delete="SET NULL")
    before = JSONField(null=True)
    after = JSONField(null=True)

    class Meta:
        table_name = "audit_log"


class Setting(BaseModel):
    """Process-independent values every worker must share (the session signing secret)."""

    name = peewee.CharField(max_length=64, primary_key=True)
    value = peewee.TextField()


MODELS: list[type[BaseModel]] = [
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
