"""Staff accounts: create, invite, accept, sign in (throttled, two-factor), reset, change role.

Owners and admins must use TOTP; it is enrolled when their password is first set, and the
secret and recovery codes are shown once.
"""

from __future__ import annotations

import re
import secrets
from functools import cache
from typing import Any

from cloud_api import audit, ratelimit
from cloud_api.db import locked
from cloud_api.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthorized,
)
from cloud_api.models import Staff
from cloud_api.staff import sessions, totp
from cloud_api.staff.passwords import check_strength, hash_password, verify_password
from cloud_api.staff.roles import ROLES, TOTP_REQUIRED
from cloud_api.staff.sessions import end_all

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: Any) -> str:
    if not isinstance(value, str) or not _EMAIL.match(value.strip()) or len(value) > 254:
        raise InvalidInput("a valid email address is required", field="email")
    return value.strip().lower()


def _role(value: Any) -> str:
    if value not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
    return str(value)


def _password(value: Any) -> str:
    problem = "password is required" if not isinstance(value, str) else check_strength(value)
    if problem:
        raise InvalidInput(problem, field="password")
    return str(value)


def actor_name(staff: Staff) -> str:
    """How a staff member is named in the audit log."""
    return f"staff:{staff.email}"


def staff_json(staff: Staff) -> dict[str, Any]:
    return {
        "id": staff.id,
        "email": staff.email,
        "role": staff.role,
        "active": staff.active,
        "two_factor": bool(staff.totp_secret),
        "pending": not staff.password_hash,
    }


def _set_password(staff: Staff, password: str, *, enrol: bool) -> dict[str, Any]:
    """Store a new password; enrol TOTP when asked or required. Returns what to show once."""
    staff.password_hash = hash_password(_password(password))
    shown: dict[str, Any] = {}
    if enrol or staff.role in TOTP_REQUIRED:
        staff.totp_secret = totp.new_secret()
        codes, hashes = totp.new_recovery_codes()
        staff.recovery_codes = hashes
        staff.totp_last_step = 0  # a new secret: no code of it was used yet
        shown = {
            "totp_secret": staff.totp_secret,
            "recovery_codes": codes,
            "otpauth_uri": totp.provisioning_uri(staff.totp_secret, staff.email),
        }
    staff.save()
    end_all(staff)
    return shown


def create(
    email: Any, role: Any, password: Any, *, actor: str, now: int, enrol_totp: bool = False
) -> tuple[Staff, dict[str, Any]]:
    """An active account with a password (the CLI's ``staff create``)."""
    address, role = _email(email), _role(role)
    if Staff.get_or_none(Staff.email == address) is not None:
        raise Conflict(f"staff {address} already exists", field="email")
    staff = Staff.create(email=address, role=role, created_at=now)
    shown = _set_password(staff, password, enrol=enrol_totp)
    audit.record(actor, "staff.create", f"staff:{staff.id}", now=now, after=staff_json(staff))
    return staff, shown


def invite(email: Any, role: Any, *, actor: str, now: int) -> Staff:
    """A pending account with no password; the caller hands out an invite token."""
    address, role = _email(email), _role(role)
    if Staff.get_or_none(Staff.email == address) is not None:
        raise Conflict(f"staff {address} already exists", field="email")
    staff = Staff.create(email=address, role=role, created_at=now)
    audit.record(actor, "staff.invite", f"staff:{staff.id}", now=now, after=staff_json(staff))
    return staff


def set_password(
    staff: Staff, password: Any, *, action: str, now: int, enrol: bool = False
) -> dict[str, Any]:
    """Accepting an invite or a reset: new password, fresh two-factor for owners and admins, for
    accounts that had it, and when the reset asked for it (``enrol``: before a promotion)."""
    shown = _set_password(staff, password, enrol=enrol or bool(staff.totp_secret))
    audit.record(actor_name(staff), action, f"staff:{staff.id}", now=now, after=staff_json(staff))
    return shown


#: what redeeming a one-time token of each purpose is recorded as
REDEEMED_AS = {"invite": "staff.accept_invite", "reset": "staff.reset_password"}


def redeem(
    token: Any, purpose: str, password: Any, *, secret: str, max_age: int, now: int
) -> tuple[Staff, dict[str, Any]]:
    """Accept an invite or a reset with its one-time token: the account and what to show once
    (the staff JSON API and the console's password pages both come here)."""
    if not isinstance(token, str) or not token:
        raise InvalidInput("token is required", field="token")
    redeemed = sessions.redeem(token, purpose, secret=secret, max_age=max_age)
    shown = set_password(
        redeemed.staff,
        password,
        action=REDEEMED_AS[purpose],
        now=now,
        enrol=redeemed.two_factor,
    )
    return redeemed.staff, shown


def reset_requested(staff: Staff, *, actor: str, now: int, two_factor: bool = False) -> None:
    """Record that ``actor`` made a password-reset link for ``staff`` (the link itself is not
    kept: it is shown once to hand over); ``two_factor``: the reset enrols TOTP."""
    after = {"two_factor": two_factor}
    audit.record(actor, "staff.reset_requested", f"staff:{staff.id}", now=now, after=after)


def update(staff: Staff, body: dict[str, Any], *, by: Staff, now: int) -> Staff:
    """Change role and/or active flag of someone else; a role needing TOTP is refused until it
    is enrolled, and no change may leave the team without an active owner."""
    if staff.id == by.id:
        raise Forbidden("you cannot change your own role or active flag; ask another owner")
    before = staff_json(staff)
    if "role" in body:
        staff.role = _role(body["role"])
        if staff.role in TOTP_REQUIRED and not staff.totp_secret:
            raise InvalidInput(
                "owners and admins need two-factor: make a password reset with two-factor "
                "for the account first",
                field="role",
            )
    if "active" in body:
        if not isinstance(body["active"], bool):
            raise InvalidInput("active must be true or false", field="active")
        staff.active = body["active"]
    if before["role"] == "owner" and before["active"] and not _active_owner(staff):
        _keep_an_owner(staff)
    staff.save()
    if not staff.active:
        end_all(staff)
    audit.record(
        actor_name(by),
        "staff.update",
        f"staff:{staff.id}",
        now=now,
        before=before,
        after=staff_json(staff),
    )
    return staff


def _active_owner(staff: Staff) -> bool:
    return staff.role == "owner" and bool(staff.active)


def _keep_an_owner(staff: Staff) -> None:
    """Refuse taking ``staff`` out of the owners when no other active owner is left. The owner
    rows are locked first, so two owners demoting each other at once cannot both pass."""
    owners = locked(
        Staff.select(Staff.id)
        .where((Staff.role == "owner") & (Staff.active == True))  # noqa: E712
        .order_by(Staff.id)
    )
    others = [row.id for row in owners if row.id != staff.id]
    if not others:
        raise Conflict("this would leave no active owner")


def get(staff_id: int) -> Staff:
    staff = Staff.get_or_none(Staff.id == staff_id)
    if staff is None:
        raise NotFound(f"no staff {staff_id}", field="staff_id")
    return staff


def authenticate(
    email: Any, password: Any, code: Any, *, client: str, now: int, max_failures: int, window: int
) -> Staff:
    """Check password and second factor, throttled per address and per client.

    Returns the staff member or raises Unauthorized / RateLimited; attempts are counted in the
    caller's transaction, which must commit even when this raises.
    """
    address = email.strip().lower() if isinstance(email, str) else ""
    email_key, client_key = f"login:email:{address}", f"login:client:{client}"
    _count_attempt([email_key, client_key], now=now, max_failures=max_failures, window=window)
    staff = Staff.get_or_none(Staff.email == address)
    ok = _password_ok(staff, password)
    if ok and staff is not None:
        ok = _second_factor(staff, code, now)
    if not ok or staff is None:
        raise Unauthorized("wrong email, password or code")
    ratelimit.clear(email_key)
    ratelimit.take_back(client_key, window, now)  # a client's failures on other accounts stay
    ratelimit.prune(now - 2 * 86400)  # sign-ins are rare: tidy windows of up to a day
    return staff


def _count_attempt(keys: list[str], *, now: int, max_failures: int, window: int) -> None:
    """Count the attempt as a failure before checking anything, and refuse it over the limit.

    Counting first, not after the slow password check: each counter's upsert locks its row
    until commit, so parallel guesses on one address (or from one client) queue up and each
    sees the ones before it. A success takes its count back.
    """
    for key in keys:
        if ratelimit.add(key, window, now) > max_failures:
            raise RateLimited(
                "too many failed sign-ins; try again later",
                retry_after=ratelimit.window_start(now, window) + window - now,
            )


@cache
def _unusable_hash() -> str:
    """A hash no password matches, checked when there is no usable account (made once)."""
    return hash_password(secrets.token_urlsafe(32))


def _password_ok(staff: Staff | None, password: Any) -> bool:
    """Whether ``password`` opens ``staff``. Always one scrypt check, also for an unknown,
    deactivated or pending account, so the response time does not tell which exist."""
    usable = staff is not None and staff.active and bool(staff.password_hash)
    stored = staff.password_hash if usable and staff is not None else _unusable_hash()
    given = password if isinstance(password, str) else ""
    return verify_password(given, stored) and usable


def _second_factor(staff: Staff, code: Any, now: int) -> bool:
    if not staff.totp_secret:
        return staff.role not in TOTP_REQUIRED
    if not isinstance(code, str) or not code.strip():
        return False
    code = code.strip()
    step = totp.verify_code(staff.totp_secret, code, now)
    if step is not None:
        # each code once: only a step later than the last accepted one, taken by one conditional
        # UPDATE (a concurrent sign-in with the same code waits for this row, then matches none)
        taken = (
            Staff.update(totp_last_step=step)
            .where((Staff.id == staff.id) & (Staff.totp_last_step < step))
            .execute()
        )
        return bool(taken)
    hashed = totp.hash_recovery_code(code)
    # read the codes again under a row lock: two sign-ins at once must not both spend one
    current = locked(Staff.select(Staff.recovery_codes).where(Staff.id == staff.id)).get()
    if hashed not in current.recovery_codes:
        return False
    left = [h for h in current.recovery_codes if h != hashed]
    Staff.update(recovery_codes=left).where(Staff.id == staff.id).execute()
    staff.recovery_codes = left
    return True
