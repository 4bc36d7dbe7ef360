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
from cloud_api.db import database, in_db_keeping_counts, statements
from cloud_api.models import Licence
from cloud_api.signing import current_signer
from cloud_api.times import now_s

bp = Blueprint("agent", __name__, url_prefix="/v1/agent")


Operation = Callable[[Licence, dict[str, Any], int, dict[str, Any]], dict[str, Any]]


def _counted(
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


async def licensed(op: Operation) -> Any:
    """Run ``op(licence, body, now, settings)`` for the request's licence key, rate-limited.

    For every agent endpoint authenticated by a licence key (billing, usage and fallbacks
    use it too).
    """
    key, body = bearer(), await json_object()
    return json_response(
        await in_db_keeping_counts(_counted, op, key, body, dict(current_app.config))
    )


_run = licensed  # the name cloud_api.api.usage and .fallbacks import today


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

    The hot path (see ``cloud_api.checkin``).
    """
    key, body, settings = bearer(), await json_object(), current_app.config

    def run() -> dict[str, Any]:
        return hot_path.checkin(
            key,
            body,
            signer=current_signer(settings["KEY_PASSPHRASE"]),
            now=now_s(settings["CLOCK"]),
            ttl=settings["TOKEN_TTL_SECONDS"],
            rate_limit=settings["AGENT_RATE_LIMIT"],
            rate_window=settings["AGENT_RATE_WINDOW_SECONDS"],
        )

    return json_response(await in_db_keeping_counts(run, scope=statements))


@bp.post("/deactivate")
async def deactivate() -> Any:
    """``{"store_url", "instance_id"}`` -> ``{"store_url", "active": false}``."""
    return await licensed(_deactivate)
