"""Reading requests: JSON bodies that must be objects, bearer credentials, client address."""

from __future__ import annotations

from typing import Any

import orjson
from quart import Response, current_app, request

from cloud_api.db import MAX_INTEGER
from cloud_api.errors import InvalidInput, Unauthorized
from luxebrain.digits import is_digits


async def json_object(*, empty_ok: bool = False) -> dict[str, Any]:
    """The request body as a JSON object, or a clear 400 (orjson: agents post on the hot path).

    ``empty_ok``: no body at all reads as ``{}`` (staff POSTs whose arguments are all optional,
    such as ``/api/v1/logout``, are documented and sent without one).
    """
    data = await request.get_data()
    if empty_ok and not data.strip():
        return {}
    try:
        body = orjson.loads(data)
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
    if kind is int and value > MAX_INTEGER:
        raise InvalidInput(f"{name} must be at most {MAX_INTEGER}", field=name)
    return value


def whole_number(text: str, name: str) -> int:
    """``text`` (a query argument or form field) as a whole number the database can hold, or a
    400 naming the field."""
    text = text.strip()
    # 19 digits hold MAX_INTEGER; the length check first also keeps int() off huge strings
    if not is_digits(text) or len(text) > 19 or int(text) > MAX_INTEGER:
        raise InvalidInput(f"{name} must be a whole number up to {MAX_INTEGER}", field=name)
    return int(text)


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
