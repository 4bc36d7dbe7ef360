"""Privacy for guests: ``POST /v1/guests/erase`` and ``POST /v1/guests/export``.

A guest checkout has no customer id; the agent knows its orders only by ``guest_key``, a hash of
the billing email (the email itself is never stored). WordPress's privacy tools ask by email, so
both routes take ``{"email": ...}`` in the (signed) body, never in a URL that logs would keep.
Erasing goes through :meth:`EventLog.erase_guest`; exporting returns the guest's orders.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, request

from connector_agent.api.context import current_agent
from connector_agent.api.customers import orders_with
from connector_agent.api.params import json_object
from connector_agent.errors import BadRequest
from connector_agent.guests import key_for_email

blueprint = Blueprint("guests", __name__, url_prefix="/v1/guests")


async def _guest_key() -> str:
    """The guest key of the ``{"email": ...}`` body, or 400 naming what is wrong."""
    data = json_object(await request.get_data())
    try:
        return key_for_email(data.get("email"))
    except ValueError as exc:
        raise BadRequest(f"email: {exc}", field="email") from None


@blueprint.post("/erase")
async def erase() -> dict[str, Any]:
    agent = current_agent()
    result = agent.log.erase_guest(await _guest_key())
    return {"erased": True, **result}


@blueprint.post("/export")
async def export() -> dict[str, Any]:
    key = await _guest_key()
    return {"orders": orders_with(current_agent().store, "guest_key", key)}
