"""The app factory: the route contract the plugin codes against, discovery, config precedence."""

from __future__ import annotations

from pathlib import Path

import orjson
from test_api_support import Api, error_of

from connector_agent.config import update_secrets
from connector_agent.woo import signature_of
from luxebrain.clock import FrozenClock

#: The routes the WordPress plugin and the shop owner's tools call (issue 4): keep them.
CONTRACT = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/v1/status"),
    ("GET", "/v1/recommendations/product/<product_id>"),
    ("GET", "/v1/recommendations/cart"),
    ("GET", "/v1/recommendations/customer/<customer_id>"),
    ("GET", "/v1/recommendations/popular"),
    ("GET", "/v1/recommendations/trending"),
    ("GET", "/v1/widgets/<placement>"),
    ("POST", "/v1/events"),
    ("GET", "/v1/insights/forecasts"),
    ("GET", "/v1/insights/segments"),
    ("GET", "/v1/insights/segments/<customer_id>"),
    ("GET", "/v1/insights/prices"),
    ("GET", "/v1/insights/anomalies"),
    ("GET", "/v1/insights/analytics"),
    ("POST", "/v1/unpair"),
    ("GET", "/v1/account"),
    ("GET", "/openapi.json"),
    ("POST", "/v1/customers/<customer_id>/erase"),
    ("GET", "/v1/customers/<customer_id>/export"),
    ("POST", "/v1/guests/erase"),
    ("POST", "/v1/guests/export"),
    ("POST", "/v1/webhooks/woocommerce"),
}


def test_every_contract_route_is_registered(config_path: Path, frozen_clock: FrozenClock) -> None:
    api = Api(config_path, frozen_clock)
    try:
        routes = {
            (method, rule.rule)
            for rule in api.app.url_map.iter_rules()
            for method in rule.methods or ()
            if method in ("GET", "POST") and rule.endpoint != "static"
        }
        assert routes == CONTRACT
    finally:
        api.close()


async def test_the_body_limit_comes_from_the_config_and_test_config_wins(
    config_path: Path, frozen_clock: FrozenClock
) -> None:
    api = Api(config_path, frozen_clock)
    try:
        assert api.app.config["MAX_CONTENT_LENGTH"] == api.agent.config.api.max_body_bytes
    finally:
        api.close()
    tight = Api(config_path, frozen_clock, MAX_CONTENT_LENGTH=16)
    try:
        response = await tight.post("/v1/events", body=b'{"session_id": "sess-0001"}')
        assert response.status_code == 413
        assert (await error_of(response))["code"] == "payload_too_large"
    finally:
        tight.close()


async def test_a_webhook_delivery_may_be_larger_than_the_api_body_limit(
    config_path: Path, frozen_clock: FrozenClock
) -> None:
    """A 130-line order is a 73 KB delivery: refused at the 64 KiB API limit, it counted as a
    failed delivery, and WooCommerce disables a webhook after a few in a row."""
    update_secrets(config_path, webhook_secret="hook-secret")
    api = Api(config_path, frozen_clock)
    try:
        lines = [{"id": i, "product_id": 100 + i, "name": "x" * 500, "quantity": 1,
                  "subtotal": "1.00", "total": "1.00", "meta_data": []} for i in range(130)]
        order = {"id": 7, "status": "processing", "customer_id": 0, "billing": {},
                 "date_created_gmt": "2026-11-20T10:00:00", "date_modified_gmt":
                 "2026-11-20T10:00:00", "currency": "EUR", "total": "130.00",
                 "line_items": lines, "refunds": []}
        body = orjson.dumps(order)
        assert len(body) > api.agent.config.api.max_body_bytes
        headers = {"X-WC-Webhook-Topic": "order.updated", "X-WC-Webhook-ID": "4",
                   "X-WC-Webhook-Signature": signature_of("hook-secret", body)}
        delivered = await api.client.post(
            "/v1/webhooks/woocommerce", data=body, headers=headers
        )
        assert delivered.status_code == 200, await delivered.get_data(as_text=True)
        assert (await delivered.get_json())["status"] == "appended"
        too_big = await api.post("/v1/events", body=b"{" + b" " * len(body) + b"}")
        assert too_big.status_code == 413  # everywhere else the configured limit holds
    finally:
        api.close()
