"""Agent endpoints, authenticated by the licence key (``Authorization: Bearer lbk_…``).

Each call counts against the licence's rate limit before the licence is checked, and the count
survives a refused call: the operation runs in a savepoint that alone is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quart import Blueprint, current_app

from cloud_api import activation, licences, ratelimit
from cloud_api import checkin as hot_path
from cloud_api.api.inputs import bearer, json_object, json_response
from cloud_api.db import database, in_db, in_db_keeping_counts, is_sqlite
from cloud_api.models import Licence
from cloud_api.pgasync import AsyncPool
from cloud_api.signing import cached_signer, current_signer
from cloud_api.times import now_s

bp = Blueprint("agent", __name__, url_prefix="/v1/agent")
POOL = "luxebrain.cloud.checkin_pool"


Operation = Callable[[Licence, dict[str, Any], int, dict[str, Any]], dict[str, Any]]


def _counted(
    op: Operation, key: str, body: dict[str, Any], settings: dict[str, Any]
) -> dict[str, Any]:
    now = now_s(settings["CLOCK"])
    licence = licences.by_key(key)
    ratelimit.hit(
        f"{hot_path.COUNTER_PREFIX}{licence.id}",
        settings["AGENT_RATE_LIMIT"],
        settings["AGENT_RATE_WINDOW_SECONDS"],
        now,
    )
    with database.atomic():  # a savepoint: a refused call undoes its writes, not the count
        return op(licence, body, now, settings)


async def licensed(op: Operation) -> Any:
    """Run ``op(licence, body, now, settings)`` for the request's licence key, rate-limited.

    For every agent endpoint authenticated by a licence key (billing, usage and fallbacks
    use it too).
    """
    key, body = bearer(), await json_object()
    return json_response(
        await in_db_keeping_counts(_counted, op, key, body, dict(current_app.config))
    )


def _activate(
    licence: Licence, body: dict[str, Any], now: int, settings: dict[str, Any]
) -> dict[str, Any]:
    signer = current_signer(settings["KEY_PASSPHRASE"])
    return activation.activate(
        licence, body, signer=signer, now=now, ttl=settings["TOKEN_TTL_SECONDS"]
    )


def _deactivate(
    licence: Licence, body: dict[str, Any], now: int, settings: dict[str, Any]
) -> dict[str, Any]:
    return activation.deactivate(licence, body, now=now)


@bp.post("/activate")
async def activate() -> Any:
    """``{"store_url", "instance_id", "agent_version"?, "staging"?}`` -> token response."""
    return await licensed(_activate)


@bp.post("/checkin")
async def checkin() -> Any:
    """``{"store_url", "instance_id", "agent_version"?}`` -> ``{"token", "expires_at", "status"}``.

    The hot path (see ``cloud_api.checkin``): on PostgreSQL it never leaves the event loop.
    """
    key, body, config = bearer(), await json_object(), current_app.config
    terms = {
        "now": now_s(config["CLOCK"]),
        "ttl": config["TOKEN_TTL_SECONDS"],
        "rate_limit": config["AGENT_RATE_LIMIT"],
        "rate_window": config["AGENT_RATE_WINDOW_SECONDS"],
    }
    passphrase = config["KEY_PASSPHRASE"]
    if is_sqlite():

        def run() -> dict[str, Any]:
            return hot_path.checkin(key, body, signer=current_signer(passphrase), **terms)

        return json_response(await in_db_keeping_counts(run))
    signer = cached_signer(passphrase) or await in_db(current_signer, passphrase)
    pool = current_app.extensions.get(POOL)
    if pool is None:
        pool = current_app.extensions[POOL] = AsyncPool(config["DATABASE_URL"])
    return json_response(await hot_path.checkin_postgres(pool, key, body, signer=signer, **terms))


@bp.after_app_serving
async def _close_pool() -> None:
    pool = current_app.extensions.pop(POOL, None)
    if pool is not None:
        pool.close()


@bp.post("/deactivate")
async def deactivate() -> Any:
    """``{"store_url", "instance_id"}`` -> ``{"store_url", "active": false}``."""
    return await licensed(_deactivate)
