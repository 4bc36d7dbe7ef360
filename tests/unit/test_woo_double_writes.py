"""REST writes through the ``woocommerce`` client, and writes that must change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from woocommerce import API

from connector_agent.demo.woo_double import WooDouble, WooRestError


@pytest.fixture
def double() -> Iterator[WooDouble]:
    with WooDouble.demo(limit_orders=5) as store:
        store.start()
        yield store


@pytest.fixture
def wc(double: WooDouble) -> API:
    return API(
        url=double.url,
        consumer_key="ck_demo",
        consumer_secret="cs_demo",
        version="wc/v3",
        timeout=10,
    )


def test_an_order_placed_over_rest_is_paid_and_takes_stock(double: WooDouble, wc: API) -> None:
    stock = double.state.products[10].stock_quantity
    created = wc.post(
        "orders",
        {"customer_id": 13085, "set_paid": True, "line_items": [{"product_id": 10, "quantity": 2}]},
    )
    assert created.status_code == 201
    order = created.json()
    assert (order["status"], order["created_via"]) == ("processing", "rest-api")
    assert order["date_paid_gmt"] is not None and order["date_completed"] is None
    assert double.state.products[10].stock_quantity == stock - 2
    assert order["line_items"][0]["meta_data"][0]["key"] == "_reduced_stock"
    completed = wc.put(f"orders/{order['id']}", {"status": "completed"}).json()
    assert completed["status"] == "completed" and completed["date_completed"] is not None
    assert completed["date_modified_gmt"] >= order["date_modified_gmt"]


def test_refund_and_delete_over_rest(wc: API) -> None:
    order = wc.post(
        "orders",
        {"customer_id": 13085, "set_paid": True, "line_items": [{"product_id": 10, "quantity": 1}]},
    ).json()
    refund = wc.post(f"orders/{order['id']}/refunds", {"amount": "0.50", "reason": "chip"})
    assert refund.status_code == 201 and refund.json()["amount"] == "0.50"
    too_much = wc.post(f"orders/{order['id']}/refunds", {"amount": "99999.00"})
    assert too_much.status_code == 500  # what WooCommerce answers for an impossible refund
    assert wc.delete(f"orders/{order['id']}", params={"force": True}).status_code == 200
    assert wc.get(f"orders/{order['id']}").status_code == 404


def test_a_refund_of_units_lists_them_as_woocommerce_does(double: WooDouble, wc: API) -> None:
    order = wc.post(
        "orders",
        {"customer_id": 13085, "set_paid": True,
         "line_items": [{"product_id": 10, "quantity": 3}, {"product_id": 12, "quantity": 1}]},
    ).json()
    first = order["line_items"][0]
    unit = first["price"]
    body = {"amount": f"{unit * 2:.2f}", "reason": "two came back",
            "line_items": [{"id": first["id"], "quantity": 2, "refund_total": unit * 2}]}
    created = wc.post(f"orders/{order['id']}/refunds", body)
    assert created.status_code == 201
    listed = wc.get(f"orders/{order['id']}/refunds").json()
    assert [r["id"] for r in listed] == [created.json()["id"]]
    (item,) = listed[0]["line_items"]
    assert (item["product_id"], item["variation_id"], item["quantity"]) == (10, 0, -2)
    assert item["total"] == f"{-unit * 2:.2f}" and item["price"] == -unit
    assert item["meta_data"][0]["key"] == "_refunded_item_id"
    assert item["meta_data"][0]["value"] == str(first["id"])
    # the order's own line items keep their quantities; its refunds list the money only
    again = wc.get(f"orders/{order['id']}").json()
    assert again["line_items"][0]["quantity"] == 3 and again["status"] == "processing"
    assert again["refunds"][0] == {"id": created.json()["id"], "reason": "two came back",
                                   "total": f"-{unit * 2:.2f}"}
    # one unit left on that line: asking back two is refused, and nothing changes
    version = double.state.version
    for lines in ([{"id": first["id"], "quantity": 2}], [{"id": 999999, "quantity": 1}],
                  [{"id": first["id"], "quantity": 0}], [{"quantity": 1}], "all"):
        refused = wc.post(f"orders/{order['id']}/refunds", {"amount": "0.10", "line_items": lines})
        assert refused.status_code == 400, lines
        assert refused.json()["data"]["params"].keys() == {"line_items"}
    assert double.state.version == version
    assert len(wc.get(f"orders/{order['id']}/refunds").json()) == 1


def test_an_unknown_product_is_refused_and_nothing_is_created(double: WooDouble, wc: API) -> None:
    before = len(double.state.orders)
    refused = wc.post("orders", {"line_items": [{"product_id": 987654, "quantity": 1}]})
    assert refused.status_code == 400
    assert refused.json()["code"] == "woocommerce_rest_invalid_product_id"
    assert len(double.state.orders) == before


def test_a_bad_value_changes_nothing(double: WooDouble, wc: API) -> None:
    name, version = double.state.products[10].name, double.state.version
    for price in ("abc", "NaN", "Infinity"):
        refused = wc.put("products/10", {"name": "Renamed", "regular_price": price})
        assert refused.status_code == 400, price
    assert double.state.products[10].name == name
    order = next(iter(double.state.orders))
    for amount in ("NaN", "-Infinity", "x"):
        assert wc.post(f"orders/{order}/refunds", {"amount": amount}).status_code == 400, amount
    refused = wc.put("products/10", {"name": "Renamed", "catalog_visibility": "secret"})
    assert refused.status_code == 400
    with pytest.raises(WooRestError):
        double.update_product(10, name="Renamed", catalog_visibility="private")
    assert double.state.products[10].catalog_visibility == "visible"
    assert double.state.products[10].name == name
    with pytest.raises(WooRestError):
        double.update_customer(13085, first_name="X", billing="not an object")
    assert double.state.customers[13085].first_name != "X"
    assert double.state.version == version


def test_webhooks_over_rest(wc: API) -> None:
    created = wc.post(
        "webhooks",
        {"topic": "order.created", "secret": "s", "delivery_url": "http://127.0.0.1:9/hook"},
    )
    assert created.status_code == 201 and created.json()["hooks"] == ["woocommerce_new_order"]
    assert "secret" not in created.json()
    assert [w["topic"] for w in wc.get("webhooks").json()] == ["order.created"]
    unknown = wc.post("webhooks", {"topic": "order.exploded", "delivery_url": "http://x/"})
    assert unknown.status_code == 400
    hook_id = created.json()["id"]
    assert wc.delete(f"webhooks/{hook_id}").status_code == 501
    assert wc.delete(f"webhooks/{hook_id}", params={"force": True}).status_code == 200
    assert wc.get("webhooks").json() == []
