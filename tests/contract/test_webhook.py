"""Webhook intake against the recorded deliveries: signatures, ping, error bodies, odd topics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from quart import Quart

from connector_agent.api import error_handlers
from connector_agent.api.auth import NONCES
from connector_agent.api.context import AGENT
from connector_agent.api.nonces import NonceBook
from connector_agent.api.webhooks import blueprint
from connector_agent.errors import BadRequest
from connector_agent.woo import BadSignature, normalise, receive, signature_of

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "woocommerce"
SECRET = "harness-webhook-secret"
SIGNED = sorted(
    p.stem
    for p in FIXTURES.glob("webhook_*.json")
    if p.stem != "webhook_ping" and not p.stem.startswith("webhooks")
)
NOW = "2026-11-26T12:00:00Z"


def delivery(name: str) -> tuple[dict[str, str], bytes]:
    recorded = json.loads((FIXTURES / f"{name}.json").read_text())
    return recorded["headers"], recorded["raw_body"].encode()


def deliver(log, name: str, **changes):
    headers, body = delivery(name)
    return receive({**headers, **changes}, body, secret=SECRET, log=log, now=NOW)


@pytest.mark.parametrize("name", SIGNED)
def test_every_recorded_delivery_is_signed_as_woocommerce_signs(name):
    headers, body = delivery(name)
    assert signature_of(SECRET, body) == headers["X-WC-Webhook-Signature"]


def test_the_ping_is_accepted_without_a_signature(event_log):
    outcome = deliver(event_log, "webhook_ping")
    assert outcome.status == "ping" and event_log.last_seq() == 0


def test_an_order_delivery_appends_once(event_log):
    created = deliver(event_log, "webhook_order_created")
    assert created.status == "appended" and created.events[0].kind == "order.upserted"
    headers, body = delivery("webhook_order_created")
    assert created.events[0].payload == normalise.order_payload(json.loads(body))
    updated = deliver(event_log, "webhook_order_updated")  # byte-identical body
    assert updated.status == "ignored" and event_log.last_seq() == 1


def test_a_body_that_is_an_error_object_is_acknowledged_and_ignored(event_log):
    for name in (
        "webhook_order_created_after_delete",
        "webhook_product_restored_fired_by_order_untrash",
    ):
        outcome = deliver(event_log, name)
        assert outcome.status == "ignored" and "error object" in outcome.reason
    assert event_log.last_seq() == 0


def test_product_deleted_fired_by_an_order_trash_is_a_no_op(event_log):
    trashed_order = json.loads(delivery("webhook_product_deleted_fired_by_order_trash")[1])["id"]
    order = json.loads(delivery("webhook_order_created")[1])
    event_log.append([normalise.order_event({**order, "id": trashed_order})])
    outcome = deliver(event_log, "webhook_product_deleted_fired_by_order_trash")
    assert outcome.status == "ignored"
    assert event_log.count_by_kind() == {"order.upserted": 1}


def test_deletes_of_known_records_tombstone_them(event_log):
    deleted_id = json.loads(delivery("webhook_order_deleted_trash")[1])["id"]
    order = json.loads(delivery("webhook_order_created")[1])
    event_log.append([normalise.order_event({**order, "id": deleted_id})])
    outcome = deliver(event_log, "webhook_order_deleted_trash")
    assert [e.kind for e in outcome.events] == ["order.deleted"]
    assert event_log.known_keys("order") == set()
    again = deliver(event_log, "webhook_order_deleted_trash", **{"X-WC-Webhook-Delivery-ID": "x"})
    assert again.status == "ignored"


def test_variations_and_customers_from_webhooks(event_log):
    variation = deliver(event_log, "webhook_product_created_variation").events[0]
    assert variation.payload["parent_id"] == "3891" and variation.payload["type"] == "variation"
    created = deliver(event_log, "webhook_customer_created")
    assert created.events[0].kind == "customer.upserted"
    assert set(created.events[0].payload) == {
        "id",
        "email",
        "first_name",
        "last_name",
        "created_at",
        "role",
    }
    assert deliver(event_log, "webhook_customer_updated_on_create").status == "ignored"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-WC-Webhook-Signature": "AAAA" + "=" * 40},
        {"X-WC-Webhook-Signature": ""},
    ],
)
def test_bad_or_missing_signatures_are_refused_and_change_nothing(event_log, headers):
    with pytest.raises(BadSignature):
        deliver(event_log, "webhook_order_created", **headers)
    assert event_log.last_seq() == 0


def test_a_body_changed_after_signing_is_refused(event_log):
    headers, body = delivery("webhook_order_created")
    with pytest.raises(BadSignature):
        receive(
            headers, body.replace(b"completed", b"cancelled"), secret=SECRET, log=event_log, now=NOW
        )
    assert event_log.last_seq() == 0


def test_an_unpaired_agent_refuses_signed_deliveries(event_log):
    headers, body = delivery("webhook_order_created")
    with pytest.raises(BadSignature, match="pair"):
        receive(headers, body, secret=None, log=event_log, now=NOW)


def test_a_signed_body_that_is_not_a_record_is_a_bad_request(event_log):
    headers = {"X-WC-Webhook-Topic": "order.updated"}
    for body in (b"[1, 2]", b"not json"):
        signed = {**headers, "X-WC-Webhook-Signature": signature_of(SECRET, body)}
        with pytest.raises(BadRequest):
            receive(signed, body, secret=SECRET, log=event_log, now=NOW)
    assert event_log.last_seq() == 0


# ---------------------------------------------------------------- the HTTP route


class StubAgent:
    def __init__(self, store, log, clock, secret):
        self.store, self.log, self.clock = store, log, clock
        self.config = type("C", (), {"secrets": type("S", (), {"webhook_secret": secret})()})()
        self.woken = 0
        self.syncs_asked = 0
        self.deletes_to_check: list[tuple[str, str]] = []

    def events_appended(self):
        self.woken += 1

    def sync_soon(self):
        self.syncs_asked += 1

    def check_deletes_soon(self, deleted):
        self.deletes_to_check += deleted


@pytest.fixture
def app(fresh_store, event_log, frozen_clock):
    app = Quart(__name__)
    app.extensions[AGENT] = StubAgent(fresh_store, event_log, frozen_clock, SECRET)
    app.extensions[NONCES] = NonceBook(fresh_store)
    error_handlers.register(app)
    app.register_blueprint(blueprint)
    return app


async def post(app, name: str, **changes):
    headers, body = delivery(name)
    headers = {k: v for k, v in {**headers, **changes}.items() if k not in ("Host",)}
    return await app.test_client().post("/v1/webhooks/woocommerce", data=body, headers=headers)


async def test_route_valid_delivery_appends_and_wakes_the_applier(app, event_log):
    response = await post(app, "webhook_order_created")
    assert response.status_code == 200
    assert (await response.get_json())["status"] == "appended"
    assert app.extensions[AGENT].woken == 1 and event_log.last_seq() == 1


async def test_route_starts_a_sync_for_a_refund_only_a_sync_can_read(app, event_log):
    plain = await post(app, "webhook_order_created")
    assert (await plain.get_json())["status"] == "appended"
    assert app.extensions[AGENT].syncs_asked == 0
    headers, body = refunded_order_delivery()
    headers = {k: v for k, v in headers.items() if k != "Host"}
    refunded = await app.test_client().post("/v1/webhooks/woocommerce", data=body,
                                           headers=headers)
    assert (await refunded.get_json()) == {
        "status": "appended", "appended": 1, "topic": "order.updated"
    }
    assert app.extensions[AGENT].syncs_asked == 1


async def test_route_ping_gets_200(app):
    response = await post(app, "webhook_ping")
    assert response.status_code == 200 and (await response.get_json())["status"] == "ping"


async def test_route_bad_signature_is_401_in_the_error_shape(app, event_log):
    response = await post(app, "webhook_order_created", **{"X-WC-Webhook-Signature": "bad"})
    assert response.status_code == 401
    assert (await response.get_json())["error"]["code"] == "bad_webhook_signature"
    assert event_log.last_seq() == 0


async def test_route_missing_signature_is_401(app, event_log):
    headers, body = delivery("webhook_order_created")
    headers.pop("X-WC-Webhook-Signature")
    response = await app.test_client().post("/v1/webhooks/woocommerce", data=body, headers=headers)
    assert response.status_code == 401 and event_log.last_seq() == 0


async def test_route_replayed_delivery_changes_nothing(app, event_log):
    """A delete replayed after a restore must not delete again: the delivery id is spent."""
    deleted_id = json.loads(delivery("webhook_order_deleted_trash")[1])["id"]
    order = json.loads(delivery("webhook_order_created")[1])
    event_log.append([normalise.order_event({**order, "id": deleted_id})])
    first = await post(app, "webhook_order_deleted_trash")
    assert (await first.get_json())["status"] == "appended"
    restored = {**order, "id": deleted_id, "date_modified_gmt": "2026-11-26T00:00:00"}
    event_log.append([normalise.order_event(restored)])
    replay = await post(app, "webhook_order_deleted_trash")
    assert replay.status_code == 200 and (await replay.get_json())["status"] == "duplicate"
    # the one delete appended was handed over to be checked against the shop, once
    assert app.extensions[AGENT].deletes_to_check == [("order", str(deleted_id))]
    assert event_log.known_keys("order") == {str(deleted_id)}


async def test_route_deliveries_sharing_an_id_within_a_second_are_all_appended(app, event_log):
    """WooCommerce's delivery id is wp_hash(webhook id . the current second): the recorded
    product and its variation, sent in one second, share it. The second was answered
    "duplicate" and lost until the next sync."""
    parent, variation = delivery("webhook_product_created"), delivery(
        "webhook_product_created_variation"
    )
    assert parent[0]["X-WC-Webhook-Delivery-ID"] == variation[0]["X-WC-Webhook-Delivery-ID"]
    for name in ("webhook_product_created", "webhook_product_created_variation"):
        answer = await (await post(app, name)).get_json()
        assert answer["status"] == "appended"
    assert event_log.known_keys("product") == {
        str(json.loads(body)["id"]) for _, body in (parent, variation)
    }


def refunded_order_delivery(**changes) -> tuple[dict[str, str], bytes]:
    """An ``order.updated`` delivery of the recorded partly refunded order (a webhook's body is
    the REST document of the order), signed as WooCommerce signs."""
    order = json.loads((FIXTURES / "refund_partial_order.json").read_text())
    body = json.dumps({**order, **changes}).encode()
    headers, _ = delivery("webhook_order_updated")
    return {**headers, "X-WC-Webhook-Signature": signature_of(SECRET, body)}, body


def test_a_refund_whose_units_no_sync_read_asks_for_a_sync(event_log):
    headers, body = refunded_order_delivery()
    first = receive(headers, body, secret=SECRET, log=event_log, now=NOW)
    assert first.status == "appended" and first.refunds_unread
    assert "line_items" not in first.events[0].payload["refunds"][0]
    # a sync read the refund's units (none here: money only); a later delivery keeps them
    order = json.loads(body)
    refunds = json.loads((FIXTURES / "refund_partial_refunds.json").read_text())
    event_log.append([normalise.order_event(
        {**order, "date_modified_gmt": "2026-11-25T22:30:00"}, lambda _product: None,
        normalise.refund_lines(refunds),
    )])
    headers, body = refunded_order_delivery(date_modified_gmt="2026-11-25T22:40:00",
                                            customer_note="ring twice")
    later = receive(headers, body, secret=SECRET, log=event_log, now=NOW)
    assert later.status == "appended" and not later.refunds_unread
    assert later.events[0].payload["refunds"][0]["line_items"] == []


def test_an_order_without_refunds_asks_for_no_sync(event_log):
    outcome = deliver(event_log, "webhook_order_created")
    assert outcome.status == "appended" and not outcome.refunds_unread


def test_header_names_are_case_insensitive(event_log):
    headers, body = delivery("webhook_order_created")
    lowered = {name.lower(): value for name, value in headers.items()}
    outcome = receive(lowered, body, secret=SECRET, log=event_log, now=NOW)
    assert outcome.status == "appended"


def signed_order(topic: str, **changes) -> tuple[dict[str, str], bytes]:
    """The recorded order as a delivery of ``topic`` with ``changes``, signed."""
    order = json.loads(delivery("webhook_order_created")[1])
    body = json.dumps({**order, **changes}).encode()
    return {"X-WC-Webhook-Topic": topic, "X-WC-Webhook-Signature": signature_of(SECRET, body)}, body


def test_an_update_made_before_the_trash_and_delivered_after_it_is_stale(event_log):
    """Deliveries come in any order: an update of 10:05 arriving after the trash of 10:06
    brought the trashed order back as a live sale until the next sync."""
    steps = [
        ("order.created", {"status": "processing", "date_modified_gmt": "2026-11-25T10:00:00"}),
        ("order.updated", {"status": "trash", "date_modified_gmt": "2026-11-25T10:06:00"}),
        ("order.updated", {"status": "completed", "date_modified_gmt": "2026-11-25T10:05:00"}),
    ]
    outcomes = [receive(*signed_order(topic, **changes), secret=SECRET, log=event_log, now=NOW)
                for topic, changes in steps]
    assert [o.status for o in outcomes] == ["appended", "appended", "ignored"]
    deleted = event_log.last_payload("order", outcomes[0].events[0].key)
    assert deleted == {"id": outcomes[0].events[0].key, "trashed_at": "2026-11-25T10:06:00Z"}
    restored = receive(*signed_order("order.updated", status="processing",
                                     date_modified_gmt="2026-11-25T10:07:00"),
                       secret=SECRET, log=event_log, now=NOW)
    assert restored.status == "appended"  # a restore after the trash is new
