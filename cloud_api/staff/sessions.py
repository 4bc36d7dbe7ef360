"""Staff sessions and one-time tokens, signed with ``itsdangerous``, checked against the database.

A session cookie (or bearer token) is a random session id signed with the app secret; the row
in ``staff_session`` makes it revocable and shared by every worker. One-time tokens (invite,
password reset) carry a fingerprint of the password hash, so using one (which sets a new
password) spends it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from cloud_api.errors import InvalidInput, Unauthorized
from cloud_api.models import Setting, Staff, StaffSession
from cloud_api.staff.passwords import fingerprint

PURPOSES = ("invite", "reset")


def app_secret(configured: str) -> str:
    """The configured secret, else one created once and shared through the database."""
    if configured:
        return configured
    Setting.insert(
        name="secret_key", value=secrets.token_urlsafe(48)
    ).on_conflict_ignore().execute()
    return Setting.get_by_id("secret_key").value


@dataclass(frozen=True)
class SignedIn:
    staff: Staff
    session: StaffSession


def start(staff: Staff, *, secret: str, now: int, ttl: int, two_factor: bool) -> str:
    """Create a session row; return the signed id to hand out as cookie or bearer token."""
    sid = secrets.token_urlsafe(32)
    StaffSession.create(
        sid=sid,
        staff=staff,
        csrf=secrets.token_urlsafe(24),
        verified=two_factor,
        created_at=now,
        expires_at=now + ttl,
    )
    StaffSession.delete().where(StaffSession.expires_at <= now).execute()
    return URLSafeSerializer(secret, salt="session").dumps(sid)


def resume(token: str, *, secret: str, now: int) -> SignedIn:
    """The live session behind a signed token, or Unauthorized."""
    try:
        sid = URLSafeSerializer(secret, salt="session").loads(token)
    except BadSignature:
        raise Unauthorized("not signed in") from None
    row = (
        StaffSession.select(StaffSession, Staff)
        .join(Staff)
        .where((StaffSession.sid == sid) & (StaffSession.expires_at > now))
        .first()
    )
    if row is None or not row.staff.active:
        raise Unauthorized("session expired; sign in again")
    return SignedIn(row.staff, row)


def end(session: StaffSession) -> None:
    StaffSession.delete().where(StaffSession.sid == session.sid).execute()


def end_all(staff: Staff) -> None:
    StaffSession.delete().where(StaffSession.staff == staff.id).execute()


@dataclass(frozen=True)
class Redeemed:
    """Whom a one-time token was made for, and whether redeeming it enrols two-factor."""

    staff: Staff
    two_factor: bool


def one_time_token(staff: Staff, purpose: str, *, secret: str, two_factor: bool = False) -> str:
    """A signed token for ``purpose``; ``two_factor``: redeeming it enrols TOTP (a reset made
    before promoting a support or read-only account to admin or owner)."""
    return URLSafeTimedSerializer(secret, salt=f"one-time:{purpose}").dumps(
        {"staff": staff.id, "fp": fingerprint(staff.password_hash), "totp": two_factor}
    )


def redeem(token: str, purpose: str, *, secret: str, max_age: int) -> Redeemed:
    """The staff member a one-time token was made for, if it is genuine, fresh and unspent."""
    serializer = URLSafeTimedSerializer(secret, salt=f"one-time:{purpose}")
    try:
        data: Any = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidInput(f"this {purpose} link has expired", field="token") from None
    except BadSignature:
        raise InvalidInput(f"not a valid {purpose} token", field="token") from None
    staff = Staff.get_or_none(Staff.id == data.get("staff"))
    if staff is None or not staff.active or fingerprint(staff.password_hash) != data.get("fp"):
        raise InvalidInput(f"this {purpose} token was already used", field="token")
    return Redeemed(staff, data.get("totp") is True)
