"""Usage routes: the agent's daily usage heartbeat (licence key) and the staff usage report.

Also the plumbing the part-2 agent routes share: a licence-key read under the agent rate limit,
and the active store an agent's body names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quart import Blueprint, current_app, jsonify

from cloud_api import licences, ratelimit, usage
from cloud_api.activation import normalise_url
from cloud_api.api.access import Ctx, staff_route
from cloud_api.api.agent import licensed
from cloud_api.api.console import Page, console_route
from cloud_api.api.inputs import bearer, whole_number
from cloud_api.billing import parse_period
from cloud_api.db import in_db_keeping_counts
from cloud_api.errors import InvalidInput, NotFound
from cloud_api.models import Licence, Store
from cloud_api.times import now_s

bp = Blueprint("usage", __name__)


def active_store(licence: Licence, body: dict[str, Any]) -> Store:
    """The active store of ``licence`` named by the body's ``store_url`` and ``instance_id``."""
    url = normalise_url(body.get("store_url"))
    store = Store.get_or_none(
        (Store.licence == licence.id) & (Store.url == url) & (Store.active == True)  # noqa: E712
    )
    if store is None or store.instance_id not in ("", body.get("instance_id")):
        raise NotFound(f"{url} is not active on this licence with this instance", field="store_url")
    return store


async def licensed_get(op: Callable[[Licence, int], dict[str, Any]]) -> Any:
    """A read for the licence of ``Authorization: Bearer lbk_…``, under the agent rate limit."""
    key, settings = bearer(), dict(current_app.config)

    def call() -> dict[str, Any]:
        now = now_s(settings["CLOCK"])
        licence = licences.by_key(key)
        ratelimit.hit(
            f"agent:{licence.id}",
            settings["AGENT_RATE_LIMIT"],
            settings["AGENT_RATE_WINDOW_SECONDS"],
            now,
        )
        return op(licence, now)

    return jsonify(await in_db_keeping_counts(call))


def _report(
    licence: Licence, body: dict[str, Any], now: int, settings: dict[str, Any]
) -> dict[str, Any]:
    store = active_store(licence, body)
    return {"store_url": store.url, **usage.record(store, body.get("usage"), now=now)}


@bp.post("/v1/agent/usage")
async def report() -> Any:
    """``{"store_url", "instance_id", "usage": [{"day", <metric>: int, …}]}`` ->
    ``{"store_url", "days", "changed"}``; a repeated report changes nothing."""
    return await licensed(_report)


def int_arg(ctx: Ctx, name: str) -> int | None:
    """An optional whole-number query argument."""
    value = ctx.args.get(name)
    if value is None or value == "":
        return None
    return whole_number(value, name)


def period_arg(ctx: Ctx) -> str | None:
    value = ctx.args.get("period")
    return parse_period(value) if value else None


@staff_route(bp, "/api/v1/usage", "read")
def staff_usage(ctx: Ctx) -> dict[str, Any]:
    """Usage per store and month: ``?tenant_id=&store_id=&period=YYYY-MM``."""
    rows = usage.summary(
        tenant_id=int_arg(ctx, "tenant_id"),
        store_id=int_arg(ctx, "store_id"),
        period=period_arg(ctx),
    )
    return {"usage": rows}


@staff_route(bp, "/api/v1/usage/days", "read")
def staff_store_days(ctx: Ctx) -> dict[str, Any]:
    """One store's daily rows: ``?store_id=&period=YYYY-MM``."""
    store_id, period = int_arg(ctx, "store_id"), period_arg(ctx)
    if store_id is None or period is None:
        raise InvalidInput("store_id and period (YYYY-MM) are required", field="period")
    return {"store_id": store_id, "period": period, "days": usage.days(store_id, period)}


@console_route("/usage", "read")
def usage_summary(ctx: Ctx) -> Page:
    tenant_id, period = int_arg(ctx, "tenant_id"), period_arg(ctx)
    rows = usage.summary(tenant_id=tenant_id, period=period)
    return Page("usage_summary.html", {"usage": rows, "tenant_id": tenant_id, "period": period})
