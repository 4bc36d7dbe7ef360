"""The payment webhook: Stripe-style signatures (valid, invalid, stale, replayed) mark invoices."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime

import orjson
import pytest
import requests
from support.cloud import SHOP

from cloud_api import billing, licences, payments
from cloud_api.billing import Invoice
from cloud_api.config import from_environment
from cloud_api.db import transaction
from cloud_api.payments import PaymentEvent, SignatureInvalid

SECRET = "whsec_test"

# Built with the documented algorithm outside Python:
#   printf '%s' '1767268800.{"id":"evt_1","type":"invoice.paid"}' \
#     | openssl dgst -sha256 -hmac whsec_test
VECTOR_T = 1767268800
VECTOR_BODY = b'{"id":"evt_1","type":"invoice.paid"}'
VECTOR_V1 = "4db5209bebe286f67039adb7e354861934fd4515f850997bc893c951bb55c828"


def test_the_signature_matches_the_documented_vector() -> None:
    assert payments.sign(SECRET, VECTOR_T, VECTOR_BODY) == VECTOR_V1
    header = f"t={VECTOR_T},v1={VECTOR_V1}"
    assert payments.verify(header, VECTOR_BODY, SECRET, now=VECTOR_T + 299) == VECTOR_T


@pytest.mark.parametrize(
    ("header", "now", "message"),
    [
        (f"t={VECTOR_T},v1={VECTOR_V1}", VECTOR_T + 301, "more than 300 s"),
        (f"t={VECTOR_T},v1={VECTOR_V1}", VECTOR_T - 301, "more than 300 s"),
        (f"t={VECTOR_T},v1={'0' * 64}", VECTOR_T, "no v1 signature matches"),
        (f"t={VECTOR_T + 1},v1={VECTOR_V1}", VECTOR_T + 1, "no v1 signature matches"),
        (f"t={VECTOR_T},v0={VECTOR_V1}", VECTOR_T, "must carry"),
        (f"t=\u00b2,v1={VECTOR_V1}", VECTOR_T, "must carry"),  # str.isdigit() takes "²"
        ("", VECTOR_T, "must carry"),
    ],
)
def test_wrong_stale_or_malformed_signatures_are_refused(header, now, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SignatureInvalid, match=message):
        payments.verify(header, VECTOR_BODY, SECRET, now=now)


def test_any_of_several_v1_signatures_may_match_and_the_body_is_covered() -> None:
    header = f"t={VECTOR_T},v1={'f' * 64},v1={VECTOR_V1}"
    assert payments.verify(header, VECTOR_BODY, SECRET, now=VECTOR_T) == VECTOR_T
    with pytest.raises(SignatureInvalid):
        payments.verify(header, VECTOR_BODY + b" ", SECRET, now=VECTOR_T)
    expected = hmac.new(b"other", b"%d." % VECTOR_T + VECTOR_BODY, hashlib.sha256).hexdigest()
    with pytest.raises(SignatureInvalid):
        payments.verify(f"t={VECTOR_T},v1={expected}", VECTOR_BODY, SECRET, now=VECTOR_T)


@pytest.fixture
async def open_invoice(app, client, issue, clock):  # type: ignore[no-untyped-def]
    app.config["PAYMENT_WEBHOOK_SECRET"] = SECRET
    lic = issue(plan="starter", trial=False)
    headers = {"Authorization": f"Bearer {lic.key}"}
    await client.post("/v1/agent/activate", json=SHOP, headers=headers)
    clock.advance(datetime(2026, 2, 1, 3, tzinfo=UTC).timestamp() - clock.time())
    with transaction():
        return billing.close("2026-01", actor="test", now=int(clock.time()))["invoices"][0]


async def deliver(client, clock, event: dict, *, secret: str = SECRET, age: int = 0):  # type: ignore[no-untyped-def]
    body = orjson.dumps(event)
    t = int(clock.time()) - age
    header = f"t={t},v1={payments.sign(secret, t, body)}"
    response = await client.post(
        "/v1/payments/webhook", data=body, headers={"Stripe-Signature": header}
    )
    return response.status_code, await response.get_json()


def event(event_id: str, kind: str, number: str) -> dict:
    obj = {"object": "invoice", "metadata": {"luxebrain_invoice": number}}
    return {"id": event_id, "type": kind, "data": {"object": obj}}


def state(number: str) -> tuple[str, int | None, int | None, int]:
    with transaction():
        invoice = Invoice.get(Invoice.number == number)
        return invoice.status, invoice.paid_at, invoice.failed_at, PaymentEvent.select().count()


async def test_a_signed_payment_marks_the_invoice_paid_once(client, clock, open_invoice) -> None:
    number = open_invoice["number"]
    assert await deliver(client, clock, event("evt_1", "invoice.paid", number)) == (
        200,
        {"event_id": "evt_1", "outcome": "paid"},
    )
    paid = state(number)
    assert paid == ("paid", int(clock.time()), None, 1)
    clock.advance(60)
    replay = await deliver(client, clock, event("evt_1", "invoice.paid", number))
    assert replay == (200, {"event_id": "evt_1", "outcome": "duplicate"})
    assert state(number) == paid
    late_failure = await deliver(client, clock, event("evt_2", "invoice.payment_failed", number))
    assert late_failure[1]["outcome"] == "ignored"
    assert state(number)[:3] == paid[:3]


async def test_a_failed_payment_then_a_retry_that_succeeds(client, clock, open_invoice) -> None:
    number = open_invoice["number"]
    failed = await deliver(client, clock, event("evt_f", "invoice.payment_failed", number))
    assert failed[1]["outcome"] == "failed"
    assert state(number)[0] == "failed"
    ok = await deliver(client, clock, event("evt_s", "invoice.payment_succeeded", number))
    assert ok[1]["outcome"] == "paid"
    assert state(number)[0] == "paid"


async def test_bad_signatures_and_unknown_events_change_nothing(
    client, clock, open_invoice
) -> None:
    number = open_invoice["number"]
    before = state(number)
    wrong = await deliver(client, clock, event("evt_1", "invoice.paid", number), secret="nope")
    stale = await deliver(client, clock, event("evt_1", "invoice.paid", number), age=301)
    assert wrong[0] == stale[0] == 400
    assert wrong[1]["error"]["code"] == "signature_invalid"
    unknown_type = await deliver(client, clock, event("evt_3", "customer.created", number))
    unknown_invoice = await deliver(client, clock, event("evt_4", "invoice.paid", "LB-nope"))
    assert unknown_type[1]["outcome"] == unknown_invoice[1]["outcome"] == "ignored"
    unsigned = await client.post("/v1/payments/webhook", data=b"{}")
    assert unsigned.status_code == 400
    assert state(number) == before


def test_the_webhook_secret_is_read_from_the_environment() -> None:
    assert from_environment({})["PAYMENT_WEBHOOK_SECRET"] == ""
    environ = {"LUXEBRAIN_CLOUD_PAYMENT_WEBHOOK_SECRET": SECRET}
    assert from_environment(environ)["PAYMENT_WEBHOOK_SECRET"] == SECRET


@pytest.mark.parametrize("cloud_env", [{"LUXEBRAIN_CLOUD_PAYMENT_WEBHOOK_SECRET": SECRET}])
def test_a_served_cloud_verifies_deliveries_with_the_secret_from_its_environment(
    live_cloud: str,
) -> None:
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    with transaction():
        licences.issue(
            tenant="Acme", plan="starter", stores=1, days=365, actor="test", now=start, trial=False
        )
        number = billing.close("2026-01", actor="test", now=int(time.time()))["invoices"][0][
            "number"
        ]

    def send(secret: str, event_id: str) -> requests.Response:
        body = orjson.dumps(event(event_id, "invoice.paid", number))
        t = int(time.time())
        header = f"t={t},v1={payments.sign(secret, t, body)}"
        return requests.post(
            f"{live_cloud}/v1/payments/webhook",
            data=body,
            headers={"Stripe-Signature": header},
            timeout=10,
        )

    forged = send("whsec_other", "evt_forged")
    assert (forged.status_code, forged.json()["error"]["code"]) == (400, "signature_invalid")
    assert state(number)[0] == "open"
    signed = send(SECRET, "evt_live")
    assert (signed.status_code, signed.json()) == (200, {"event_id": "evt_live", "outcome": "paid"})
    assert state(number)[0] == "paid"
