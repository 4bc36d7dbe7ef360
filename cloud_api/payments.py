"""The payment provider's webhook: Stripe-style signatures, then invoices marked paid or failed.

``Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`` (several
``v1`` entries may appear while the provider rolls a secret; any one matching is enough). A
timestamp more than ``TOLERANCE`` seconds from now is refused, so a captured delivery cannot be
replayed later; an event id already handled is acknowledged and changes nothing, and so is an
event of a type we do not handle or for an invoice we do not know.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import peewee

from cloud_api import audit
from cloud_api.billing import Invoice
from cloud_api.db import locked
from cloud_api.errors import CloudError, InvalidInput
from cloud_api.models import BaseModel
from luxebrain.digits import is_digits

TOLERANCE = 300
PAID = ("invoice.paid", "invoice.payment_succeeded")
FAILED = ("invoice.payment_failed",)


class SignatureInvalid(CloudError):
    code, status = "signature_invalid", 400


class PaymentEvent(BaseModel):
    event_id = peewee.CharField(max_length=255, primary_key=True)
    type = peewee.CharField(max_length=100)
    invoice = peewee.ForeignKeyField(Invoice, null=True, on_delete="SET NULL")
    outcome = peewee.CharField(max_length=32)
    received_at = peewee.BigIntegerField()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``v1`` signature of ``body`` sent at ``timestamp`` (hex)."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(header: str, body: bytes, secret: str, *, now: int, tolerance: int = TOLERANCE) -> int:
    """Check a ``Stripe-Signature`` header against the raw body; return its timestamp."""
    if not secret:
        raise SignatureInvalid("no webhook secret is configured")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and is_digits(value):
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureInvalid("Stripe-Signature must carry t=<unix time> and v1=<signature>")
    if abs(now - timestamp) > tolerance:
        raise SignatureInvalid(f"signature timestamp is more than {tolerance} s from now")
    expected = sign(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise SignatureInvalid("no v1 signature matches the body")
    return timestamp


def _invoice_number(event: dict[str, Any]) -> str | None:
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    metadata = obj.get("metadata") if isinstance(obj, dict) else None
    number = metadata.get("luxebrain_invoice") if isinstance(metadata, dict) else None
    return number if isinstance(number, str) else None


def handle(event: Any, *, now: int) -> dict[str, Any]:
    """Apply one verified event; returns ``{"event_id", "outcome"}``.

    Outcomes: ``paid``, ``failed``, ``duplicate`` (seen before), ``ignored`` (a type we do not
    handle, an unknown invoice, or no change, such as a failure after the invoice was paid).
    """
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not event["id"]:
        raise InvalidInput("the event must be a JSON object with an id", field="id")
    event_id, kind = event["id"][:255], str(event.get("type", ""))[:100]
    if PaymentEvent.get_or_none(PaymentEvent.event_id == event_id) is not None:
        return {"event_id": event_id, "outcome": "duplicate"}
    number = _invoice_number(event)
    invoice = locked(Invoice.select().where(Invoice.number == number)).first() if number else None
    if kind not in PAID + FAILED or invoice is None:
        return {"event_id": event_id, "outcome": "ignored"}
    before = {"status": invoice.status}
    if kind in PAID and invoice.status != "paid":
        invoice.status, invoice.paid_at = "paid", now
    elif kind in FAILED and invoice.status == "open":
        invoice.status, invoice.failed_at = "failed", now
    outcome = invoice.status if invoice.status != before["status"] else "ignored"
    recorded = (
        PaymentEvent.insert(
            event_id=event_id, type=kind, invoice=invoice.id, outcome=outcome, received_at=now
        )
        .on_conflict_ignore()  # the same event delivered twice at once: the other one won
        .as_rowcount()
        .execute()
    )
    if not recorded:
        return {"event_id": event_id, "outcome": "duplicate"}
    if outcome != "ignored":
        invoice.save()
        audit.record(
            f"payments:{event_id}",
            f"invoice.{outcome}",
            f"invoice:{invoice.id}",
            now=now,
            tenant_id=invoice.tenant_id,
            before=before,
            after={"status": invoice.status},
        )
    return {"event_id": event_id, "outcome": outcome}
