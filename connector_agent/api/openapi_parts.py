"""The building blocks of the agent's OpenAPI document: shared schemas, parameters, responses and
the larger answer schemas.

Kept apart from the paths (``openapi.py``) so each route's entry there reads as one line per
parameter and response. The patterns and bounds are the validators' own constants
(``params``, ``events``), so the document cannot drift from what the routes accept.
"""

from __future__ import annotations

from typing import Any

from connector_agent import guests
from connector_agent.api import events, params
from connector_agent.config import PLACEMENTS
from online_models.events import BROWSING_KINDS
from wp_plugin_bridge.signing import NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

JSON = "application/json"
ID_PATTERN = params.ID_RE.pattern
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}
ANY_OBJECT = {"type": "object"}


#: the body of the guest privacy routes (``guests``): the billing email, never in a URL
GUEST_EMAIL = {
    "required": True,
    "content": {
        JSON: {
            "schema": {
                "type": "object",
                "required": ["email"],
                "properties": {
                    "email": {"type": "string", "minLength": 3, "maxLength": guests.MAX_EMAIL}
                },
            }
        }
    },
}


def ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    """An object schema with these required (and optional) properties; others are allowed."""
    return {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **(optional or {})},
    }


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def error(description: str) -> dict[str, Any]:
    return json_response(description, ref("schemas", "Error"))


def query(name: str, description: str, schema: dict[str, Any], *, required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def path(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or ref("schemas", "Id"),
    }


def int_range(low: int, high: int) -> dict[str, Any]:
    """A query integer: sent as digits, so a string of digits within the bounds."""
    return {"type": "integer", "minimum": low, "maximum": high}


ITEM = obj(
    {
        "id": {"type": "string"},
        "name": NULLABLE_STRING,
        "permalink": NULLABLE_STRING,
        "image": NULLABLE_STRING,
        "price": NULLABLE_STRING,
        "price_html": NULLABLE_STRING,
        "source": {"type": "string", "description": "which model chose the item"},
        "reason": {"type": "string", "description": "why, in words a shop owner can read"},
    }
)

EVENT = obj(
    {
        "id": {"type": "string", "format": "uuid", "description": "made by the browser"},
        "type": {"type": "string", "enum": sorted(BROWSING_KINDS)},
        "product_id": {"oneOf": [ref("schemas", "Id"), {"type": "integer", "minimum": 1}]},
    },
    {
        "placement": {"type": "string", "enum": list(PLACEMENTS)},
        "source": {"type": "string", "pattern": events.SOURCE_RE.pattern},
        "recommended_ids": {
            "type": "array",
            "maxItems": events.MAX_RECOMMENDED,
            "items": {"oneOf": [ref("schemas", "Id"), {"type": "integer", "minimum": 1}]},
        },
        "occurred_at": {"type": "string", "format": "date-time", "description": "UTC, `Z`"},
    },
)

SCHEMAS: dict[str, Any] = {
    "Id": {"type": "string", "pattern": ID_PATTERN, "description": "a product or customer id"},
    "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "description": "stable, for programs"},
                    "message": {"type": "string", "description": "for people"},
                    "field": {"type": "string", "description": "the offending input"},
                },
            }
        },
        "description": "The one error shape of every failure.",
    },
    "Item": ITEM,
    "Items": obj({"items": {"type": "array", "items": ref("schemas", "Item")}}),
    "Event": EVENT,
    "EventBatch": obj(
        {
            "session_id": {"type": "string", "pattern": events.SESSION_RE.pattern},
            "events": {
                "type": "array",
                "minItems": 1,
                "maxItems": events.MAX_EVENTS,
                "items": ref("schemas", "Event"),
            },
        },
        {"customer_id": {"oneOf": [ref("schemas", "Id"), {"type": "integer", "minimum": 1}]}},
    ),
}

# ------------------------------------------------------------ answers of single routes

FORECAST = obj(
    {
        "product_id": {"type": "string"},
        "horizon": {"type": "integer"},
        "forecast": obj(
            {
                "days": {
                    "type": "array",
                    "items": obj(
                        {"date": {"type": "string", "format": "date"}, "units": {"type": "number"}}
                    ),
                },
                "total": {"type": "number"},
                "days_until_stockout": NULLABLE_NUMBER,
            }
        ),
    }
)
RUNNING_OUT = obj(
    {
        "within_days": {"type": "integer"},
        "products": {
            "type": "array",
            "items": obj({"product_id": {"type": "string"}, "days_until_stockout": {}}),
        },
    }
)
WIDGET = obj(
    {
        "placement": {"type": "string", "enum": list(PLACEMENTS)},
        "title": {"type": "string"},
        "ttl": {"type": "integer", "description": "seconds the plugin may cache this answer"},
        "items": {"type": "array", "items": ref("schemas", "Item")},
    }
)
ACCOUNT = obj(
    {
        "tenant": {"type": "string"},
        "plan": ANY_OBJECT,
        "usage": {"type": "array", "items": ANY_OBJECT},
        "invoices": {"type": "array", "items": ANY_OBJECT},
    },
    {"reduced_limits": ANY_OBJECT},
)

PARAMETERS: dict[str, Any] = {
    "limit": query("limit", "how many items (default per route)", int_range(1, params.MAX_LIMIT)),
    "category": query("category", "only items of this category", {"type": "string"}),
    "exclude": query("exclude", "comma-separated ids never to return", {"type": "string"}),
    "customer_id": query(
        "customer_id", "personalise for this customer (licence permitting)", ref("schemas", "Id")
    ),
}

RESPONSES: dict[str, Any] = {
    "BadRequest": error("a parameter or the body is invalid (`field` names it)"),
    "Unauthorized": error(
        "unsigned, wrongly signed, stale or replayed call, or the agent is not paired"
    ),
    "NotFound": error("no such route, or nothing known for the id"),
    "NotLicensed": error("the licence does not include this feature (`feature_not_licensed`)"),
    "TooLarge": error("the body is larger than `api.max_body_bytes`"),
}

SECURITY_SCHEMES: dict[str, Any] = {
    name: {
        "type": "apiKey",
        "in": "header",
        "name": header,
        "description": "DESIGN.md 'Signed calls': HMAC-SHA256 of METHOD, PATH?QUERY, "
        "timestamp, nonce and the body's SHA-256, with the pairing's shared secret.",
    }
    for name, header in (
        ("timestamp", TIMESTAMP_HEADER),
        ("nonce", NONCE_HEADER),
        ("signature", SIGNATURE_HEADER),
    )
}
SIGNED = [{name: [] for name in SECURITY_SCHEMES}]
#: GET /metrics only: what a Prometheus scraper sends (``luxebrain-agent metrics-token``)
METRICS_TOKEN_SCHEME: dict[str, Any] = {
    "metricsToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "The agent's metrics_token (luxebrain-agent metrics-token); it opens "
        "GET /metrics and nothing else.",
    }
}
