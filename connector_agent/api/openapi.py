"""``GET /openapi.json``: the OpenAPI 3.1 description of the agent's local API (signed, like the
rest).

Hand-written beside the routes, because the routes validate query strings by hand; a contract
test fails when a route of the app is missing here or documented but absent, and schemathesis
checks the answers against it. The document is built once per process and served as bytes.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson
from quart import Blueprint, Response

from connector_agent.api import events
from connector_agent.api.openapi_parts import (
    ACCOUNT,
    ANY_OBJECT,
    FORECAST,
    GUEST_EMAIL,
    JSON,
    METRICS_TOKEN_SCHEME,
    NULLABLE_NUMBER,
    NULLABLE_STRING,
    PARAMETERS,
    RESPONSES,
    RUNNING_OUT,
    SCHEMAS,
    SECURITY_SCHEMES,
    SIGNED,
    WIDGET,
    int_range,
    json_response,
    obj,
    path,
    query,
    ref,
)
from connector_agent.config import PLACEMENTS

VERSION = "1.0.0"

blueprint = Blueprint("openapi", __name__)

FILTERS = [ref("parameters", name) for name in ("limit", "category", "exclude")]


def error_refs(*names: str) -> dict[str, Any]:
    """The errors every signed route can answer, plus ``names`` (status → response name)."""
    codes = {"400": "BadRequest", "401": "Unauthorized", "404": "NotFound"}
    extra = {"402": "NotLicensed", "413": "TooLarge"}
    chosen = {**codes, **{status: extra[status] for status in names}}
    return {status: ref("responses", name) for status, name in sorted(chosen.items())}


def operation(
    summary: str,
    answer: dict[str, Any],
    *,
    parameters: list[dict[str, Any]] | None = None,
    errors: dict[str, Any] | None = None,
    status: str = "200",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "summary": summary,
        "parameters": parameters or [],
        "responses": {status: answer, **(errors if errors is not None else error_refs())},
        **extra,
    }


def recommendation(summary: str, *parameters: dict[str, Any]) -> dict[str, Any]:
    answer = json_response("recommended items, best first", ref("schemas", "Items"))
    return {"get": operation(summary, answer, parameters=[*parameters, *FILTERS])}


def insight(summary: str, answer: dict[str, Any], *parameters: dict[str, Any]) -> dict:
    """A licence-gated insight route (402 when the licence lacks the feature)."""
    return {
        "get": operation(summary, answer, parameters=list(parameters), errors=error_refs("402"))
    }


def cloud_errors() -> dict[str, Any]:
    return {
        **error_refs(),
        "409": json_response("no licence key or cloud URL (`no_licence`)", ref("schemas", "Error")),
        "502": json_response("the cloud refused (`cloud_refused`)", ref("schemas", "Error")),
        "503": json_response(
            "the cloud is unreachable (`cloud_unreachable`)", ref("schemas", "Error")
        ),
    }


def paths() -> dict[str, Any]:
    customer = path("customer_id", "a customer id")
    product_id = query("product_id", "a product id", ref("schemas", "Id"))
    return {
        "/healthz": {
            "get": operation(
                "The process is up (unsigned).",
                json_response("always", obj({"status": {"const": "ok"}})),
                errors={},
                security=[],
            )
        },
        "/readyz": {
            "get": operation(
                "The store answers and the models are loaded.",
                json_response(
                    "ready",
                    obj({"ready": {"const": True}, "last_sync_age_seconds": NULLABLE_NUMBER}),
                ),
                errors={**error_refs(), "503": json_response("not ready", ref("schemas", "Error"))},
            )
        },
        "/v1/status": {
            "get": operation(
                "What `luxebrain-agent status --json` prints, plus live model and licence state.",
                json_response(
                    "the agent's state",
                    obj(
                        {
                            "counts": ANY_OBJECT,
                            "event_seq": {"type": "integer"},
                            "applied_seq": {"type": "integer"},
                            "models_ready": {"type": "boolean"},
                            "licence": ANY_OBJECT,
                        }
                    ),
                ),
            )
        },
        "/metrics": {
            "get": operation(
                "Prometheus text: requests and latency per route, events applied, sync lag. "
                "Signed, or with the metrics token as a bearer (for a scraper).",
                {
                    "description": "metrics",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
                security=[*SIGNED, {"metricsToken": []}],
            )
        },
        "/openapi.json": {
            "get": operation("This document.", json_response("OpenAPI 3.1", ANY_OBJECT))
        },
        "/v1/recommendations/product/{product_id}": recommendation(
            "Items for a product page.",
            path("product_id", "the product shown"),
            ref("parameters", "customer_id"),
        ),
        "/v1/recommendations/cart": recommendation(
            "Items for a cart.",
            query(
                "ids", "the cart's product ids, comma-separated", {"type": "string"}, required=True
            ),
            ref("parameters", "customer_id"),
        ),
        "/v1/recommendations/customer/{customer_id}": recommendation(
            "Items for a customer (the popular list without the `personalised` feature).", customer
        ),
        "/v1/recommendations/popular": recommendation("The shop's best sellers."),
        "/v1/recommendations/trending": recommendation("What sells more lately."),
        "/v1/widgets/{placement}": {
            "get": operation(
                "Title, cache TTL and items of a placement, configured in agent.toml.",
                json_response("the widget", WIDGET),
                parameters=[
                    path(
                        "placement",
                        "where the widget is",
                        {"type": "string", "enum": list(PLACEMENTS)},
                    ),
                    product_id,
                    query("cart", "cart product ids, comma-separated", {"type": "string"}),
                    ref("parameters", "customer_id"),
                    *FILTERS,
                ],
            )
        },
        "/v1/events": {
            "post": operation(
                "A batch of browsing events; a retried batch counts nothing twice.",
                json_response(
                    "appended (`accepted`) or already known (`duplicates`)",
                    obj({"accepted": {"type": "integer"}, "duplicates": {"type": "integer"}}),
                ),
                status="202",
                errors=error_refs("413"),
                requestBody={
                    "required": True,
                    "content": {JSON: {"schema": ref("schemas", "EventBatch")}},
                    "description": f"at most {events.MAX_EVENTS} events",
                },
            )
        },
        "/v1/insights/forecasts": insight(
            "Units per day for a product, or the products running out soon (`running_out=1`).",
            json_response(
                "a forecast, or the products running out", {"anyOf": [FORECAST, RUNNING_OUT]}
            ),
            query(
                "running_out",
                "1 for the running-out list",
                {"type": "string", "enum": ["0", "1", "true", "false"]},
            ),
            query("within_days", "running out within this many days", int_range(1, 365)),
            product_id,
            query("horizon", "days to forecast", int_range(1, 30)),
            ref("parameters", "limit"),
        ),
        "/v1/insights/segments": insight(
            "Customer segment sizes.",
            json_response(
                "sizes",
                obj({"segments": {"type": "object", "additionalProperties": {"type": "integer"}}}),
            ),
        ),
        "/v1/insights/segments/{customer_id}": insight(
            "A customer's segment with its RFM scores and reason.",
            json_response(
                "the segment", obj({"customer_id": {"type": "string"}, "segment": ANY_OBJECT})
            ),
            customer,
        ),
        "/v1/insights/prices": insight(
            "Price suggestions within guardrails, with their reasons.",
            json_response(
                "suggestions", obj({"suggestions": {"type": "array", "items": ANY_OBJECT}})
            ),
            product_id,
            ref("parameters", "limit"),
        ),
        "/v1/insights/anomalies": insight(
            "Orders flagged as unusual, with scores and reasons.",
            json_response(
                "flagged orders", obj({"orders": {"type": "array", "items": ANY_OBJECT}})
            ),
            ref("parameters", "limit"),
        ),
        "/v1/insights/analytics": {
            "get": operation(
                "Impressions, clicks, CTR and attributed revenue per placement.",
                json_response(
                    "the report",
                    obj(
                        {
                            "from": {"type": "string"},
                            "to": {"type": "string"},
                            "attribution_days": {"type": "integer"},
                            "placements": ANY_OBJECT,
                            "total": ANY_OBJECT,
                        }
                    ),
                ),
                parameters=[query("days", "the period, in days up to now", int_range(1, 365))],
            )
        },
        "/v1/account": {
            "get": operation(
                "This licence's own usage and invoices, from the LuxeBrain cloud.",
                json_response("the account", ACCOUNT),
                errors=cloud_errors(),
            )
        },
        "/v1/unpair": {
            "post": operation(
                "Forget the pairing's secrets (the plugin's Disconnect).",
                json_response(
                    "forgotten",
                    obj(
                        {
                            "unpaired": {"const": True},
                            "forgotten": {"type": "array", "items": {"type": "string"}},
                        }
                    ),
                ),
            )
        },
        "/v1/customers/{customer_id}/erase": {
            "post": operation(
                "Erase a customer (GDPR): rows, redacted events, and models told to forget.",
                json_response(
                    "what was erased",
                    obj(
                        {
                            "erased": {"type": "string"},
                            "orders": {"type": "integer"},
                            "events_redacted": {"type": "integer"},
                        }
                    ),
                ),
                parameters=[customer],
            )
        },
        "/v1/customers/{customer_id}/export": {
            "get": operation(
                "Everything the agent holds about a customer (GDPR export).",
                json_response(
                    "the customer and their orders",
                    obj(
                        {
                            "customer": {"type": ["object", "null"]},
                            "orders": {"type": "array", "items": ANY_OBJECT},
                        }
                    ),
                ),
                parameters=[customer],
            )
        },
        "/v1/guests/erase": {
            "post": operation(
                "Erase a guest (GDPR) by billing email: their orders unlinked for good.",
                json_response(
                    "what was erased",
                    obj(
                        {
                            "erased": {"const": True},
                            "orders": {"type": "integer"},
                            "events_redacted": {"type": "integer"},
                        }
                    ),
                ),
                requestBody=GUEST_EMAIL,
            )
        },
        "/v1/guests/export": {
            "post": operation(
                "Everything the agent holds about a guest, by billing email (GDPR export).",
                json_response(
                    "the guest's orders", obj({"orders": {"type": "array", "items": ANY_OBJECT}})
                ),
                requestBody=GUEST_EMAIL,
            )
        },
        "/v1/webhooks/woocommerce": {
            "post": operation(
                "WooCommerce's deliveries, verified with `X-WC-Webhook-Signature` (not the "
                "plugin's signature).",
                json_response(
                    "acknowledged: `appended`, `ignored`, `duplicate` or `ping`",
                    obj(
                        {"status": {"type": "string"}},
                        {
                            "appended": {"type": "integer"},
                            "topic": NULLABLE_STRING,
                            "reason": NULLABLE_STRING,
                        },
                    ),
                ),
                errors={
                    "400": ref("responses", "BadRequest"),
                    "401": ref("responses", "Unauthorized"),
                    "413": ref("responses", "TooLarge"),
                },
                security=[],
                parameters=[
                    {
                        "name": "X-WC-Webhook-Signature",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": "base64 HMAC-SHA256 of the body with the webhook secret",
                    },
                    {
                        "name": "X-WC-Webhook-Topic",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": "`order.updated`, …",
                    },
                ],
                requestBody={"required": False, "content": {JSON: {"schema": ANY_OBJECT}}},
            )
        },
    }


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the routes this agent serves."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "LuxeBrain agent local API",
            "version": VERSION,
            "description": "Served on 127.0.0.1 for the WordPress plugin and the shop owner's "
            "tools. Every route but /healthz and the WooCommerce webhook needs a signed call; "
            'every failure is {"error": {"code", "message", "field"?}}.',
        },
        "security": SIGNED,
        "paths": paths(),
        "components": {
            "schemas": SCHEMAS,
            "parameters": PARAMETERS,
            "responses": RESPONSES,
            "securitySchemes": {**SECURITY_SCHEMES, **METRICS_TOKEN_SCHEME},
        },
    }


@functools.cache
def _document_bytes() -> bytes:
    return orjson.dumps(document())


@blueprint.get("/openapi.json")
async def openapi_json() -> Response:
    return Response(_document_bytes(), content_type=JSON)
