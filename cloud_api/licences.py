"""Licences: issue, look up by key, and the staff operations (extend, suspend, revoke, plans).

A licence key is shown once at issue and stored only as a SHA-256 hash (it is 192 random bits,
so a fast hash is enough). Every change writes an audit row in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import peewee

from cloud_api import audit
from cloud_api.errors import (
    Conflict,
    InvalidInput,
    LicenceExpired,
    LicenceRevoked,
    LicenceSuspended,
    NotFound,
    Unauthorized,
)
from cloud_api.models import Licence, Plan, Store, Tenant
from cloud_api.plans import get_plan
from cloud_api.times import DAY, iso

KEY_PREFIX = "lbk_"
MAX_DAYS = 3660


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _positive(value: int, field: str, maximum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
        raise InvalidInput(f"{field} must be a whole number from 1 to {maximum}", field=field)
    return value


def get_or_create_tenant(name: str, *, actor: str, now: int) -> Tenant:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("tenant name must be 1 to 200 characters", field="tenant")
    tenant = Tenant.get_or_none(Tenant.name == name)
    if tenant is None:
        tenant = Tenant.create(name=name, created_at=now)
        audit.record(
            actor,
            "tenant.create",
            f"tenant:{tenant.id}",
            now=now,
            tenant_id=tenant.id,
            after={"name": name},
        )
    return tenant


def issue(
    *, tenant: str, plan: str, stores: int, days: int, actor: str, now: int, trial: bool = True
) -> tuple[Licence, str]:
    """A new licence and its secret key (the only time the key is available)."""
    _positive(stores, "stores", 10_000)
    _positive(days, "days", MAX_DAYS)
    plan_row = get_plan(plan)
    owner = get_or_create_tenant(tenant, actor=actor, now=now)
    key = KEY_PREFIX + secrets.token_urlsafe(24)
    trial_ends = now + plan_row.trial_days * DAY if trial and plan_row.trial_days else None
    licence = Licence.create(
        tenant=owner,
        plan=plan_row,
        key_hash=hash_key(key),
        key_hint=key[-4:],
        status="active",
        max_stores=stores,
        max_staging=int(plan_row.limits.get("staging", 0)),
        expires_at=now + days * DAY,
        trial_ends_at=trial_ends,
        created_at=now,
        updated_at=now,
    )
    audit.record(
        actor,
        "licence.issue",
        f"licence:{licence.id}",
        now=now,
        tenant_id=owner.id,
        after=licence_json(licence, now),
    )
    return licence, key


def get(licence_id: int) -> Licence:
    licence = (
        Licence.select(Licence, Tenant, Plan)
        .join(Tenant)
        .switch(Licence)
        .join(Plan)
        .where(Licence.id == licence_id)
        .first()
    )
    if licence is None:
        raise NotFound(f"no licence {licence_id}", field="licence_id")
    return licence


def by_key(key: str) -> Licence:
    """The licence a secret key belongs to; an unknown key is simply unauthorised."""
    if not key.startswith(KEY_PREFIX):
        raise Unauthorized("missing or malformed licence key")
    licence = (
        Licence.select(Licence, Tenant, Plan)
        .join(Tenant)
        .switch(Licence)
        .join(Plan)
        .where(Licence.key_hash == hash_key(key))
        .first()
    )
    if licence is None:
        raise Unauthorized("unknown licence key")
    return licence


def status_of(licence: Licence, now: int) -> str:
    """``active``, ``trial``, ``suspended``, ``revoked`` or ``expired`` (also a lapsed trial)."""
    if licence.status in ("revoked", "suspended"):
        return licence.status
    if licence.expires_at <= now:
        return "expired"
    if licence.trial_ends_at is not None:
        return "trial" if licence.trial_ends_at > now else "expired"
    return "active"


def ensure_usable(licence: Licence, now: int) -> None:
    """Refuse to mint tokens for a licence that is revoked, suspended, expired or past its trial."""
    status = status_of(licence, now)
    if status == "revoked":
        raise LicenceRevoked(f"licence {licence.id} was revoked")
    if status == "suspended":
        raise LicenceSuspended(f"licence {licence.id} is suspended")
    if status == "expired":
        ended = licence.expires_at
        if licence.trial_ends_at is not None and licence.trial_ends_at <= now:
            ended = min(ended, licence.trial_ends_at)
        raise LicenceExpired(f"licence {licence.id} expired on {iso(ended)}")


def unusable(now: int) -> peewee.ColumnBase:
    """The SQL twin of :func:`ensure_usable`: licences revoked, suspended, expired or past their
    trial (for queries over many licences, such as publishing the cross-store lists)."""
    return (
        Licence.status.in_(("revoked", "suspended"))
        | (Licence.expires_at <= now)
        | (Licence.trial_ends_at.is_null(False) & (Licence.trial_ends_at <= now))
    )


def licence_json(licence: Licence, now: int) -> dict[str, Any]:
    return {
        "id": licence.id,
        "tenant": {"id": licence.tenant_id, "name": licence.tenant.name},
        "plan": licence.plan.name,
        "features": sorted(licence.plan.features),
        "status": status_of(licence, now),
        "max_stores": licence.max_stores,
        "max_staging": licence.max_staging,
        "key_hint": f"…{licence.key_hint}",
        "expires_at": iso(licence.expires_at),
        "trial_ends_at": iso(licence.trial_ends_at),
        "created_at": iso(licence.created_at),
    }


def _change(licence: Licence, action: str, actor: str, now: int, **fields: Any) -> Licence:
    before = licence_json(licence, now)
    for name, value in fields.items():
        setattr(licence, name, value)
    licence.updated_at = now
    licence.save()
    audit.record(
        actor,
        action,
        f"licence:{licence.id}",
        now=now,
        tenant_id=licence.tenant_id,
        before=before,
        after=licence_json(licence, now),
    )
    return licence


def _not_revoked(licence: Licence, change: str) -> None:
    """Revocation is final: a revoked licence takes no further change (nor a bill after it)."""
    if licence.status == "revoked":
        raise Conflict(f"licence {licence.id} is revoked and cannot be {change}")


def extend(licence: Licence, days: int, *, actor: str, now: int) -> Licence:
    """Push the expiry ``days`` further (from now if already expired)."""
    _positive(days, "days", MAX_DAYS)
    _not_revoked(licence, "extended")
    return _change(
        licence, "licence.extend", actor, now, expires_at=max(licence.expires_at, now) + days * DAY
    )


def suspend(licence: Licence, *, actor: str, now: int) -> Licence:
    if licence.status != "active":
        raise Conflict(f"licence {licence.id} is {licence.status}, not active")
    return _change(licence, "licence.suspend", actor, now, status="suspended")


def reactivate(licence: Licence, *, actor: str, now: int) -> Licence:
    if licence.status != "suspended":
        raise Conflict(f"licence {licence.id} is {licence.status}, not suspended")
    return _change(licence, "licence.reactivate", actor, now, status="active")


def revoke(licence: Licence, *, actor: str, now: int) -> Licence:
    """Final: the next check-in of every store is refused and the agents degrade to free."""
    if licence.status == "revoked":
        raise Conflict(f"licence {licence.id} is already revoked")
    return _change(licence, "licence.revoke", actor, now, status="revoked", revoked_at=now)


def change_plan(licence: Licence, plan: str, *, actor: str, now: int) -> Licence:
    """Takes effect in the tokens minted from the next check-in on."""
    _not_revoked(licence, "moved to another plan")
    plan_row = get_plan(plan)
    return _change(
        licence,
        "licence.change_plan",
        actor,
        now,
        plan=plan_row,
        max_staging=int(plan_row.limits.get("staging", 0)),
    )


def convert(licence: Licence, *, actor: str, now: int) -> Licence:
    """End the trial as a sale: the licence keeps its paid features until it expires."""
    _not_revoked(licence, "converted")
    if licence.trial_ends_at is None:
        raise Conflict(f"licence {licence.id} is not a trial")
    return _change(licence, "licence.convert", actor, now, trial_ends_at=None)


def search(*, query: str = "", tenant_id: int | None = None, limit: int = 100) -> list[Licence]:
    rows = (
        Licence.select(Licence, Tenant, Plan)
        .join(Tenant)
        .switch(Licence)
        .join(Plan)
        .order_by(Licence.id.desc())
    )
    if tenant_id is not None:
        rows = rows.where(Licence.tenant == tenant_id)
    if query:
        rows = rows.where(Tenant.name.contains(query))
    return list(rows.limit(limit))


def active_stores(licence: Licence) -> list[Store]:
    return list(
        Store.select().where((Store.licence == licence.id) & Store.active).order_by(Store.id)
    )
