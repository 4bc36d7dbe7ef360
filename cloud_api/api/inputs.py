"""Reading requests: JSON bodies that must be objects, bearer credentials, client address."""

from __future__ import annotations

from typing import Any

import orjson
from quart import Response, current_app, request

from cloud_api.errors import InvalidInput, Unauthorized


async def json_object() -> dict[str, Any]:
    """The request body as a JSON object, or a clear 400 (orjson: agents post on the hot path)."""
    try:
        body = orjson.loads(await request.get_data())
    except orjson.JSONDecodeError:
        body = None
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    return body


def bearer() -> str:
    """The credential of ``Authorization: Bearer …``."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("missing Authorization: Bearer credential")
    return value.strip()


def field(
    body: dict[str, Any], name: str, kind: type, *, required: bool = True, default: Any = None
) -> Any:
    """``body[name]`` checked against ``kind`` (bool is never an int here)."""
    if name not in body:
        if required:
            raise InvalidInput(f"{name} is required", field=name)
        return default
    value = body[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InvalidInput(f"{name} must be {kind.__name__}", field=name)
    return value


def client_address() -> str:
    """The caller's address: the socket peer, or behind ``FORWARDED_HOPS`` trusted proxies the
    address the outermost of them saw (so login throttling counts clients, not the balancer)."""
    hops = current_app.config["FORWARDED_HOPS"]
    if hops:
        chain = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
        chain = [a for a in chain if a]
        if len(chain) >= hops:
            return chain[-hops]
    return request.remote_addr or "unknown"


def json_response(value: Any) -> Response:
    """``value`` as a JSON response, serialised with orjson (the agent endpoints' hot path)."""
    return Response(orjson.dumps(value), content_type="application/json")
