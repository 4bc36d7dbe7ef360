"""Agent endpoints, authenticated by the licence key (``Authorization: Bearer lbk_…``).

Each call counts against the licence's rate limit before anything else, and the count survives
a refused call: the operation runs in a savepoint that alone is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quart import Blueprint, current_app, jsonify

from cloud_api import activation, licences, ratelimit
from cloud_api.api.inputs import bearer, json_object
from cloud_api.db import database, in_db_keeping_counts
from cloud_api.models import Licence
from cloud_api.signing import current_signer
from cloud_api.times import now_s

bp = Blueprint("agent", __name__, url_prefix="/v1/agent")

Operation = Callable[[Licence, dict[str, Any], int, dict[str, Any]], dict[str, Any]]


def _minting(op: Callable[..., dict[str, Any]]) -> Operation:
    def run(
        licence: Licence, body: dict[str, Any], now: int, settings: dict[str, Any]
    ) -> dict[str, Any]:
        signer = current_signer(settings["KEY_PASSPHRASE"])
        return op(licence, body, signer=signer, now=now, ttl=settings["TOKEN_TTL_SECONDS"])

    return run


def _deactivating(
    licence: Licence, body: dict[str, Any], now: int, settings: dict[str, Any]
) -> dict[str, Any]:
    return activation.deactivate(licence, body, now=now)


def _call(
    op: Operation, key: str, body: dict[str, Any], settings: dict[str, Any]
) -> dict[str, Any]:
    now = now_s(settings["CLOCK"])
    licence = licences.by_key(key)
    ratelimit.hit(
        f"agent:{licence.id}",
        settings["AGENT_RATE_LIMIT"],
        settings["AGENT_RATE_WINDOW_SECONDS"],
        now,
    )
    with database.atomic():  # a savepoint: a refused call undoes its writes, not the count
        return op(licence, body, now, settings)


async def _run(op: Operation) -> Any:
    key = bearer()
    body = await json_object()
    return jsonify(await in_db_keeping_counts(_call, op, key, body, dict(current_app.config)))


@bp.post("/activate")
async def activate() -> Any:
    """``{"store_url", "instance_id", "agent_version"?, "staging"?}`` -> token response."""
    return await _run(_minting(activation.activate))


@bp.post("/checkin")
async def checkin() -> Any:
    """``{"store_url", "instance_id", "agent_version"?}`` -> token response."""
    return await _run(_minting(activation.checkin))


@bp.post("/deactivate")
async def deactivate() -> Any:
    """``{"store_url", "instance_id"}`` -> ``{"store_url", "active": false}``."""
    return await _run(_deactivating)
