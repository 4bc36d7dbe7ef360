"""WooCommerce webhook deliveries: signature check and the events a delivery means.

What the recorded store taught (``tests/contract/test_webhook*.py`` replays it):

* ``X-WC-Webhook-Signature`` is base64 HMAC-SHA256 of the **raw body** with the webhook secret;
  compared in constant time;
* creating a webhook sends an unsigned, form-encoded ping (``webhook_id=N``, no ``X-WC-Webhook-*``
  headers) that must get a 2xx, or WooCommerce pings again on every later save;
* the payload is built when the delivery is sent, so a record deleted meanwhile arrives as a
  signed REST error object — acknowledged and ignored;
* ``*.deleted`` bodies are only ``{"id": N}``, and ``product.deleted``/``product.restored`` also
  fire when an *order* is trashed or restored: a delete of an id unknown locally is a no-op;
* deliveries come in any order; the event log's dedupe and stale-version check absorb that;
* an order's body names its refunds by money alone (``refunds: [{id, reason, total}]``): the units
  a refund gave back are only on ``GET /orders/{id}/refunds``, so a delivery naming a refund not
  read before asks for a sync now (:attr:`Outcome.refunds_unread`) instead of at the next interval;
* a queue run's deliveries come in any order, so a delete may land after the restore that undid
  it: each delete appended is checked against the shop soon after (:attr:`Outcome.deleted`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from connector_agent.errors import BadRequest, Unauthorized, WooCommerceError
from connector_agent.eventlog import EventLog
from connector_agent.woo import normalise
from connector_agent.woo.lookup import CategoryLookup
from online_models.events import ORDER_UPSERTED, Event

RESOURCES = ("order", "product", "customer")
UPSERT_EVENTS = ("created", "updated", "restored")
_PING = re.compile(rb"^webhook_id=\d+$")


class BadSignature(Unauthorized):
    code = "bad_webhook_signature"


def signature_of(secret: str, raw_body: bytes) -> str:
    """What WooCommerce puts in ``X-WC-Webhook-Signature`` for ``raw_body``."""
    digest = hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_signature(secret: str | None, raw_body: bytes, signature: str | None) -> None:
    """Raise :class:`BadSignature` unless ``signature`` signs ``raw_body`` with ``secret``."""
    if not secret:
        raise BadSignature("no webhook secret is configured: pair the agent first")
    if not signature:
        raise BadSignature("missing X-WC-Webhook-Signature")
    if not hmac.compare_digest(signature_of(secret, raw_body).encode(), signature.encode()):
        raise BadSignature("X-WC-Webhook-Signature does not match the body")


def is_ping(headers: Mapping[str, str], raw_body: bytes) -> bool:
    """WooCommerce's creation ping: unsigned, form-encoded ``webhook_id=N``, no topic.

    ``headers`` keys are lower case (see :func:`receive`).
    """
    return (
        "x-wc-webhook-topic" not in headers
        and "x-wc-webhook-signature" not in headers
        and _PING.match(raw_body.strip()) is not None
    )


@dataclass
class Outcome:
    """What a delivery did: ``status`` is ``ping``, ``appended``, ``ignored`` or ``duplicate``."""

    status: str
    topic: str | None = None
    reason: str | None = None
    events: list[Event] = field(default_factory=list)
    #: an appended order names a refund whose units no sync has read yet
    refunds_unread: bool = False
    #: ``(resource, key)`` of the deletes appended: to be checked against the shop
    #: (``Reconciler.revive``: a late delete must not bury a record restored meanwhile)
    deleted: list[tuple[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "appended": len(self.events)}
        if self.topic:
            body["topic"] = self.topic
        if self.reason:
            body["reason"] = self.reason
        return body


def events_for(
    topic: str, body: Any, log: EventLog, categories: normalise.CategoryOf, now: str
) -> tuple[list[Event], str | None]:
    """The events a verified delivery means, and why there are none when there are none."""
    resource, _, action = topic.partition(".")
    if resource not in RESOURCES:
        return [], f"topic {topic} is not synced"
    if normalise.is_error_object(body):
        return [], "the body is a WooCommerce error object (record gone before delivery)"
    if not isinstance(body, Mapping) or body.get("id") in (None, "", 0):
        raise BadRequest(f"{topic}: the body is not a record with an id", field="id")
    key = str(body["id"])
    if action == "deleted" or (action in UPSERT_EVENTS and body.get("status") == "trash"):
        # a trashed record's body says when it was trashed; a deleted one's is only its id
        trashed_at = normalise.utc(body.get("date_modified_gmt")) if action != "deleted" else None
        last = log.last_version(resource, key)
        event = normalise.delete_event(resource, key, last, now, trashed_at=trashed_at)
        return ([event], None) if event else ([], f"{resource} {key} is not known here")
    if action not in UPSERT_EVENTS:
        return [], f"topic {topic} is not synced"
    if resource == "order":
        # the units of refunds read by an earlier sync (a new refund's: see ``refunds_unread``)
        known = normalise.known_refund_lines(log.last_payload("order", str(body.get("id"))))
        return [normalise.order_event(body, categories, known)], None
    if resource == "product":
        return [normalise.product_event(body)], None
    return [normalise.customer_event(body)], None


def parse_body(raw_body: bytes) -> Any:
    try:
        return orjson.loads(raw_body)
    except orjson.JSONDecodeError:
        raise BadRequest("the webhook body is not JSON") from None


def receive(
    headers: Mapping[str, str],
    raw_body: bytes,
    *,
    secret: str | None,
    log: EventLog,
    now: str,
    remember_delivery: Callable[[str], bool] | None = None,
) -> Outcome:
    """Verify a delivery and append what it means; raise 401/400 changing nothing.

    ``remember_delivery(key)`` returns False for a key seen before: WooCommerce never resends
    a delivery, so a repeat is a replay and is acknowledged without effect. The key is the
    delivery id with the webhook and the body (see :func:`delivery_key`).
    """
    headers = {name.lower(): value for name, value in headers.items()}  # any proxy's casing
    if is_ping(headers, raw_body):
        return Outcome("ping")
    verify_signature(secret, raw_body, headers.get("x-wc-webhook-signature"))
    topic = headers.get("x-wc-webhook-topic")
    if not topic:
        raise BadRequest("missing X-WC-Webhook-Topic", field="X-WC-Webhook-Topic")
    body = parse_body(raw_body)
    delivery = headers.get("x-wc-webhook-delivery-id")
    if delivery and remember_delivery and not remember_delivery(delivery_key(headers, raw_body)):
        return Outcome("duplicate", topic, "this delivery was received before")
    try:
        events, reason = events_for(topic, body, log, CategoryLookup(log.store, preload=False), now)
    except WooCommerceError as exc:
        raise BadRequest(f"{topic}: {exc.message}") from None
    if not events:
        return Outcome("ignored", topic, reason)
    added = log.append(events)
    if not added:
        return Outcome("ignored", topic, "nothing new (already held or older than held)")
    deleted = [
        (event.kind.partition(".")[0], event.key)
        for event in added
        if event.kind.endswith(".deleted")
    ]
    return Outcome(
        "appended", topic, events=added, refunds_unread=_refunds_unread(added), deleted=deleted
    )


def delivery_key(headers: Mapping[str, str], raw_body: bytes) -> str:
    """What identifies one delivery (``headers`` lower-cased): its id, its webhook and its body.

    The id alone does not: WooCommerce makes it as ``wp_hash(webhook id . strtotime('now'))``
    (``WC_Webhook::get_new_delivery_id``), so every delivery of one webhook within a second
    shares it (the recorded product and variation deliveries do), and a bulk edit's second
    record was acknowledged as a duplicate and lost until the next sync."""
    digest = hashlib.sha256()
    for part in (headers.get("x-wc-webhook-id", ""), headers.get("x-wc-webhook-delivery-id", "")):
        digest.update(part.encode() + b"\n")
    digest.update(raw_body)
    return f"wc-delivery:{digest.hexdigest()}"


def _refunds_unread(events: list[Event]) -> bool:
    """Whether an order among ``events`` names a refund without the units it gave back."""
    for event in events:
        if event.kind != ORDER_UPSERTED:
            continue
        for refund in event.payload.get("refunds") or []:
            if "line_items" not in refund:
                return True
    return False
