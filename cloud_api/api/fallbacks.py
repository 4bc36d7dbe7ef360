"""Cross-store fallback routes: agents upload aggregates and fetch their vertical's top list;
staff read the lists, publish them and set tenants' verticals."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, request

from cloud_api import fallbacks, licences
from cloud_api.api.access import Ctx, staff_route
from cloud_api.api.agent import licensed
from cloud_api.api.console import Page, Redirect, console_route
from cloud_api.api.usage import active_store, int_arg, licensed_get
from cloud_api.errors import Forbidden, InvalidInput
from cloud_api.models import Licence
from luxebrain.digits import is_digits

bp = Blueprint("fallbacks", __name__)


def _upload(
    licence: Licence, body: dict[str, Any], now: int, settings: dict[str, Any]
) -> dict[str, Any]:
    licences.ensure_usable(licence, now)  # a revoked or lapsed licence's data never counts
    store = active_store(licence, body)
    return fallbacks.upload(store, body, now=now)


@bp.post("/v1/agent/fallbacks/aggregates")
async def upload() -> Any:
    """The store's daily aggregates (``docs/cloud/fallbacks.md``) -> ``{"items", "window"}``."""
    request.max_content_length = 2 * 1024 * 1024
    return await licensed(_upload)


@bp.get("/v1/agent/fallbacks")
async def top_list() -> Any:
    """The licence's vertical top list: ``?category=a>b&limit=200``."""
    category = request.args.get("category") or None
    limit = request.args.get("limit", "200")
    if not is_digits(limit):
        raise InvalidInput("limit must be a whole number from 1 to 1000", field="limit")

    def read(licence: Licence, now: int) -> dict[str, Any]:
        licences.ensure_usable(licence, now)  # a paid feature: refused as the check-in is
        if "cloud_fallback" not in licence.plan.features:
            raise Forbidden(f"plan {licence.plan.name} does not include cloud_fallback")
        vertical = fallbacks.vertical_of(licence.tenant_id)
        return fallbacks.top(vertical, category=category, limit=int(limit))

    return await licensed_get(read)


@staff_route(bp, "/api/v1/fallbacks", "read")
def staff_list(ctx: Ctx) -> dict[str, Any]:
    """``?vertical=general&category=&limit=`` -> the list and the vertical's categories."""
    vertical = ctx.args.get("vertical") or fallbacks.DEFAULT_VERTICAL
    listed = fallbacks.top(
        vertical, category=ctx.args.get("category") or None, limit=int_arg(ctx, "limit") or 200
    )
    return {**listed, "categories": fallbacks.categories(vertical)}


@staff_route(bp, "/api/v1/fallbacks/publish", "plan.manage", methods=("POST",))
def staff_publish(ctx: Ctx) -> dict[str, Any]:
    """``{"k"?: 3}``: rebuild every vertical's list now."""
    return fallbacks.publish(k=ctx.body.get("k", fallbacks.DEFAULT_K), now=ctx.now)


@staff_route(bp, "/api/v1/tenants/<int:tenant_id>/vertical", "tenant.create", methods=("POST",))
def staff_vertical(ctx: Ctx, tenant_id: int) -> dict[str, Any]:
    """``{"vertical": "garden"}``: the tenant's shop category for the fallback lists."""
    vertical = fallbacks.set_vertical(
        tenant_id, ctx.body.get("vertical"), actor=ctx.actor, now=ctx.now
    )
    return {"tenant_id": tenant_id, "vertical": vertical}


@console_route("/fallbacks", "read")
def fallback_list(ctx: Ctx) -> Page:
    vertical = ctx.args.get("vertical") or fallbacks.DEFAULT_VERTICAL
    listed = fallbacks.top(vertical, limit=200)
    return Page("fallback_list.html", {**listed, "categories": fallbacks.categories(vertical)})


@console_route("/fallbacks/publish", "plan.manage", methods=("POST",))
def fallback_publish(ctx: Ctx) -> Redirect:
    raw = str(ctx.body.get("k", fallbacks.DEFAULT_K)).strip()
    if not is_digits(raw):
        raise InvalidInput("k must be a whole number >= 2", field="k")
    fallbacks.publish(k=int(raw), now=ctx.now)
    return Redirect("console.fallback_list", {})
