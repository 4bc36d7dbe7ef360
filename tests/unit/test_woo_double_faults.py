"""Injected faults: error statuses with ``Retry-After``, slowness, truncated JSON; and the
``/__double__/`` control routes that drive a double from another process."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from connector_agent.demo.woo_double import WooDouble


@pytest.fixture(scope="module")
def double() -> Iterator[WooDouble]:
    with WooDouble.demo(limit_orders=5) as store:
        store.start()
        yield store


def get(double: WooDouble, resource: str = "orders", timeout: float = 10) -> requests.Response:
    return requests.get(
        f"{double.url}/wp-json/wc/v3/{resource}",
        auth=("ck_demo", "cs_demo"),
        headers={"X-Forwarded-Proto": "https"},
        timeout=timeout,
    )


def test_429_with_retry_after_then_normal_answers(double: WooDouble) -> None:
    double.faults.inject(429, path="/orders", retry_after=7)
    limited = get(double)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert limited.json()["data"] == {"status": 429}
    assert get(double).status_code == 200


def test_500_answers_wordpress_critical_error_count_times(double: WooDouble) -> None:
    double.faults.inject(500, count=2)
    first, second, third = get(double), get(double), get(double)
    assert (first.status_code, second.status_code, third.status_code) == (500, 500, 200)
    assert first.json()["code"] == "internal_server_error"


def test_a_fault_only_hits_matching_paths(double: WooDouble) -> None:
    double.faults.inject(503, path="/products")
    assert get(double, "orders").status_code == 200
    assert get(double, "products").status_code == 503
    assert double.faults.pending == 0


def test_truncated_json_cannot_be_parsed(double: WooDouble) -> None:
    double.faults.inject(truncate=True)
    response = get(double)
    assert response.status_code == 200
    assert len(response.content) == int(response.headers["Content-Length"])
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_a_slow_answer_times_a_client_out(double: WooDouble) -> None:
    double.faults.inject(delay=1.0)
    with pytest.raises(requests.Timeout):
        get(double, timeout=0.2)


def test_bad_fault_arguments_are_refused(double: WooDouble) -> None:
    with pytest.raises(ValueError, match="status"):
        double.faults.inject(200)
    with pytest.raises(ValueError, match="count"):
        double.faults.inject(500, count=0)
    assert double.faults.pending == 0


def test_control_routes_mirror_the_python_methods(double: WooDouble) -> None:
    control = f"{double.url}/__double__"
    created = requests.post(
        f"{control}/create_order", json={"customer_id": 13085, "lines": [[10, 2]]}, timeout=10
    ).json()
    assert created["status"] == "processing" and created["line_items"][0]["quantity"] == 2
    updated = requests.post(
        f"{control}/update_order",
        json={"order_id": created["id"], "status": "completed"},
        timeout=10,
    )
    assert updated.json()["status"] == "completed"
    line = created["line_items"][0]
    refund = requests.post(
        f"{control}/refund_order",
        json={"order_id": created["id"], "amount": "1.00", "lines": [[line["id"], 1]]},
        timeout=10,
    ).json()
    assert [(i["product_id"], i["quantity"]) for i in refund["line_items"]] == [(10, -1)]
    renewal = requests.post(
        f"{control}/create_order",
        json={"customer_id": 13085, "lines": [[10, 1]], "created_via": "subscription"},
        timeout=10,
    ).json()
    assert renewal["created_via"] == "subscription"
    trashed = requests.post(f"{control}/trash_order", json={"order_id": created["id"]}, timeout=10)
    assert trashed.json()["status"] == "trash"
    assert requests.post(f"{control}/faults", json={"status": 500}, timeout=10).json() == {
        "pending": 1
    }
    assert requests.get(f"{control}/stats", timeout=10).json()["faults_pending"] == 1
    assert get(double).status_code == 500  # control calls never consume a fault
    assert requests.post(f"{control}/flush_webhooks", timeout=10).json() == []


def test_control_routes_refuse_bad_input_and_change_nothing(double: WooDouble) -> None:
    control = f"{double.url}/__double__"
    before = double.stats()
    missing = requests.post(f"{control}/trash_order", json={"order_id": 10**9}, timeout=10)
    assert missing.status_code == 404
    assert missing.json()["code"] == "woocommerce_rest_shop_order_invalid_id"
    assert requests.post(f"{control}/create_order", data=b"{", timeout=10).status_code == 400
    assert requests.post(f"{control}/nope", json={}, timeout=10).status_code == 404
    assert double.stats() == before


def test_variations_over_the_control_routes_and_what_they_refuse(double: WooDouble) -> None:
    control = f"{double.url}/__double__"
    parent = requests.post(
        f"{control}/create_product",
        json={"name": "Felt Hat", "regular_price": "", "product_type": "variable"},
        timeout=10,
    ).json()
    assert parent["type"] == "variable" and parent["price"] == ""
    made = requests.post(
        f"{control}/create_variation",
        json={"parent_id": parent["id"], "regular_price": "9.5", "options": {"Size": "L"}},
        timeout=10,
    ).json()
    assert made["name"] == "Felt Hat - L" and made["parent_id"] == parent["id"]
    assert made["price"] == "9.50"
    listed = get(double, f"products/{parent['id']}/variations").json()
    assert [(v["id"], v["attributes"]) for v in listed] == [
        (made["id"], [{"id": 0, "name": "Size", "option": "L"}])
    ]
    other = requests.post(
        f"{control}/create_variation",
        json={"parent_id": parent["id"], "regular_price": "8", "options": {"Size": "S"}},
        timeout=10,
    ).json()
    assert get(double, f"products/{parent['id']}").json()["price"] == "8.00"
    picked = get(double, f"products/{parent['id']}/variations?include={other['id']}").json()
    assert [v["id"] for v in picked] == [other["id"]]
    before = double.stats()
    for bad in (
        {"parent_id": parent["id"], "regular_price": "x", "options": {"Size": "M"}},
        {"parent_id": parent["id"], "regular_price": "9", "options": {}},
        {"parent_id": 10, "regular_price": "9", "options": {"Size": "M"}},  # a simple product
        {"parent_id": "1", "regular_price": "9", "options": {"Size": "M"}},
    ):
        refused = requests.post(f"{control}/create_variation", json=bad, timeout=10)
        assert refused.status_code == 400, bad
    kept = requests.post(
        f"{control}/delete_variation",
        json={"parent_id": parent["id"], "variation_id": made["id"], "force": False},
        timeout=10,
    )
    assert kept.status_code == 501 and kept.json()["code"] == "woocommerce_rest_trash_not_supported"
    assert double.stats() == before
    gone = requests.post(
        f"{control}/delete_variation",
        json={"parent_id": parent["id"], "variation_id": made["id"]},
        timeout=10,
    )
    assert gone.status_code == 200
    assert [v["id"] for v in get(double, f"products/{parent['id']}/variations").json()] == [
        other["id"]
    ]
    assert get(double, f"products/{parent['id']}").json()["variations"] == [other["id"]]
