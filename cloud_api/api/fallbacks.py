"""Cross-store fallback routes: agents upload aggregates and fetch their vertical's top list."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, request

from cloud_api import fallbacks
from cloud_api.api.agent import _run as licensed
from cloud_api.api.usage import active_store, licensed_get
from cloud_api.errors import Forbidden
from cloud_api.models import Licence

bp = Blueprint("fallbacks", __name__, url_prefix="/v1")


def _upload(
    licence: Licence, body: dict[str, Any], now: int, settings: dict[str, Any]
) -> dict[str, Any]:
    store = active_store(licence, body)
    return fallbacks.upload(store, body, now=now)


@bp.post("/agent/fallbacks/aggregates")
async def upload() -> Any:
    """The store's daily aggregates (``docs/cloud/fallbacks.md``) -> ``{"items", "window"}``."""
    request.max_content_length = 2 * 1024 * 1024
    return await licensed(_upload)


@bp.get("/agent/fallbacks")
async def top_list() -> Any:
    """The licence's vertical top list: ``?category=a>b&limit=200``."""
    category = request.args.get("category") or None
    limit = request.args.get("limit", "200")
    count = int(limit) if limit.isdigit() else 200

    def read(licence: Licence, now: int) -> dict[str, Any]:
        if "cloud_fallback" not in licence.plan.features:
            raise Forbidden(f"plan {licence.plan.name} does not include cloud_fallback")
        vertical = fallbacks.vertical_of(licence.tenant_id)
        return fallbacks.top(vertical, category=category, limit=count)

    return await licensed_get(read)
