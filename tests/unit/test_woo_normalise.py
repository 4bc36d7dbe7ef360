"""WooCommerce JSON → contract payloads, checked against the recorded store's responses."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from connector_agent.errors import WooCommerceError
from connector_agent.woo import normalise
from online_models.events import version_of

# the recorded store's answers, copied into the repository with the contract tests
FIXTURES = Path(__file__).resolve().parents[1] / "contract" / "fixtures" / "woocommerce"


def fixture(name: str):
    return json.loads((FIXTURES / f"{name}.json").read_text())


def delivery_body(name: str):
    return json.loads(fixture(name)["raw_body"])


def test_order_with_variations_coupon_fee_and_shipping():
    order = fixture("order_variation_coupon_fee_shipping")
    payload = normalise.order_payload(order, {"3891": "Tees"}.get)
    assert payload["id"] == str(order["id"])
    assert payload["customer_id"] == "297" and payload["guest_key"] is None
    assert payload["total"] == "55.30" and payload["currency"] == "USD"
    assert payload["created_via"] == order["created_via"] == "rest-api"
    assert payload["created_at"] == order["date_created_gmt"] + "Z"
    assert [line["variation_id"] for line in payload["line_items"]] == ["3893", "3894"]
    first = payload["line_items"][0]
    # the price before the 10% coupon: subtotal 30.00 / 2, not line price 13.5
    assert first == {
        "product_id": "3891",
        "variation_id": "3893",
        "name": "Fixture Tee 650133 - Red, M",
        "category": "Tees",
        "quantity": 2,
        "unit_price": "15.00",
    }
    assert Decimal(payload["line_items"][1]["unit_price"]) == Decimal("22")


def test_guest_order_gets_a_hashed_key_never_the_email():
    order = fixture("orders_page1")[0]
    assert order["customer_id"] == 0
    payload = normalise.order_payload(order)
    assert payload["customer_id"] is None
    assert payload["guest_key"] == normalise.guest_key("Hook.Demo@example.test ")
    assert order["billing"]["email"] not in json.dumps(payload)
    assert payload["paid_at"] == "2026-11-25T22:28:33Z"


def test_an_order_carries_the_shop_offset_from_utc_when_it_was_made():
    """The recorded shop is in New York: five hours behind UTC in November, four in summer."""
    order = fixture("order_variation_coupon_fee_shipping")
    assert normalise.order_payload(order)["utc_offset_minutes"] == -300
    noon = "2026-07-01T12:00:00"
    summer = {**order, "date_created": "2026-07-01T08:00:00", "date_created_gmt": noon}
    assert normalise.order_payload(summer)["utc_offset_minutes"] == -240
    kolkata = {**order, "date_created": "2026-07-01T17:30:00", "date_created_gmt": noon}
    assert normalise.order_payload(kolkata)["utc_offset_minutes"] == 330


@pytest.mark.parametrize(
    "local",
    [None, "", "yesterday", "2026-07-03T12:00:00", "2026-06-30T23:00:00"],
    ids=["missing", "empty", "unreadable", "two-days-ahead", "thirteen-hours-behind"],
)
def test_an_odd_local_date_leaves_the_offset_unknown_and_keeps_the_order(local):
    order = {**fixture("order_variation_coupon_fee_shipping"),
             "date_created": local, "date_created_gmt": "2026-07-01T12:00:00"}
    payload = normalise.order_payload(order)
    assert payload["utc_offset_minutes"] is None
    assert payload["created_at"] == "2026-07-01T12:00:00Z" and len(payload["line_items"]) == 2


def test_refunds_are_positive_amounts_in_both_shapes():
    order = fixture("refund_partial_order")
    payload = normalise.order_payload(order)
    assert payload["refunds"] == [{"id": "2403", "amount": "59.94"}]
    listed = fixture("refund_partial_refunds")
    assert Decimal(listed[0]["amount"]) == Decimal(payload["refunds"][0]["amount"])


def test_refund_lines_read_the_units_a_refund_gave_back():
    # the recorded store's partial refund gave money only
    assert normalise.refund_lines(fixture("refund_partial_refunds")) == {"2403": []}
    listed = [{"id": 9, "line_items": [
        {"id": 31, "product_id": 3891, "variation_id": 3893, "quantity": -2, "total": "-30.00"},
        {"id": 32, "product_id": 0, "quantity": -1},  # a deleted product: nothing to count
    ]}]
    lines = normalise.refund_lines(listed)
    assert lines == {"9": [{"product_id": "3891", "variation_id": "3893", "quantity": 2}]}
    order = fixture("refund_partial_order")
    payload = normalise.order_payload(order, lines_of_refunds={"2403": []})
    assert payload["refunds"] == [{"id": "2403", "amount": "59.94", "line_items": []}]
    assert normalise.known_refund_lines(payload) == {"2403": []}
    unknown = normalise.order_payload(order)  # units not read yet: no line_items key
    assert "line_items" not in unknown["refunds"][0]
    assert normalise.known_refund_lines(unknown) == {}
    assert normalise.known_refund_lines(None) == {}


@pytest.mark.parametrize("body", [{"id": 9}, [{"line_items": []}], [{"id": 9, "line_items": [
    {"product_id": 3, "quantity": "two"}]}]])
def test_a_bad_refunds_answer_is_a_clear_error(body):
    with pytest.raises(WooCommerceError, match="refund"):
        normalise.refund_lines(body)


def test_order_event_version_is_modified_time_plus_payload_hash():
    order = fixture("orders_page1")[0]
    event = normalise.order_event(order)
    assert event.kind == "order.upserted" and event.key == "2407"
    assert event.occurred_at == "2026-11-25T22:28:34Z"
    assert event.version == version_of("2026-11-25T22:28:34Z", event.payload)
    assert normalise.order_event(json.loads(json.dumps(order))).version == event.version


def test_simple_product_payload():
    product = fixture("products_page1")[0]
    payload = normalise.product_payload(product)
    assert payload["id"] == "1230" and payload["parent_id"] is None
    assert payload["categories"] == [
        {"id": "26", "name": "Electronics"},
        {"id": "27", "name": "Toys"},
    ]
    assert payload["price"] == "107.54" and payload["sale_price"] is None
    assert payload["stock_quantity"] is None and payload["image"] is None
    assert payload["catalog_visibility"] == "visible"
    hidden = normalise.product_payload({**product, "catalog_visibility": "hidden"})
    assert hidden["catalog_visibility"] == "hidden"


def test_variation_shapes_give_one_payload_and_one_version():
    parent = fixture("product_variable")
    listed = {v["id"]: v for v in fixture("product_variable_variations")}
    webhook = delivery_body("webhook_product_created_variation")
    from_listing = normalise.product_event(listed[webhook["id"]], parent)
    from_webhook = normalise.product_event(webhook)
    assert from_listing.payload == from_webhook.payload
    assert from_listing.version == from_webhook.version
    assert from_listing.payload["name"] == "Fixture Tee 650133 - Red, S"
    assert from_listing.payload["parent_id"] == "3891"
    assert from_listing.payload["type"] == "variation"
    assert from_listing.payload["catalog_visibility"] is None  # it shows where its parent does


def test_variation_on_sale_keeps_decimal_prices():
    parent = fixture("product_variable")
    on_sale = [v for v in fixture("product_variable_variations") if v["sale_price"]][0]
    payload = normalise.product_payload(on_sale, parent)
    assert (payload["regular_price"], payload["sale_price"], payload["price"]) == (
        "20.00",
        "15.00",
        "15.00",
    )


def test_customer_payload_has_only_contract_fields():
    customer = fixture("customers_page1")[0]
    payload = normalise.customer_payload(customer)
    assert payload == {
        "id": "87",
        "email": "ada.allen.5f8154@example.test",
        "first_name": "Ada",
        "last_name": "Allen",
        "created_at": "2025-09-25T22:25:12Z",
        "role": "customer",
    }


def test_delete_of_unknown_key_is_a_no_op_and_repeats_dedupe():
    assert normalise.delete_event("product", "3901", None, "2026-11-26T00:00:00Z") is None
    first = normalise.delete_event("order", "7", "2026-01-01T00:00:00Z#abc", "2026-11-26T00:00:00Z")
    assert first is not None and first.version == "deleted:2026-01-01T00:00:00Z#abc"
    again = normalise.delete_event("order", "7", first.version, "2026-11-26T00:01:00Z")
    assert again is not None and again.version == first.version


def test_a_delete_older_than_the_version_held_is_stale():
    """A trash listing read before a restore that a webhook already brought."""
    restored = "2026-11-26T00:05:00Z#abc"
    assert normalise.held_since(restored, "2026-11-26T00:04:59Z")
    assert normalise.held_since(restored, "2026-11-26T00:05:00Z")
    assert not normalise.held_since(restored, "2026-11-26T00:05:01Z")
    assert not normalise.held_since("deleted:" + restored, "2026-11-26T00:00:00Z")
    assert not normalise.held_since(None, "2026-11-26T00:00:00Z")


def test_error_objects_are_recognised():
    assert normalise.is_error_object(delivery_body("webhook_order_created_after_delete"))
    assert not normalise.is_error_object(delivery_body("webhook_order_deleted_trash"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("total", "12,50", "order 2407: not a decimal amount: '12,50'"),
        ("date_modified_gmt", "2026-11-25 22:28:34", "order 2407: not a WooCommerce GMT time"),
        ("id", 0, "order 0: order without an id"),
        ("line_items", ["x"], "order 2407: unexpected shape"),
    ],
)
def test_bad_records_raise_a_clear_error_naming_the_record(field, value, message):
    order = fixture("orders_page1")[0]
    order[field] = value
    with pytest.raises(WooCommerceError) as caught:
        normalise.order_event(order)
    assert caught.value.message.startswith(message)


def test_a_bundles_contents_are_marked_and_other_orders_normalise_as_before():
    """WooCommerce Product Bundles adds ``bundled_by`` (the bundle's own line item id, or "")
    and ``bundled_items`` to every order line item (its REST API reference)."""
    order = fixture("order_variation_coupon_fee_shipping")
    bundle, content = (line["id"] for line in order["line_items"][:2])
    with_bundles = json.loads(json.dumps(order))
    first, second = with_bundles["line_items"][:2]
    first.update(bundled_by="", bundled_items=[content])
    second.update(bundled_by=str(bundle), bundled_items=[])
    lines = normalise.order_payload(with_bundles)["line_items"]
    assert "bundled" not in lines[0] and lines[1]["bundled"] is True
    # the extension's empty fields on a shop's orders change neither payload nor version
    unbundled = json.loads(json.dumps(order))
    for line in unbundled["line_items"]:
        line.update(bundled_by="", bundled_items=[])
    assert normalise.order_payload(unbundled) == normalise.order_payload(order)


@pytest.mark.parametrize("email", ["deleted@site.invalid", "DELETED@SITE.INVALID ", "x@invalid"])
def test_an_anonymised_guest_order_has_no_guest_key(email):
    """WordPress writes an anonymised order's email as deleted@site.invalid: one key for all
    of them made every anonymised guest order one customer (a "champion" of six strangers)."""
    order = fixture("orders_page1")[0]
    anonymised = {**order, "billing": {**order["billing"], "email": email}}
    assert normalise.order_payload(anonymised)["guest_key"] is None
    assert normalise.order_payload(order)["guest_key"] is not None
