"""Webhooks of the local WooCommerce: signed, coalesced, built at send time, pinged, disabled
after the 7th consecutive failure — and the odd deliveries the real store makes.

The store is paired with the receiver first, as the LuxeBrain plugin pairs with the agent:
WordPress delivers to a loopback address on an unusual port only through the plugin's guard."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from connector_agent.demo.woo_double import WooDouble
from luxebrain.clock import FrozenClock

SECRET = "harness-webhook-secret"


class Receiver(ThreadingHTTPServer):
    """Collects deliveries; answers ``status``."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 200

    @property
    def origin(self) -> str:
        """What the store is paired with (the agent's base URL)."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.origin}/hook"

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
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 25, 23, 45, tzinfo=UTC))


@pytest.fixture
def double(receiver: Receiver, clock: FrozenClock) -> Iterator[WooDouble]:
    with WooDouble.demo(limit_orders=10, delivery_timeout=5.0, clock=clock) as store:
        store.start()
        store.pair_agent(receiver.origin)
        yield store


def rest(method: str, url: str, **options: Any) -> requests.Response:
    """A REST call with the store's key (Basic auth behind an https proxy)."""
    return requests.request(
        method,
        url,
        auth=("ck_demo", "cs_demo"),
        headers={"X-Forwarded-Proto": "https"},
        timeout=10,
        **options,
    )


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
    listed = rest("GET", url).json()
    assert [w["status"] for w in listed] == ["disabled"]
    enabled = rest("PUT", f"{url}/{listed[0]['id']}", json={"status": "active"})
    assert enabled.json()["status"] == "active"
    receiver.status = 200
    double.update_order(order_id, customer_note="again")
    assert [r["status"] for r in double.flush_webhooks()] == [200]


def test_reenabling_keeps_the_failure_count_so_the_next_failure_disables_again(
    double: WooDouble, receiver: Receiver
) -> None:
    """WC_Webhook::set_status leaves failure_count alone; only a successful delivery resets it
    (log_delivery), so the count is still 6 (> 5) after PUT status=active."""
    hook(double, receiver, "order.updated")
    webhook = next(iter(double.hub.webhooks.values()))
    receiver.status = 500
    order_id = next(iter(double.state.orders))
    for note in range(7):
        double.update_order(order_id, customer_note=str(note))
        double.flush_webhooks()
    assert (webhook.status, webhook.failure_count) == ("disabled", 6)
    url = f"{double.url}/wp-json/wc/v3/webhooks/{webhook.id}"
    assert rest("PUT", url, json={"status": "active"}).json()["status"] == "active"
    assert webhook.failure_count == 6
    double.update_order(order_id, customer_note="once more")
    assert [r["status"] for r in double.flush_webhooks()] == [500]
    assert rest("GET", url).json()["status"] == "disabled"


@pytest.mark.parametrize("status", [301, 302])
def test_a_redirect_answer_is_a_success_and_resets_the_failure_count(
    double: WooDouble, receiver: Receiver, status: int
) -> None:
    """log_delivery's success test is ``>= 200 && < 303``; deliveries follow no redirects."""
    hook(double, receiver, "order.updated")
    webhook = next(iter(double.hub.webhooks.values()))
    order_id = next(iter(double.state.orders))
    receiver.status = 500
    for note in range(3):
        double.update_order(order_id, customer_note=str(note))
        double.flush_webhooks()
    assert webhook.failure_count == 3
    receiver.status = status
    double.update_order(order_id, customer_note="moved")
    [result] = double.flush_webhooks()
    assert (result["status"], result["ok"]) == (status, True)
    assert webhook.failure_count == 0
    receiver.status = 303
    double.update_order(order_id, customer_note="see other")
    assert [r["ok"] for r in double.flush_webhooks()] == [False]
    assert webhook.failure_count == 1


def test_a_ping_succeeds_only_on_200_and_any_later_save_pings_again(
    double: WooDouble, receiver: Receiver
) -> None:
    """deliver_ping clears pending_delivery only on exactly 200. log_delivery saves the webhook
    after a success too, and WC_Webhook_Data_Store::update pings an active pending one."""
    receiver.status = 204
    created = double.add_webhook("order.updated", receiver.url)
    assert (created["ping"]["status"], created["ping"]["ok"]) == (204, False)
    webhook = double.hub.webhooks[created["id"]]
    assert webhook.pending_delivery
    double.update_order(next(iter(double.state.orders)), customer_note="x")
    [result] = double.flush_webhooks()
    assert result["ok"]  # 204 is a successful delivery...
    assert receiver.topics() == ["order.updated", "ping", "ping"]  # ...whose save pinged again
    receiver.status = 200
    double.update_order(next(iter(double.state.orders)), customer_note="y")
    double.flush_webhooks()
    assert receiver.topics().count("ping") == 3 and not webhook.pending_delivery
    double.update_order(next(iter(double.state.orders)), customer_note="z")
    double.flush_webhooks()
    assert receiver.topics().count("ping") == 3  # answered: no more pings


def test_the_failure_that_disables_a_webhook_sends_no_ping(
    double: WooDouble, receiver: Receiver
) -> None:
    """WooCommerce pings only an active webhook: the 7th failure saves it disabled."""
    receiver.status = 404
    double.add_webhook("order.updated", receiver.url)  # the creation ping: 404, still pending
    order_id = next(iter(double.state.orders))
    for note in range(7):
        double.update_order(order_id, customer_note=str(note))
        double.flush_webhooks()
    assert receiver.topics().count("order.updated") == 7
    assert receiver.topics().count("ping") == 1 + 6  # creation, then after failures 1 to 6


def test_a_new_delivery_url_is_pinged(double: WooDouble, receiver: Receiver) -> None:
    """WC_Webhook_Data_Store::update pings an active webhook whose delivery_url changed."""
    created = double.add_webhook("order.updated", receiver.url)
    assert created["ping"]["ok"]
    receiver.received.clear()
    url = f"{double.url}/wp-json/wc/v3/webhooks/{created['id']}"
    rest("PUT", url, json={"name": "renamed"})
    assert receiver.received == []
    rest("PUT", url, json={"delivery_url": f"{receiver.origin}/moved"})
    [(headers, body)] = receiver.received
    assert body == f"webhook_id={created['id']}".encode()
    assert headers["Referer"] == f"{receiver.origin}/moved"


def test_deliveries_of_one_webhook_within_one_second_share_a_delivery_id(
    double: WooDouble, receiver: Receiver, clock: FrozenClock
) -> None:
    """get_new_delivery_id is wp_hash( webhook id . strtotime('now') ): the recorded product
    and its variation, delivered in one second, carry the same id."""
    hook(double, receiver, "product.created", "order.created")
    parent = double.create_product("Tee", "", product_type="variable")
    double.create_variation(parent["id"], "20.00", {"Color": "Red"})
    double.create_order(13085, [(10, 1)])
    double.flush_webhooks()
    clock.advance(1)
    double.create_product("Mug", "9.50")
    double.flush_webhooks()
    ids: dict[str, list[str]] = {}
    for headers, _ in receiver.received:
        ids.setdefault(headers["X-WC-Webhook-Topic"], []).append(
            headers["X-WC-Webhook-Delivery-ID"]
        )
    first, second, next_second = ids["product.created"]
    assert first == second and len(first) == 32 and int(first, 16) >= 0
    assert next_second != first
    assert ids["order.created"][0] != first  # another webhook, another id


def test_an_unreachable_endpoint_counts_as_a_failure(double: WooDouble) -> None:
    double.pair_agent("http://127.0.0.1:9")  # allowed by the guard, but nothing listens
    created = double.add_webhook("order.updated", "http://127.0.0.1:9/nothing")
    assert created["ping"]["ok"] is False and created["ping"]["error"] == "ConnectionError"
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


# ---------------------------------------------------------------- WordPress's URL check


def test_without_the_plugins_guard_a_loopback_agent_gets_nothing_and_is_disabled(
    double: WooDouble, receiver: Receiver
) -> None:
    """wp_safe_remote_request refuses 127.0.0.1 on an unusual port (wp_http_validate_url) with
    the WP_Error http_request_failed, which log_delivery counts as a failure: the webhook is
    disabled at the 7th, and the agent never hears a thing."""
    double.pair_agent(None)
    created = double.add_webhook("order.updated", receiver.url)
    assert created["ping"] == {**created["ping"], "status": None, "error": "http_request_failed"}
    webhook = double.hub.webhooks[created["id"]]
    order_id = next(iter(double.state.orders))
    outcomes = []
    for note in range(8):
        double.update_order(order_id, customer_note=str(note))
        outcomes.append([(r["status"], r["error"]) for r in double.flush_webhooks()])
    assert outcomes == [[(None, "http_request_failed")]] * 7 + [[]]
    assert (webhook.status, webhook.failure_count) == ("disabled", 6)
    assert receiver.received == []


def test_the_guard_allows_only_the_paired_agents_origin(
    double: WooDouble, receiver: Receiver
) -> None:
    other = Receiver()
    threading.Thread(target=other.serve_forever, args=(0.05,), daemon=True).start()
    try:
        elsewhere = double.add_webhook("order.updated", other.url)
        same_origin = double.add_webhook("order.updated", f"{receiver.origin}/any/path")
    finally:
        other.shutdown()
        other.server_close()
    assert elsewhere["ping"]["error"] == "http_request_failed" and other.received == []
    assert same_origin["ping"]["ok"] is True


def test_pairing_over_the_control_route(double: WooDouble, receiver: Receiver) -> None:
    control = f"{double.url}/__double__/pair_agent"
    answer = requests.post(control, json={"agent_url": f"{receiver.origin}/"}, timeout=10)
    assert answer.json() == {"agent_url": receiver.origin}
    assert double.add_webhook("order.updated", receiver.url)["ping"]["ok"] is True
    assert requests.post(control, json={"agent_url": None}, timeout=10).json() == {
        "agent_url": None
    }
    assert double.add_webhook("order.updated", receiver.url)["ping"]["ok"] is False
    refused = requests.post(control, json={"agent_url": "ftp://127.0.0.1:21"}, timeout=10)
    assert refused.status_code == 400
