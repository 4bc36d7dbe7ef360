"""Who may do what. Every staff route names one permission; this table decides.

owner: everything, including staff accounts. admin: everything but staff accounts.
support: read, extend, suspend and reactivate licences. read-only: read.
"""

from __future__ import annotations

ROLES = ("owner", "admin", "support", "read-only")
TOTP_REQUIRED = frozenset({"owner", "admin"})

_SUPPORT = frozenset({"read", "licence.extend", "licence.suspend", "licence.reactivate"})
_ADMIN = _SUPPORT | {
    "tenant.create",
    "plan.manage",
    "licence.issue",
    "licence.revoke",
    "licence.change_plan",
    "licence.convert",
    "licence.token",
    "licence.move",
    "store.deactivate",
}
GRANTS: dict[str, frozenset[str]] = {
    "owner": frozenset(_ADMIN | {"staff.manage"}),
    "admin": frozenset(_ADMIN),
    "support": _SUPPORT,
    "read-only": frozenset({"read"}),
}
PERMISSIONS = GRANTS["owner"]


def can(role: str, permission: str) -> bool:
    """Whether ``role`` holds ``permission`` (unknown permissions are a programming error)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    return permission in GRANTS.get(role, frozenset())
