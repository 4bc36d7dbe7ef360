"""Webhooks of the local WooCommerce: signed, coalesced, built at send time, pinged, disabled
after the 7th consecutive failure — and the odd deliveries the real store makes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from connector_agent.demo.woo_double import WooDouble

SECRET = "harness-webhook-secret"


class Receiver(ThreadingHTTPServer):
    """Collects deliveries; answers ``status``."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def topics(self) -> list[str]:
        return sorted(h.get("X-WC-Webhook-Topic", "ping") for h, _ in self.received)

    def bodies(self, topic: str) -> list[Any]:
        return [json.loads(b) for h, b in self.received if h.get("X-WC-Webhook-Topic") == topic]


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers.items()), body))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def double() -> Iterator[WooDouble]:
    with WooDouble.demo(limit_orders=10, delivery_timeout=5.0) as store:
        store.start()
        yield store


def hook(double: WooDouble, receiver: Receiver, *topics: str) -> None:
    for topic in topics:
        double.add_webhook(topic, receiver.url)
    receiver.received.clear()


def test_creating_a_webhook_pings_it_form_encoded_and_unsigned(
    double: WooDouble, receiver: Receiver
) -> None:
    created = double.add_webhook("order.created", receiver.url)
    headers, body = receiver.received[0]
    assert body == f"webhook_id={created['id']}".encode()
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert not any(name.startswith("X-WC-Webhook") for name in headers)
    assert created["ping"]["ok"] is True and created["status"] == "active"


def test_deliveries_are_signed_with_base64_hmac_sha256(
    double: WooDouble, receiver: Receiver
) -> None:
    hook(double, receiver, "order.created")
    order = double.create_order(13085, [(10, 2)])
    [result] = double.flush_webhooks()
    assert result["ok"] and result["resource_id"] == order["id"]
    headers, body = receiver.received[0]
    expected = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest())
    assert headers["X-WC-Webhook-Signature"] == expected.decode()
    assert headers["X-WC-Webhook-Topic"] == "order.created"
    assert (headers["X-WC-Webhook-Resource"], headers["X-WC-Webhook-Event"]) == ("order", "created")
    assert headers["X-WC-Webhook-Source"] == double.url + "/"
    assert len(headers["X-WC-Webhook-Delivery-ID"]) == 32
    assert headers["User-Agent"] == "WooCommerce/7.8.2 Hookshot (WordPress/6.1.9)"
    assert b"\\/" in body  # PHP escapes slashes
    assert json.loads(body)["id"] == order["id"]


def test_updates_coalesce_and_the_body_is_built_at_send_time(
    double: WooDouble, receiver: Receiver
) -> None:
    hook(double, receiver, "order.created", "order.updated")
    order = double.create_order(13085, [(10, 1)], status="processing")
    double.update_order(order["id"], customer_note="first")
    double.update_order(order["id"], status="completed")
    assert len(double.flush_webhooks()) == 2
    assert receiver.topics() == ["order.created", "order.updated"]
    assert [b["status"] for b in receiver.bodies("order.created")] == ["completed"]
    created_body = next(
        b for h, b in receiver.received if h["X-WC-Webhook-Topic"] == "order.created"
    )
    updated_body = next(
        b for h, b in receiver.received if h["X-WC-Webhook-Topic"] == "order.updated"
    )
    assert created_body == updated_body
    assert double.flush_webhooks() == []  # nothing left: no retries, no duplicates


def test_an_order_deleted_before_the_queue_runs_is_sent_as_an_error_object(
    double: WooDouble,
    receiver: Receiver,
) -> None:
    hook(double, receiver, "order.created")
    order = double.create_order(13085, [(10, 1)])
    double.force_delete_order(order["id"])
    double.flush_webhooks()
    assert receiver.bodies("order.created") == [
        {
            "code": "woocommerce_rest_shop_order_invalid_id",
            "message": "Invalid ID.",
            "data": {"status": 404},
        }
    ]


def test_trashing_an_order_also_fires_product_deleted_with_the_order_id(
    double: WooDouble,
    receiver: Receiver,
) -> None:
    hook(double, receiver, "order.deleted", "product.deleted", "order.restored", "product.restored")
    order_id = next(iter(double.state.orders))
    double.trash_order(order_id)
    double.flush_webhooks()
    assert receiver.bodies("order.deleted") == [{"id": order_id}]
    assert receiver.bodies("product.deleted") == [{"id": order_id}]
    receiver.received.clear()
    double.restore_order(order_id)
    double.flush_webhooks()
    assert receiver.bodies("order.restored")[0]["status"] == "completed"
    assert receiver.bodies("product.restored")[0]["code"] == "woocommerce_rest_product_invalid_id"


def test_force_deletes_fire_nothing(double: WooDouble, receiver: Receiver) -> None:
    hook(double, receiver, "order.deleted", "product.deleted")
    double.force_delete_order(next(iter(double.state.orders)))
    assert double.flush_webhooks() == []


def test_a_new_customer_fires_created_and_updated_with_the_same_body(
    double: WooDouble,
    receiver: Receiver,
) -> None:
    hook(double, receiver, "customer.created", "customer.updated", "customer.deleted")
    customer = double.create_customer("new.buyer@example.invalid", "New", "Buyer")
    double.flush_webhooks()
    assert receiver.topics() == ["customer.created", "customer.updated"]
    assert receiver.bodies("customer.created") == receiver.bodies("customer.updated")
    double.delete_customer(customer["id"])
    double.flush_webhooks()
    assert receiver.bodies("customer.deleted") == [{"id": customer["id"]}]


def test_a_sale_of_a_stock_managed_product_fires_product_updated(
    double: WooDouble,
    receiver: Receiver,
) -> None:
    hook(double, receiver, "product.updated")
    before = double.state.products[10].stock_quantity
    double.create_order(13085, [(10, 3)])
    double.flush_webhooks()
    [product] = receiver.bodies("product.updated")
    assert product["id"] == 10 and product["stock_quantity"] == before - 3


def test_the_seventh_consecutive_failure_disables_the_webhook(
    double: WooDouble, receiver: Receiver
) -> None:
    hook(double, receiver, "order.updated")
    receiver.status = 500
    order_id = next(iter(double.state.orders))
    statuses = []
    for note in range(8):
        double.update_order(order_id, customer_note=str(note))
        statuses.append([r["status"] for r in double.flush_webhooks()])
    assert statuses == [[500]] * 7 + [[]]  # one attempt each, then nothing is sent
    url = f"{double.url}/wp-json/wc/v3/webhooks"
    listed = requests.get(
        url, auth=("ck_demo", "cs_demo"), headers={"X-Forwarded-Proto": "https"}, timeout=10
    ).json()
    assert [w["status"] for w in listed] == ["disabled"]
    enabled = requests.put(
        f"{url}/{listed[0]['id']}",
        json={"status": "active"},
        auth=("ck_demo", "cs_demo"),
        headers={"X-Forwarded-Proto": "https"},
        timeout=10,
    )
    assert enabled.json()["status"] == "active"
    receiver.status = 200
    double.update_order(order_id, customer_note="again")
    assert [r["status"] for r in double.flush_webhooks()] == [200]


def test_an_unreachable_endpoint_counts_as_a_failure(double: WooDouble) -> None:
    created = double.add_webhook("order.updated", "http://127.0.0.1:9/nothing")
    assert created["ping"]["ok"] is False and created["ping"]["error"]
    double.update_order(next(iter(double.state.orders)), customer_note="x")
    [result] = double.flush_webhooks()
    assert result["ok"] is False and result["status"] is None


def test_an_unanswered_ping_is_sent_again_after_each_failed_delivery(
    double: WooDouble,
    receiver: Receiver,
) -> None:
    receiver.status = 404
    double.add_webhook("order.updated", receiver.url)
    double.update_order(next(iter(double.state.orders)), customer_note="x")
    double.flush_webhooks()
    assert receiver.topics() == ["order.updated", "ping", "ping"]
