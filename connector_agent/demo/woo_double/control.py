"""``/__double__/<action>``: JSON control routes that mirror :class:`WooDouble`'s methods, so a
test or the demo in another process can drive the store (unauthenticated: local use only)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from .errors import WooRestError
from .messages import Response

if TYPE_CHECKING:
    from .double import WooDouble


def _id(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be an integer")
    return value


def _text_or_none(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be a string or null")
    return value


def _fields(data: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != name}


def _inject(double: WooDouble, data: dict[str, Any]) -> dict[str, int]:
    double.faults.inject(**data)
    return {"pending": double.faults.pending}


ACTIONS = {
    "create_order": lambda d, data: d.create_order(
        _id(data, "customer_id"),
        [(int(p), int(q)) for p, q in data.get("lines", [])],
        status=str(data.get("status", "processing")),
        created_via=str(data.get("created_via", "rest-api")),
    ),
    "update_order": lambda d, data: d.update_order(
        _id(data, "order_id"), **_fields(data, "order_id")
    ),
    "trash_order": lambda d, data: d.trash_order(_id(data, "order_id")),
    "restore_order": lambda d, data: d.restore_order(_id(data, "order_id")),
    "force_delete_order": lambda d, data: d.force_delete_order(_id(data, "order_id")),
    "refund_order": lambda d, data: d.refund_order(
        _id(data, "order_id"),
        str(data.get("amount", "")),
        str(data.get("reason", "")),
        [(int(line), int(units)) for line, units in data.get("lines", [])],
    ),
    "create_product": lambda d, data: d.create_product(**data),
    "create_variation": lambda d, data: d.create_variation(
        _id(data, "parent_id"), **_fields(data, "parent_id")
    ),
    "delete_variation": lambda d, data: d.delete_variation(
        _id(data, "parent_id"), _id(data, "variation_id"), bool(data.get("force", True))
    ),
    "update_product": lambda d, data: d.update_product(
        _id(data, "product_id"), **_fields(data, "product_id")
    ),
    "trash_product": lambda d, data: d.trash_product(_id(data, "product_id")),
    "restore_product": lambda d, data: d.restore_product(_id(data, "product_id")),
    "create_customer": lambda d, data: d.create_customer(**data),
    "update_customer": lambda d, data: d.update_customer(
        _id(data, "customer_id"), **_fields(data, "customer_id")
    ),
    "delete_customer": lambda d, data: d.delete_customer(_id(data, "customer_id")),
    "bulk_touch_orders": lambda d, data: d.bulk_touch_orders(
        [int(i) for i in data.get("ids", [])],
        datetime.fromisoformat(str(data.get("at", "")).replace("Z", "+00:00")),
    ),
    "pair_agent": lambda d, data: d.pair_agent(_text_or_none(data, "agent_url")),
    "add_webhook": lambda d, data: d.add_webhook(**data),
    "flush_webhooks": lambda d, data: d.flush_webhooks(),
    "faults": lambda d, data: _inject(d, data),
    "stats": lambda d, data: d.stats(),
}


def handle(double: WooDouble, method: str, action: str, body: bytes) -> Response:
    """Run one control action; bad input is a 400 with the reason, and changes nothing."""
    handler = ACTIONS.get(action.strip("/"))
    if handler is None:
        return Response(
            404, {"error": f"unknown control action {action!r}", "actions": sorted(ACTIONS)}
        )
    if method not in ("GET", "POST"):
        return Response(405, {"error": "use POST (or GET for stats)"})
    try:
        data = orjson.loads(body) if body else {}
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return Response(200, handler(double, data))
    except WooRestError as error:
        return Response(error.status, error.body())
    except (ValueError, TypeError, orjson.JSONDecodeError) as error:
        return Response(400, {"error": str(error)})
