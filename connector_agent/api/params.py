"""Query-string parameters of the read routes, and the JSON object bodies of the POST routes,
validated into plain values.

Bad values answer 400 with the offending parameter as ``field``; absent optional ones are None.
Product and customer ids are opaque strings (WooCommerce ids, or codes from imported histories).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from connector_agent.errors import BadRequest
from luxebrain.digits import is_digits

MAX_LIMIT = 50
MAX_IDS = 50
#: also the OpenAPI document's pattern: matched whole (``fullmatch``), so no trailing newline
ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def is_id(value: str) -> bool:
    return bool(ID_RE.fullmatch(value))


def an_id(value: str, field: str) -> str:
    """One product or customer id."""
    if not is_id(value):
        raise BadRequest(
            f"{field}: must be an id (letters, digits, _.:-; got {value!r})", field=field
        )
    return value


def optional_id(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name, "")
    return an_id(value, name) if value else None


def id_list(args: Mapping[str, str], name: str) -> list[str]:
    """Comma-separated ids (``ids=1,2,3``), each once, in first-seen order; empty when absent.

    The limit counts distinct ids: a cart that lists one product 51 times (a line per unit)
    is one product, not too many."""
    raw = args.get(name, "")
    if not raw:
        return []
    ids = list(dict.fromkeys(an_id(part.strip(), name) for part in raw.split(",")))
    if len(ids) > MAX_IDS:
        raise BadRequest(f"{name}: at most {MAX_IDS} ids", field=name)
    return ids


def int_arg(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "")
    if not raw:
        return default
    if not is_digits(raw) or not low <= int(raw) <= high:
        raise BadRequest(f"{name}: must be an integer from {low} to {high}", field=name)
    return int(raw)


def limit_arg(args: Mapping[str, str], default: int) -> int:
    return int_arg(args, "limit", default, 1, MAX_LIMIT)


def flag(args: Mapping[str, str], name: str) -> bool:
    raw = args.get(name, "")
    if raw in ("", "0", "false"):
        return False
    if raw in ("1", "true"):
        return True
    raise BadRequest(f"{name}: must be 1 or 0", field=name)


def category_arg(args: Mapping[str, str]) -> str | None:
    value = args.get("category", "").strip()
    if len(value) > 200:
        raise BadRequest("category: at most 200 characters", field="category")
    return value or None


def json_object(body: bytes, error: type[BadRequest] = BadRequest) -> dict[str, Any]:
    """A request body that must be one JSON object; ``error`` (a 400 of the route's own code)
    names ``body`` otherwise."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise error("body: not valid JSON", field="body") from None
    if not isinstance(data, dict):
        raise error("body: must be a JSON object", field="body")
    return data
