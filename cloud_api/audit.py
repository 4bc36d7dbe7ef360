"""The audit log: one row for every change, with who, what, before, after and when."""

from __future__ import annotations

from typing import Any

from cloud_api.models import AuditEntry
from cloud_api.times import iso


def record(
    actor: str,
    action: str,
    target: str,
    *,
    now: int,
    tenant_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append an audit row in the caller's transaction (so a failed change leaves none)."""
    AuditEntry.create(
        at=now,
        actor=actor,
        action=action,
        target=target,
        tenant=tenant_id,
        before=before,
        after=after,
    )


def entries(
    *, limit: int = 100, tenant_id: int | None = None, action: str = ""
) -> list[AuditEntry]:
    """The newest entries first, optionally for one tenant or one action."""
    query = AuditEntry.select().order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if tenant_id is not None:
        query = query.where(AuditEntry.tenant == tenant_id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(query.limit(limit))


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "tenant_id": entry.tenant_id,
        "before": entry.before,
        "after": entry.after,
    }
