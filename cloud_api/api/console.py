"""The server-rendered console (``/console``): search, licence operations, the audit log.

Signed in by the ``lb_session`` cookie (HttpOnly, SameSite=Lax); every form carries the
session's CSRF token (the sign-in form a double-submit token), and a post without it is refused.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quart import Blueprint, Response, current_app, redirect, render_template, request, url_for

from cloud_api import activation, audit, directory, licences, plans
from cloud_api.api.access import (
    COOKIE,
    ROUTE_PERMISSIONS,
    SAFE_METHODS,
    Ctx,
    authorise,
    credentials,
    sign_in,
)
from cloud_api.api.inputs import client_address, whole_number
from cloud_api.db import in_db, in_db_keeping_counts
from cloud_api.errors import CsrfFailed, Unauthorized
from cloud_api.models import Store
from cloud_api.staff import accounts, sessions
from cloud_api.staff.roles import can
from cloud_api.times import now_s

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="../templates")
LOGIN_CSRF_COOKIE = "lb_login_csrf"


@dataclass(frozen=True)
class Page:
    template: str
    context: dict[str, Any]


@dataclass(frozen=True)
class Redirect:
    endpoint: str
    values: dict[str, Any]
    signed_out: bool = False  # the session ended: the browser forgets its cookie too


def _number(form: dict[str, str], name: str) -> int:
    return whole_number(form.get(name, ""), name)


def console_route(
    rule: str, permission: str, *, methods: tuple[str, ...] = ("GET",)
) -> Callable[[Callable[..., Page | Redirect]], Callable[..., Any]]:
    """Register a console page whose sync handler returns a Page or a Redirect."""

    def register(fn: Callable[..., Page | Redirect]) -> Callable[..., Any]:
        async def view(**url_args: Any) -> Any:
            reading = request.method in SAFE_METHODS
            form = {} if reading else (await request.form).to_dict()
            creds = credentials(form.get("csrf_token", ""))
            if not creds.token and reading:
                return _to_sign_in()
            settings, args = dict(current_app.config), request.args.to_dict()

            def run() -> tuple[Page | Redirect, Ctx]:
                now = now_s(settings["CLOCK"])
                signed = authorise(creds, permission, settings, now)
                ctx = Ctx(signed.staff, signed.session, now, form, args, settings)
                return fn(ctx, **url_args), ctx

            try:
                result, ctx = await in_db(run)
            except Unauthorized:
                if not reading:
                    raise
                return _to_sign_in()  # signed out elsewhere, expired or revoked
            if isinstance(result, Redirect):
                response = redirect(url_for(result.endpoint, **result.values))
                if result.signed_out:
                    _forget_session(response)
                return response
            return await render_template(
                result.template,
                me=accounts.staff_json(ctx.staff),
                csrf=ctx.session.csrf,
                allowed=lambda p: can(ctx.staff.role, p),
                **result.context,
            )

        name = fn.__name__
        view.__name__ = name
        ROUTE_PERMISSIONS[f"{bp.name}.{name}"] = permission
        bp.add_url_rule(rule, name, view, methods=list(methods))
        return view

    return register


def _forget_session(response: Response) -> None:
    """Delete the session cookie (set with ``path="/"`` at sign-in)."""
    response.delete_cookie(COOKIE, path="/")


def _to_sign_in() -> Response:
    """To the sign-in page, forgetting a session cookie that no longer signs anyone in (else
    every page would answer 401 until the browser dropped it)."""
    response = redirect(url_for("console.login_form"))
    _forget_session(response)
    return response


@bp.after_request
async def _protect(response: Response) -> Response:
    """Pages show keys and personal data: never cached, never framed, only our own resources."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    return response


# ---------------------------------------------------------------- signing in and out


@bp.get("/login")
async def login_form() -> Response:
    token = secrets.token_urlsafe(24)
    html = await render_template("login.html", login_csrf=token, error=None, me=None)
    response = Response(html, content_type="text/html")
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=current_app.config["SECURE_COOKIES"],
        path="/console/login",
    )
    return response


@bp.post("/login")
async def login() -> Any:
    form = (await request.form).to_dict()
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, form.get("csrf_token", "")):
        raise CsrfFailed("the sign-in form expired; reload it and try again")
    settings, client = dict(current_app.config), client_address()

    def run() -> str:
        return sign_in(form, settings, client)[1]

    try:
        token = await in_db_keeping_counts(run)
    except Unauthorized as exc:
        html = await render_template("login.html", login_csrf=expected, error=exc.message, me=None)
        return Response(html, status=401, content_type="text/html")
    response = redirect(url_for("console.home"))
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        path="/",
        secure=settings["SECURE_COOKIES"],
        max_age=settings["SESSION_SECONDS"],
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console/login")
    return response


@console_route("/logout", "read", methods=("POST",))
def logout(ctx: Ctx) -> Redirect:
    sessions.end(ctx.session)
    return Redirect("console.login_form", {}, signed_out=True)


# ---------------------------------------------------------------- pages


@console_route("/", "read")
def home(ctx: Ctx) -> Page:
    query = ctx.args.get("q", "").strip()
    return Page(
        "home.html",
        {
            "q": query,
            "tenants": [
                directory.tenant_json(t) for t in directory.search_tenants(query, limit=50)
            ],
            "stores": [activation.store_json(s) for s in directory.search_stores(query, limit=50)],
            "licences": [
                licences.licence_json(x, ctx.now) for x in licences.search(query=query, limit=50)
            ],
        },
    )


@console_route("/tenants/<int:tenant_id>", "read")
def tenant(ctx: Ctx, tenant_id: int) -> Page:
    row = directory.get_tenant(tenant_id)
    return Page(
        "tenant.html",
        {
            "tenant": directory.tenant_json(row),
            "licences": [
                licences.licence_json(x, ctx.now) for x in licences.search(tenant_id=row.id)
            ],
            "stores": [activation.store_json(s) for s in directory.search_stores(tenant_id=row.id)],
        },
    )


@console_route("/licences/<int:licence_id>", "read")
def licence(ctx: Ctx, licence_id: int) -> Page:
    row = licences.get(licence_id)
    targets = _targets(row)
    return Page(
        "licence.html",
        {
            "licence": licences.licence_json(row, ctx.now),
            "stores": [activation.store_json(s) for s in licences.active_stores(row)],
            "plans": [p.name for p in plans.Plan.select().order_by(plans.Plan.name)],
            "done": LICENCE_NOTICES.get(ctx.args.get("done", "")),
            "history": [
                audit.entry_json(e)
                for e in audit.entries(tenant_id=row.tenant_id, limit=200)
                if e.target in targets
            ][:30],
        },
    )


def _targets(row: Any) -> set[str]:
    """Audit targets that belong to a licence: itself and every store it ever activated."""
    stores = Store.select(Store.id).where(Store.licence == row.id)
    return {f"licence:{row.id}"} | {f"store:{s.id}" for s in stores}


@console_route("/licences/new", "licence.issue")
def issue_form(ctx: Ctx) -> Page:
    return Page(
        "issue.html",
        {
            "plans": [plans.plan_json(p) for p in plans.Plan.select().order_by(plans.Plan.name)],
            "issued": None,
        },
    )


@console_route("/licences/new", "licence.issue", methods=("POST",))
def issue(ctx: Ctx) -> Page:
    form = ctx.body
    plan = plans.get_plan(form.get("plan", ""))
    stores = _number(form, "stores") if form.get("stores") else int(plan.limits.get("stores", 1))
    row, key = licences.issue(
        tenant=form.get("tenant", ""),
        plan=plan.name,
        stores=stores,
        days=_number(form, "days"),
        trial=form.get("trial") == "on",
        actor=ctx.actor,
        now=ctx.now,
    )
    return Page(
        "issue.html",
        {"plans": [], "issued": {"licence": licences.licence_json(row, ctx.now), "key": key}},
    )


#: what the licence page says after each action (the ``done`` argument names one; any other
#: text shows nothing, so a crafted link cannot put words on the page)
LICENCE_NOTICES = {
    "extend": "licence extended",
    "suspend": "licence suspended",
    "reactivate": "licence reactivated",
    "revoke": "licence revoked",
    "convert": "trial converted",
    "plan": "plan changed",
    "deactivate-store": "store deactivated",
}


def _licence_action(action: str, permission: str, change: Callable[[Ctx, Any], Any]) -> None:
    def handler(ctx: Ctx, licence_id: int) -> Redirect:
        change(ctx, licences.get(licence_id))
        return Redirect("console.licence", {"licence_id": licence_id, "done": action})

    handler.__name__ = f"licence_{action.replace('-', '_')}"
    console_route(f"/licences/<int:licence_id>/{action}", permission, methods=("POST",))(handler)


_licence_action(
    "extend",
    "licence.extend",
    lambda ctx, row: licences.extend(row, _number(ctx.body, "days"), actor=ctx.actor, now=ctx.now),
)
for _name in ("suspend", "reactivate", "revoke", "convert"):
    _licence_action(
        _name,
        f"licence.{_name}",
        lambda ctx, row, op=getattr(licences, _name): op(row, actor=ctx.actor, now=ctx.now),
    )
_licence_action(
    "deactivate-store",
    "store.deactivate",
    lambda ctx, row: activation.release(
        row, ctx.body.get("store_url", ""), actor=ctx.actor, now=ctx.now
    ),
)
_licence_action(
    "plan",
    "licence.change_plan",
    lambda ctx, row: licences.change_plan(
        row, ctx.body.get("plan", ""), actor=ctx.actor, now=ctx.now
    ),
)


@console_route("/audit", "read")
def audit_log(ctx: Ctx) -> Page:
    action = ctx.args.get("action", "")
    return Page(
        "audit.html",
        {
            "action": action,
            "entries": [audit.entry_json(e) for e in audit.entries(limit=200, action=action)],
        },
    )
