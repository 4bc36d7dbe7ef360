"""Schemathesis fuzzes the agent's app in-process (ASGI) from its own ``/openapi.json``.

Every generated request is signed as the plugin signs it (a ``requests`` auth hook over the exact
method, path?query and body sent), so the fuzzing reaches the routes instead of stopping at 401.
No answer may be a 5xx, every 4xx is the one error shape, and every answer conforms to the
document (status, content type, body). Bounded and derandomized: the same cases every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from connector_agent.api.openapi import document
from luxebrain.clock import FrozenClock
from tests.integration.test_api_support import Api, product, tea_and_cup_orders

MAX_EXAMPLES = 15


class SignedCall(requests.auth.AuthBase):
    """Adds the plugin<->agent signature headers to a prepared request."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        body = prepared.body or b""
        raw = body.encode() if isinstance(body, str) else body
        assert prepared.method is not None
        prepared.headers.update(self.api.headers(prepared.method, prepared.path_url, raw))
        return prepared


@pytest.fixture
def api(config_path: Path, frozen_clock: FrozenClock) -> Iterator[Api]:
    """A paired, fully licensed agent that knows a few products, customers and orders."""
    api = Api(config_path, frozen_clock)
    api.license()
    api.learn(
        [product("tea", "Tea", stock=3), product("cup", "Cup"), product("pot", "Pot")]
        + tea_and_cup_orders(14)
    )
    yield api
    api.close()


def without_lifespan(app: Any) -> Any:
    """The app's HTTP side only: the agent's lifespan would start its WooCommerce sync jobs."""

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return

    return asgi


# the served document equals document() (test_agent_openapi.py)
schema = schemathesis.openapi.from_dict(document())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_agent_api_conforms_to_its_document(case: schemathesis.Case, api: Api) -> None:
    response = case.call(app=without_lifespan(api.app), auth=SignedCall(api))
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
    if 400 <= response.status_code < 500:
        body = response.json()
        assert set(body) == {"error"}, body
        assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "field"}, body
