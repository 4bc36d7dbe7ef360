"""The staff JSON API (``/api/v1``): the console's operations for machines.

Sign in with ``POST /api/v1/login`` and send the returned token as ``Authorization: Bearer``.
Every other route declares one permission (see ``cloud_api.staff.roles``).
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, current_app, jsonify

from cloud_api import activation, audit, directory, licences, plans
from cloud_api.api.access import Ctx, sign_in, staff_route
from cloud_api.api.inputs import client_address, field, json_object
from cloud_api.api.usage import int_arg
from cloud_api.db import in_db, in_db_keeping_counts
from cloud_api.models import Staff
from cloud_api.signing import current_signer
from cloud_api.staff import accounts, sessions
from cloud_api.times import iso, now_s

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1")


def _limit(ctx: Ctx) -> int:
    return min(int_arg(ctx, "limit") or 100, 500)


# ---------------------------------------------------------------- signing in


@bp.post("/login")
async def login() -> Any:
    """``{"email", "password", "code"?}`` -> ``{"token", "expires_at", "staff"}``."""
    body = await json_object()
    settings = dict(current_app.config)
    client = client_address()

    def run() -> dict[str, Any]:
        staff, token, now = sign_in(body, settings, client)
        return {
            "token": token,
            "expires_at": iso(now + settings["SESSION_SECONDS"]),
            "staff": accounts.staff_json(staff),
        }

    return jsonify(await in_db_keeping_counts(run))


@staff_route(bp, "/logout", "read", methods=("POST",))
def logout(ctx: Ctx) -> dict[str, Any]:
    sessions.end(ctx.session)
    return {"signed_out": True}


async def _redeem(purpose: str) -> Any:
    body = await json_object()
    settings = dict(current_app.config)

    def run() -> dict[str, Any]:
        staff, shown = accounts.redeem(
            field(body, "token", str),
            purpose,
            body.get("password"),
            secret=sessions.app_secret(settings["SECRET_KEY"]),
            max_age=settings["ONE_TIME_TOKEN_SECONDS"],
            now=now_s(settings["CLOCK"]),
        )
        return {"staff": accounts.staff_json(staff), **shown}

    return jsonify(await in_db(run))


@bp.post("/staff/accept")
async def accept_invite() -> Any:
    """``{"token", "password"}`` -> the account, plus TOTP secret and recovery codes (once)."""
    return await _redeem("invite")


@bp.post("/password-reset")
async def reset_password() -> Any:
    """``{"token", "password"}`` -> the account, plus new TOTP secret and codes if enrolled."""
    return await _redeem("reset")


@staff_route(bp, "/me", "read")
def me(ctx: Ctx) -> dict[str, Any]:
    return {**accounts.staff_json(ctx.staff), "csrf_token": ctx.session.csrf}


# ---------------------------------------------------------------- tenants, stores, plans


@staff_route(bp, "/tenants", "read")
def tenants(ctx: Ctx) -> dict[str, Any]:
    rows = directory.search_tenants(ctx.args.get("q", ""), limit=_limit(ctx))
    return {"tenants": [directory.tenant_json(t) for t in rows]}


@staff_route(bp, "/tenants", "tenant.create", methods=("POST",))
def create_tenant(ctx: Ctx) -> dict[str, Any]:
    tenant = licences.get_or_create_tenant(
        field(ctx.body, "name", str), actor=ctx.actor, now=ctx.now
    )
    return directory.tenant_json(tenant)


@staff_route(bp, "/tenants/<int:tenant_id>", "read")
def tenant(ctx: Ctx, tenant_id: int) -> dict[str, Any]:
    row = directory.get_tenant(tenant_id)
    return {
        **directory.tenant_json(row),
        "licences": [licences.licence_json(x, ctx.now) for x in licences.search(tenant_id=row.id)],
        "stores": [activation.store_json(s) for s in directory.search_stores(tenant_id=row.id)],
    }


@staff_route(bp, "/stores", "read")
def stores(ctx: Ctx) -> dict[str, Any]:
    rows = directory.search_stores(
        ctx.args.get("q", ""), tenant_id=int_arg(ctx, "tenant_id"), limit=_limit(ctx)
    )
    return {"stores": [activation.store_json(s) for s in rows]}


@staff_route(bp, "/plans", "read")
def plan_list(ctx: Ctx) -> dict[str, Any]:
    return {"plans": [plans.plan_json(p) for p in plans.Plan.select().order_by(plans.Plan.name)]}


@staff_route(bp, "/plans", "plan.manage", methods=("POST",))
def create_plan(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body
    features = field(body, "features", list)
    plan = plans.create_plan(
        field(body, "name", str),
        features,
        stores=field(body, "stores", int, required=False, default=1),
        staging=field(body, "staging", int, required=False, default=1),
        trial_days=field(body, "trial_days", int, required=False, default=0),
        price_cents=field(body, "price_cents", int, required=False, default=0),
        currency=field(body, "currency", str, required=False, default="EUR"),
        actor=ctx.actor,
        now=ctx.now,
    )
    return plans.plan_json(plan)


# ---------------------------------------------------------------- licences


@staff_route(bp, "/licences", "read")
def licence_list(ctx: Ctx) -> dict[str, Any]:
    rows = licences.search(
        query=ctx.args.get("q", ""), tenant_id=int_arg(ctx, "tenant_id"), limit=_limit(ctx)
    )
    return {"licences": [licences.licence_json(x, ctx.now) for x in rows]}


@staff_route(bp, "/licences", "licence.issue", methods=("POST",))
def issue(ctx: Ctx) -> dict[str, Any]:
    """``{"tenant", "plan", "days", "stores"?, "trial"?}`` -> ``{"licence_id", "key", …}``."""
    body = ctx.body
    plan = plans.get_plan(field(body, "plan", str))
    row, key = licences.issue(
        tenant=field(body, "tenant", str),
        plan=plan.name,
        days=field(body, "days", int),
        stores=field(
            body, "stores", int, required=False, default=int(plan.limits.get("stores", 1))
        ),
        trial=field(body, "trial", bool, required=False, default=True),
        actor=ctx.actor,
        now=ctx.now,
    )
    detail = licences.licence_json(row, ctx.now)
    return {"licence_id": row.id, "key": key, "expires_at": detail["expires_at"], "licence": detail}


@staff_route(bp, "/licences/<int:licence_id>", "read")
def licence(ctx: Ctx, licence_id: int) -> dict[str, Any]:
    row = licences.get(licence_id)
    return {
        **licences.licence_json(row, ctx.now),
        "stores": [activation.store_json(s) for s in licences.active_stores(row)],
    }


def _changed(ctx: Ctx, row: Any) -> dict[str, Any]:
    return licences.licence_json(row, ctx.now)


@staff_route(bp, "/licences/<int:licence_id>/extend", "licence.extend", methods=("POST",))
def extend(ctx: Ctx, licence_id: int) -> dict[str, Any]:
    """``{"days"}``: push the expiry further."""
    row = licences.extend(
        licences.get(licence_id), field(ctx.body, "days", int), actor=ctx.actor, now=ctx.now
    )
    return _changed(ctx, row)


@staff_route(bp, "/licences/<int:licence_id>/suspend", "licence.suspend", methods=("POST",))
def suspend(ctx: Ctx, licence_id: int) -> dict[str, Any]:
    return _changed(ctx, licences.suspend(licences.get(licence_id), actor=ctx.actor, now=ctx.now))


@staff_route(bp, "/licences/<int:licence_id>/reactivate", "licence.reactivate", methods=("POST",))
def reactivate(ctx: Ctx, licence_id: int) -> dict[str, Any]:
    row = licences.reactivate(licences.get(licence_id), actor=ctx.actor, now=ctx.now)
    return _changed(ctx, row)


@staff_route(bp, "/licences/<int:licence_id>/revoke", "licence.revoke", methods=("POST",))
def revoke(ctx: Ctx, licence_id: int) -> dict[str, Any]:
    return _changed(ctx, licences.revoke(licences.get(licence_id), actor=ctx.actor, now=ctx.now))


@staff_route(bp, "/licences/<int:licence_id>/plan", "licence.change_plan", methods=("POST",))
def change_plan(ctx: Ctx, licence_id: int) -> dict[str, Any]:
    """``{"plan"}``: takes effect at each store's next check-in."""
    row = licences.change_plan(
        licences.get(licence_id), field(ctx.body, "plan", str), actor=ctx.actor, now=ctx.now
    )
    return _changed(ctx, row)


@staff_route(bp, "/licences/<int:licence_id>/convert", "licence.convert", methods=("POST",))
def convert(ctx: Ctx, licence_id: int) -> dict[str, Any]:
    return _changed(ctx, licences.convert(licences.get(licence_id), actor=ctx.actor, now=ctx.now))


@staff_route(bp, "/licences/<int:licence_id>/token", "licence.token", methods=("POST",))
def offline_token(ctx: Ctx, licence_id: int) -> dict[str, Any]:
    """``{"store_url"}`` -> ``{"token", "expires_at"}``: an offline token (takes a slot)."""
    return activation.offline_token(
        licences.get(licence_id),
        field(ctx.body, "store_url", str),
        signer=current_signer(ctx.settings["KEY_PASSPHRASE"]),
        actor=ctx.actor,
        now=ctx.now,
    )


@staff_route(bp, "/licences/<int:licence_id>/move", "licence.move", methods=("POST",))
def move(ctx: Ctx, licence_id: int) -> dict[str, Any]:
    """``{"from_url", "to_url"}``: deactivate the old store, reserve the slot for the new."""
    return activation.move(
        licences.get(licence_id),
        field(ctx.body, "from_url", str),
        field(ctx.body, "to_url", str),
        actor=ctx.actor,
        now=ctx.now,
    )


@staff_route(
    bp, "/licences/<int:licence_id>/deactivate-store", "store.deactivate", methods=("POST",)
)
def deactivate_store(ctx: Ctx, licence_id: int) -> dict[str, Any]:
    """``{"store_url"}``: free a slot whose agent is gone (a reinstall lost its instance id)."""
    return activation.release(
        licences.get(licence_id), field(ctx.body, "store_url", str), actor=ctx.actor, now=ctx.now
    )


# ---------------------------------------------------------------- audit log and staff


@staff_route(bp, "/audit", "read")
def audit_log(ctx: Ctx) -> dict[str, Any]:
    rows = audit.entries(
        limit=_limit(ctx), tenant_id=int_arg(ctx, "tenant_id"), action=ctx.args.get("action", "")
    )
    return {"entries": [audit.entry_json(e) for e in rows]}


@staff_route(bp, "/staff", "staff.manage")
def staff_list(ctx: Ctx) -> dict[str, Any]:
    return {"staff": [accounts.staff_json(s) for s in Staff.select().order_by(Staff.email)]}


@staff_route(bp, "/staff", "staff.manage", methods=("POST",))
def invite(ctx: Ctx) -> dict[str, Any]:
    """``{"email", "role"}`` -> the pending account and its one-time invite token."""
    staff = accounts.invite(
        ctx.body.get("email"), ctx.body.get("role"), actor=ctx.actor, now=ctx.now
    )
    token = sessions.one_time_token(
        staff, "invite", secret=sessions.app_secret(ctx.settings["SECRET_KEY"])
    )
    return {"staff": accounts.staff_json(staff), "invite_token": token}


@staff_route(bp, "/staff/<int:staff_id>", "staff.manage", methods=("POST",))
def update_staff(ctx: Ctx, staff_id: int) -> dict[str, Any]:
    """``{"role"?, "active"?}`` for someone else (never the last active owner)."""
    return accounts.staff_json(
        accounts.update(accounts.get(staff_id), ctx.body, by=ctx.staff, now=ctx.now)
    )


@staff_route(bp, "/staff/<int:staff_id>/reset", "staff.manage", methods=("POST",))
def reset_staff(ctx: Ctx, staff_id: int) -> dict[str, Any]:
    """``{"two_factor"?: true}`` -> a one-time password-reset token for a staff member (hand it
    over out of band); with ``two_factor`` the reset also enrols TOTP, as a promotion to admin
    or owner needs."""
    staff = accounts.get(staff_id)
    two_factor = field(ctx.body, "two_factor", bool, required=False, default=False)
    accounts.reset_requested(staff, actor=ctx.actor, now=ctx.now, two_factor=two_factor)
    token = sessions.one_time_token(
        staff,
        "reset",
        secret=sessions.app_secret(ctx.settings["SECRET_KEY"]),
        two_factor=two_factor,
    )
    return {"staff": accounts.staff_json(staff), "reset_token": token}
