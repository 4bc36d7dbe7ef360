"""Staff access for the JSON API and the console: who is signed in, CSRF, and the role check.

Every staff route is declared with one permission through :func:`staff_route`; the declaration
is recorded in :data:`ROUTE_PERMISSIONS`, which the role x route matrix test walks.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quart import Blueprint, current_app, jsonify, request

from cloud_api.api.inputs import json_object
from cloud_api.db import in_db
from cloud_api.errors import CsrfFailed, Forbidden, Unauthorized
from cloud_api.models import Staff, StaffSession
from cloud_api.staff import accounts, sessions
from cloud_api.staff.roles import can
from cloud_api.times import now_s

COOKIE = "lb_session"
SAFE_METHODS = ("GET", "HEAD")
ROUTE_PERMISSIONS: dict[str, str] = {}


@dataclass(frozen=True)
class Ctx:
    """What a staff handler gets: the signed-in staff member, the time, the input."""

    staff: Staff
    session: StaffSession
    now: int
    body: dict[str, Any]
    args: dict[str, str]
    settings: dict[str, Any]

    @property
    def actor(self) -> str:
        return accounts.actor_name(self.staff)


@dataclass(frozen=True)
class Credentials:
    token: str | None
    via_cookie: bool
    csrf: str
    method: str


def sign_in(
    given: dict[str, Any], settings: dict[str, Any], client: str
) -> tuple[Staff, str, int]:
    """(staff, session token, now) for ``given`` email, password and code (2FA); for the JSON
    API and the console alike, inside a database call (throttled per client and account)."""
    now = now_s(settings["CLOCK"])
    staff = accounts.authenticate(
        given.get("email"),
        given.get("password"),
        given.get("code"),
        client=client,
        now=now,
        max_failures=settings["LOGIN_MAX_FAILURES"],
        window=settings["LOGIN_WINDOW_SECONDS"],
    )
    token = sessions.start(
        staff,
        secret=sessions.app_secret(settings["SECRET_KEY"]),
        now=now,
        ttl=settings["SESSION_SECONDS"],
        two_factor=bool(staff.totp_secret),
    )
    return staff, token, now


def credentials(csrf: str) -> Credentials:
    """A bearer token (machines) or the session cookie (the console, which then needs CSRF)."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return Credentials(value.strip(), False, csrf, request.method)
    return Credentials(request.cookies.get(COOKIE), True, csrf, request.method)


def authorise(
    creds: Credentials, permission: str, settings: dict[str, Any], now: int
) -> sessions.SignedIn:
    """The signed-in staff member if the session is live, CSRF holds and the role allows."""
    if not creds.token:
        raise Unauthorized("sign in first")
    signed = sessions.resume(
        creds.token, secret=sessions.app_secret(settings["SECRET_KEY"]), now=now
    )
    if (
        creds.via_cookie
        and creds.method not in SAFE_METHODS
        and not hmac.compare_digest(creds.csrf.encode(), signed.session.csrf.encode())
    ):
        raise CsrfFailed("missing or wrong CSRF token; reload the page and try again")
    if not can(signed.staff.role, permission):
        raise Forbidden(f"the {signed.staff.role} role may not do this ({permission})")
    return signed


def staff_route(
    bp: Blueprint, rule: str, permission: str, *, methods: tuple[str, ...] = ("GET",)
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a JSON staff route whose sync handler ``fn(ctx, **url_args) -> dict`` runs in
    one database transaction after authentication and the role check."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        async def view(**url_args: Any) -> Any:
            writes = request.method not in SAFE_METHODS
            body = await json_object(empty_ok=True) if writes else {}
            creds = credentials(request.headers.get("X-CSRF-Token", ""))
            settings, args = dict(current_app.config), request.args.to_dict()

            def run() -> Any:
                now = now_s(settings["CLOCK"])
                signed = authorise(creds, permission, settings, now)
                ctx = Ctx(signed.staff, signed.session, now, body, args, settings)
                return fn(ctx, **url_args)

            return jsonify(await in_db(run))

        view.__name__ = fn.__name__
        view.__doc__ = fn.__doc__
        ROUTE_PERMISSIONS[f"{bp.name}.{fn.__name__}"] = permission
        bp.add_url_rule(rule, fn.__name__, view, methods=list(methods))
        return fn

    return register
