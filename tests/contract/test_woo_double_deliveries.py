"""The double's webhook deliveries against the recorded ones: the same headers, a valid
signature, and bodies of the recorded structure (full objects, ``{"id": N}`` for deletions, REST
error objects for records that are gone), each caused by the action that caused the recording.

The recorded store delivered to 127.0.0.1:8089 through a filter that allowed it; here the store
is paired with the receiver, as the LuxeBrain plugin's guard allows the paired agent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from connector_agent.demo.woo_double import WooDouble

WOO_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "woocommerce"
CUSTOMER = 87  # a recorded customer
PRODUCT = 1230  # a recorded simple product


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[dict[str, str], bytes]] = []

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.origin}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _new_order(d: WooDouble) -> int:
    return int(d.create_order(CUSTOMER, [(PRODUCT, 2)])["id"])


def _some_order(d: WooDouble) -> int:
    return next(iter(d.state.orders))


def _trashed_order(d: WooDouble) -> int:
    order_id = _some_order(d)
    d.trash_order(order_id)
    d.flush_webhooks()
    return order_id


ACTIONS: dict[str, Callable[[WooDouble], object]] = {
    "webhook_order_created": _new_order,
    "webhook_order_updated": _new_order,
    "webhook_order_created_after_delete": lambda d: d.force_delete_order(_new_order(d)),
    "webhook_order_deleted_trash": lambda d: d.trash_order(_some_order(d)),
    "webhook_order_restored": lambda d: d.restore_order(_trashed_order(d)),
    "webhook_product_created": lambda d: d.create_product("Fixture Mug", "9.50", "FIX-MUG"),
    "webhook_product_updated": lambda d: d.update_product(PRODUCT, regular_price="99.00"),
    "webhook_product_deleted_trash": lambda d: d.trash_product(PRODUCT),
    "webhook_product_restored": lambda d: (
        d.trash_product(PRODUCT),
        d.flush_webhooks(),
        d.restore_product(PRODUCT),
    ),
    "webhook_product_deleted_fired_by_order_trash": lambda d: d.trash_order(_some_order(d)),
    "webhook_product_restored_fired_by_order_untrash": lambda d: d.restore_order(_trashed_order(d)),
    "webhook_customer_created": lambda d: d.create_customer("fresh@example.invalid", "Fresh"),
    "webhook_customer_updated_on_create": lambda d: d.create_customer("new@example.invalid"),
    "webhook_customer_updated": lambda d: d.update_customer(CUSTOMER, first_name="Adah"),
    "webhook_customer_deleted": lambda d: d.delete_customer(CUSTOMER),
}
NOT_MODELLED = {"webhook_product_created_variation": "the double creates no variations"}


def test_every_recorded_delivery_has_an_action() -> None:
    recorded = {p.stem for p in WOO_FIXTURES.glob("webhook_*.json")} - {"webhook_ping"}
    assert recorded == set(ACTIONS) | set(NOT_MODELLED)


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_delivery_matches_recording(
    recorded_store: WooDouble,
    receiver: Receiver,
    recorded_corpus: dict[str, list[Any]],
    shape_problems: Callable[..., list[str]],
    name: str,
) -> None:
    recording = json.loads((WOO_FIXTURES / f"{name}.json").read_text())
    topic = recording["headers"]["X-WC-Webhook-Topic"]
    recorded_store.pair_agent(receiver.origin)
    recorded_store.add_webhook(topic, receiver.url)
    receiver.received.clear()
    ACTIONS[name](recorded_store)
    recorded_store.flush_webhooks()

    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    wc_headers = {k for k in recording["headers"] if k.startswith("X-WC-Webhook")}
    assert {k for k in headers if k.startswith("X-WC-Webhook")} == wc_headers
    for header in (
        "User-Agent",
        "Content-Type",
        "X-WC-Webhook-Topic",
        "X-WC-Webhook-Resource",
        "X-WC-Webhook-Event",
    ):
        assert headers[header] == recording["headers"][header]
    digest = hmac.new(recorded_store.webhook_secret.encode(), body, hashlib.sha256).digest()
    assert headers["X-WC-Webhook-Signature"] == base64.b64encode(digest).decode()
    assert len(headers["X-WC-Webhook-Delivery-ID"]) == 32

    got, expected = json.loads(body), json.loads(recording["raw_body"])
    if "code" in expected or list(expected) == ["id"]:
        assert list(got) == list(expected)
        assert got.get("code") == expected.get("code")
    else:
        kind = f"{recording['headers']['X-WC-Webhook-Resource']}s"
        problems = shape_problems([*recorded_corpus[kind], expected], [got])
        assert not problems, "\n".join(problems[:20])


def test_the_ping_matches_the_recorded_one(recorded_store: WooDouble, receiver: Receiver) -> None:
    recording = json.loads((WOO_FIXTURES / "webhook_ping.json").read_text())
    recorded_store.pair_agent(receiver.origin)
    created = recorded_store.add_webhook("order.created", receiver.url)
    headers, body = receiver.received[0]
    assert body == f"webhook_id={created['id']}".encode()
    assert headers["Content-Type"] == recording["headers"]["Content-Type"]
    assert headers["User-Agent"] == recording["headers"]["User-Agent"]
    assert not [k for k in headers if k.startswith("X-WC-")]


def test_a_product_and_its_variation_share_a_delivery_id_as_recorded(
    recorded_store: WooDouble, receiver: Receiver
) -> None:
    """The recorded parent and variation deliveries (one webhook, one second) carry one
    ``X-WC-Webhook-Delivery-ID``: WooCommerce hashes the webhook id and the current second."""
    recorded = [
        json.loads((WOO_FIXTURES / f"{name}.json").read_text())["headers"]
        for name in ("webhook_product_created", "webhook_product_created_variation")
    ]
    assert recorded[0]["X-WC-Webhook-Delivery-ID"] == recorded[1]["X-WC-Webhook-Delivery-ID"]
    recorded_store.pair_agent(receiver.origin)
    recorded_store.add_webhook("product.created", receiver.url)
    receiver.received.clear()
    parent = recorded_store.create_product("Fixture Tee", "", product_type="variable")
    recorded_store.create_variation(parent["id"], "20.00", {"Color": "Red", "Size": "S"})
    recorded_store.flush_webhooks()
    delivery_ids = {headers["X-WC-Webhook-Delivery-ID"] for headers, _ in receiver.received}
    assert len(receiver.received) == 2 and len(delivery_ids) == 1
