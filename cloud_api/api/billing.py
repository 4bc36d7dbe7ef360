"""Billing routes: a shop's own usage and invoices (licence key); invoices, the close, flags and
plan terms for staff in the JSON API and the console (plan upgrades and downgrades:
``POST /api/v1/licences/<id>/plan``)."""

from __future__ import annotations

from typing import Any

from quart import Blueprint

from cloud_api import billing, usage
from cloud_api.api.access import Ctx, staff_route
from cloud_api.api.console import Page, Redirect, console_route
from cloud_api.api.usage import int_arg, licensed_get, period_arg
from cloud_api.errors import InvalidInput
from cloud_api.models import Licence
from cloud_api.plans import get_plan

bp = Blueprint("billing", __name__)


def account(licence: Licence, now: int) -> dict[str, Any]:
    """What the shop owner sees on the plugin's LuxeBrain page: their tenant's data only."""
    tenant_id = licence.tenant_id
    return {
        "tenant": licence.tenant.name,
        "plan": billing.terms_of(licence.plan),
        "reduced_limits": billing.token_limits(licence.id),
        "usage": usage.summary(tenant_id=tenant_id),
        "invoices": [billing.invoice_json(i) for i in billing.invoices(tenant_id=tenant_id)],
    }


@bp.get("/v1/agent/billing")
async def own_account() -> Any:
    """``{"tenant", "plan", "reduced_limits", "usage": [...], "invoices": [...]}``."""
    return await licensed_get(account)


@staff_route(bp, "/api/v1/invoices", "read")
def staff_invoices(ctx: Ctx) -> dict[str, Any]:
    """``?tenant_id=&period=YYYY-MM`` -> ``{"invoices": [...]}`` (with lines)."""
    rows = billing.invoices(tenant_id=int_arg(ctx, "tenant_id"), period=period_arg(ctx))
    return {"invoices": [billing.invoice_json(i) for i in rows]}


@staff_route(bp, "/api/v1/billing/close", "plan.manage", methods=("POST",))
def staff_close(ctx: Ctx) -> dict[str, Any]:
    """``{"period": "YYYY-MM"}``: close the month (a second close changes nothing)."""
    return billing.close(ctx.body.get("period"), actor=ctx.actor, now=ctx.now)


@staff_route(bp, "/api/v1/billing/flags", "read")
def staff_flags(ctx: Ctx) -> dict[str, Any]:
    """Licences over their included usage: ``?tenant_id=&period=``."""
    return {"flags": billing.flags(tenant_id=int_arg(ctx, "tenant_id"), period=period_arg(ctx))}


@staff_route(bp, "/api/v1/plan-terms", "read")
def staff_terms(ctx: Ctx) -> dict[str, Any]:
    """``?plan=pro`` -> the plan's fee, included units, overage prices and over-limit policy."""
    return billing.terms_of(get_plan(ctx.args.get("plan", "")))


@staff_route(bp, "/api/v1/plan-terms", "plan.manage", methods=("POST",))
def staff_set_terms(ctx: Ctx) -> dict[str, Any]:
    """``{"plan", "included"?, "overage_per_1000_cents"?, "over_limit_policy"?,
    "reduced_limits"?}``; the next close and the next tokens use them."""
    plan = ctx.body.get("plan")
    if not isinstance(plan, str):
        raise InvalidInput("plan is required", field="plan")
    return billing.set_terms(plan, ctx.body, actor=ctx.actor, now=ctx.now)


@console_route("/billing", "read")
def billing_invoices(ctx: Ctx) -> Page:
    tenant_id, period = int_arg(ctx, "tenant_id"), period_arg(ctx)
    rows = billing.invoices(tenant_id=tenant_id, period=period)
    return Page(
        "billing_invoices.html",
        {
            "period": period,
            "tenant_id": tenant_id,
            "invoices": [billing.invoice_json(i) for i in rows],
            "flags": billing.flags(tenant_id=tenant_id, period=period),
        },
    )


@console_route("/billing/close", "plan.manage", methods=("POST",))
def billing_close(ctx: Ctx) -> Redirect:
    result = billing.close(ctx.body.get("period"), actor=ctx.actor, now=ctx.now)
    return Redirect("console.billing_invoices", {"period": result["period"]})
