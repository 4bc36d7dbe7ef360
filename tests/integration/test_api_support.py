"""Shared helpers of the API tests (no tests here): an agent on a temp config, its app, signing.

Every call through :class:`Api` is signed exactly as the plugin signs it, unless a test asks for
something else; models learn by appending events to the log and applying them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from connector_agent.agent import Agent
from connector_agent.api import create_app
from connector_agent.api.auth import NONCES
from connector_agent.api.served import SERVED
from connector_agent.config import load_config, update_secrets
from connector_agent.licence import FREE_FEATURES, PAID_FEATURES, LicenceState
from luxebrain.clock import FrozenClock
from online_models.events import Event, version_of
from wp_plugin_bridge.signing import sign_headers

if TYPE_CHECKING:
    from quart.typing import TestClientProtocol
    from quart.wrappers import Response

SECRET = "5e" * 32


class Api:
    """An agent, its app and a test client; calls are signed with :data:`SECRET`."""

    def __init__(
        self, config_path: Path, clock: FrozenClock, *, paired: bool = True, **test_config: Any
    ) -> None:
        if paired:
            update_secrets(config_path, shared_secret=SECRET)
        self.clock = clock
        self.agent = Agent(load_config(config_path, environ={}), clock=clock)
        self.app = create_app(self.agent, {"TESTING": True, **test_config})
        self.client: TestClientProtocol = self.app.test_client()

    def headers(
        self,
        method: str,
        path_qs: str,
        body: bytes = b"",
        *,
        timestamp: float | None = None,
        nonce: str | None = None,
        secret: str = SECRET,
    ) -> dict[str, str]:
        return sign_headers(
            secret,
            method,
            path_qs,
            body,
            timestamp=int(self.clock.time() if timestamp is None else timestamp),
            nonce=nonce or secrets.token_hex(16),
        )

    async def call(
        self,
        method: str,
        path_qs: str,
        *,
        json: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """A signed call (``headers`` replaces the signature headers when given)."""
        raw = body if body is not None else (b"" if json is None else orjson.dumps(json))
        sent = self.headers(method, path_qs, raw) if headers is None else headers
        return await self.client.open(
            path_qs, method=method, data=raw, headers={**sent, "Content-Type": "application/json"}
        )

    async def get(self, path_qs: str, **kwargs: Any) -> Response:
        return await self.call("GET", path_qs, **kwargs)

    async def post(self, path_qs: str, **kwargs: Any) -> Response:
        return await self.call("POST", path_qs, **kwargs)

    async def ok(self, method: str, path_qs: str, **kwargs: Any) -> Any:
        """The JSON of a 2xx answer (fails the test otherwise)."""
        response = await self.call(method, path_qs, **kwargs)
        assert 200 <= response.status_code < 300, await response.get_data(as_text=True)
        return await response.get_json()

    def learn(self, events: Iterable[Event]) -> None:
        self.agent.log.append(events)
        self.agent.applier.apply_pending()

    def license(self, *features: str) -> None:
        chosen = frozenset(features) or PAID_FEATURES
        self.agent.licence = LicenceState("active", FREE_FEATURES | chosen, now=self.clock.time())

    def close(self) -> None:
        """A graceful stop: unsaved nonces and served counts are written, then the store closes."""
        self.app.extensions[NONCES].flush()
        self.app.extensions[SERVED].flush()
        self.agent.close()


async def error_of(response: Response) -> dict[str, Any]:
    """The ``error`` object of a failure, after checking it is the one error shape."""
    body = await response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) <= {"code", "message", "field"}, body
    return dict(body["error"])


def product(pid: str, name: str, *, price: str = "10.00", **extra: Any) -> Event:
    payload = {
        "id": pid,
        "parent_id": None,
        "type": "simple",
        "name": name,
        "status": "publish",
        "sku": f"SKU-{pid}",
        "categories": [{"id": 1, "name": extra.pop("category", "Tea")}],
        "price": price,
        "regular_price": price,
        "sale_price": None,
        "stock_status": "instock",
        "stock_quantity": extra.pop("stock", None),
        "permalink": f"https://shop.example/p/{pid}",
        "image": f"https://shop.example/i/{pid}.jpg",
        "price_html": f"<span>{price}</span>",
        "gtin": None,
        **extra,
    }
    at = "2026-11-01T00:00:00Z"
    return Event(0, "product.upserted", pid, version_of(at, payload), at, payload)


def order(key: str, customer: str | None, *pids: str, at: str = "2026-11-20T10:00:00Z") -> Event:
    payload = {
        "id": key,
        "status": "completed",
        "customer_id": customer,
        "guest_key": None,
        "currency": "EUR",
        "created_at": at,
        "paid_at": at,
        "total": f"{10 * len(pids)}.00",
        "line_items": [
            {
                "product_id": p,
                "variation_id": None,
                "name": p,
                "category": "Tea",
                "quantity": 1,
                "unit_price": "10.00",
            }
            for p in pids
        ],
        "refunds": [],
    }
    return Event(0, "order.upserted", key, version_of(at, payload), at, payload)


def tea_and_cup_orders(days: int) -> list[Event]:
    """One order of tea and a cup on each of the first ``days`` days of November 2026, placed by
    ann and bob in turn."""
    return [
        order(
            f"o{day}",
            "ann" if day % 2 else "bob",
            "tea",
            "cup",
            at=f"2026-11-{day:02d}T10:00:00Z",
        )
        for day in range(1, days + 1)
    ]
