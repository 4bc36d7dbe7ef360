"""The app factory: the route contract the plugin codes against, discovery, config precedence."""

from __future__ import annotations

from pathlib import Path

from test_api_support import Api, error_of

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
