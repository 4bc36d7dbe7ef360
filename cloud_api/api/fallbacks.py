"""Cross-store fallback routes: agents upload aggregates and fetch their vertical's top list;
staff read the lists, publish them and set tenants' verticals."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, request

from cloud_api import fallbacks, licences
from cloud_api.api.access import Ctx, staff_route
from cloud_api.api.agent import licensed
from cloud_api.api.console import Page, Redirect, console_route
from cloud_api.api.inputs import field, whole_number
from cloud_api.api.usage import active_store, int_arg, licensed_get
from cloud_api.errors import Forbidden, InvalidInput
from cloud_api.models import Licence

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
    limit = whole_number(request.args.get("limit", "200"), "limit")

    def read(licence: Licence, now: int) -> dict[str, Any]:
        licences.ensure_usable(licence, now)  # a paid feature: refused as the check-in is
        if "cloud_fallback" not in licence.plan.features:
            raise Forbidden(f"plan {licence.plan.name} does not include cloud_fallback")
        vertical = fallbacks.vertical_of(licence.tenant_id)
        return fallbacks.top(vertical, category=category, limit=limit)

    return await licensed_get(read)


@staff_route(bp, "/api/v1/fallbacks", "read")
def staff_list(ctx: Ctx) -> dict[str, Any]:
    """``?vertical=general&category=&limit=`` -> the list and the vertical's categories."""
    vertical = ctx.args.get("vertical") or fallbacks.DEFAULT_VERTICAL
    listed = fallbacks.top(
        vertical, category=ctx.args.get("category") or None, limit=int_arg(ctx, "limit") or 200
    )
    return {**listed, "categories": fallbacks.categories(vertical)}


def _staff_k(k: int) -> int:
    """The k staff may publish with: never below the default, so a console click or an API call
    cannot publish items fewer shops sold (a lower k is an operator's decision, on the CLI)."""
    if k < fallbacks.DEFAULT_K:
        raise InvalidInput(f"k must be at least {fallbacks.DEFAULT_K}", field="k")
    return k


@staff_route(bp, "/api/v1/fallbacks/publish", "plan.manage", methods=("POST",))
def staff_publish(ctx: Ctx) -> dict[str, Any]:
    """``{"k"?: 3}``: rebuild every vertical's list now (k at least the default)."""
    k = field(ctx.body, "k", int, required=False, default=fallbacks.DEFAULT_K)
    return fallbacks.publish(k=_staff_k(k), now=ctx.now, actor=ctx.actor)


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
    context = {"categories": fallbacks.categories(vertical), "min_k": fallbacks.DEFAULT_K}
    return Page("fallback_list.html", {**listed, **context})


@console_route("/fallbacks/publish", "plan.manage", methods=("POST",))
def fallback_publish(ctx: Ctx) -> Redirect:
    k = whole_number(ctx.body.get("k") or str(fallbacks.DEFAULT_K), "k")
    fallbacks.publish(k=_staff_k(k), now=ctx.now, actor=ctx.actor)
    return Redirect("console.fallback_list", {})
