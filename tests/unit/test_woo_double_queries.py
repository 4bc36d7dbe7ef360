"""Collection queries of the local WooCommerce: paging, strict dates, ``_fields``, ordering,
trash and customer semantics, refunds — each as the recorded store answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from connector_agent.demo.woo_double import WooDouble
from luxebrain.clock import FrozenClock

SUMMER = datetime(2026, 7, 1, 12, 0, 0, tzinfo=UTC)  # New York is UTC-4


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(SUMMER)


@pytest.fixture
def double(clock: FrozenClock) -> Iterator[WooDouble]:
    with WooDouble.demo(limit_orders=12, clock=clock) as store:
        store.start()
        yield store


def call(double: WooDouble, method: str, path: str, **params: Any) -> requests.Response:
    """Basic auth behind a TLS proxy: no OAuth clock window to respect with a frozen clock."""
    return requests.request(
        method,
        f"{double.url}/wp-json/wc/v3/{path}",
        params=params,
        auth=("ck_demo", "cs_demo"),
        headers={"X-Forwarded-Proto": "https"},
        timeout=10,
    )


def ids(response: requests.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


def test_per_page_is_capped_at_100(double: WooDouble) -> None:
    response = call(double, "GET", "orders", per_page=101)
    assert response.status_code == 400
    assert response.json()["code"] == "rest_invalid_param"
    assert response.json()["data"]["params"] == {
        "per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"
    }


def test_past_the_last_page_is_an_empty_list_with_the_totals(double: WooDouble) -> None:
    response = call(double, "GET", "orders", per_page=5, page=9999)
    assert response.status_code == 200 and response.json() == []
    assert (response.headers["X-WP-Total"], response.headers["X-WP-TotalPages"]) == ("12", "3")
    assert 'rel="prev"' in response.headers["Link"] and "page=3" in response.headers["Link"]


def test_pages_walk_every_order_once_by_id(double: WooDouble) -> None:
    seen = [
        i
        for page in (1, 2, 3)
        for i in ids(
            call(double, "GET", "orders", per_page=5, page=page, orderby="id", order="asc")
        )
    ]
    assert seen == sorted(double.state.orders)
    middle = call(double, "GET", "orders", per_page=5, page=2)
    assert 'rel="prev"' in middle.headers["Link"] and 'rel="next"' in middle.headers["Link"]
    assert "status%5B0%5D=any&dp=2&context=view" in middle.headers["Link"]


def test_offset_replaces_page_and_past_the_end_the_posts_totals_are_zero(
    double: WooDouble,
) -> None:
    """WooCommerce 7.8: the CRUD controllers hand ``offset`` to WP_Query, which ignores ``paged``
    for the rows; ``found_posts`` stays 0 on an empty result, and only ``page`` > 1 recounts."""
    by_id, by_id_asc = sorted(double.state.orders), {"orderby": "id", "order": "asc"}
    page = call(double, "GET", "orders", per_page=5, offset=3, page=2, **by_id_asc)
    assert ids(page) == by_id[3:8]
    assert (page.headers["X-WP-Total"], page.headers["X-WP-TotalPages"]) == ("12", "3")
    by_offset = {
        offset: ids(call(double, "GET", "orders", per_page=5, offset=offset, **by_id_asc))
        for offset in (-3, 0)
    }
    assert by_offset == {-3: by_id[3:8], 0: by_id[:5]}  # absint, and 0 is no offset
    past = call(double, "GET", "orders", per_page=5, offset=12)
    assert past.json() == []
    assert (past.headers["X-WP-Total"], past.headers["X-WP-TotalPages"]) == ("0", "0")
    recounted = call(double, "GET", "orders", per_page=5, offset=12, page=2)
    assert recounted.json() == [] and recounted.headers["X-WP-Total"] == "12"
    bad = call(double, "GET", "orders", offset="x")
    assert bad.status_code == 400 and bad.json()["data"]["params"] == {
        "offset": "offset is not of type integer."
    }


def test_customers_take_their_page_from_the_offset_and_always_recount(double: WooDouble) -> None:
    everyone = ids(call(double, "GET", "customers", role="all", orderby="id", per_page=100))
    page = call(double, "GET", "customers", role="all", orderby="id", per_page=2, offset=3)
    assert ids(page) == everyone[3:5]
    assert 'rel="prev"' in page.headers["Link"] and "page=2" in page.headers["Link"]  # on page 3
    past = call(double, "GET", "customers", role="all", per_page=2, offset=len(everyone))
    assert past.json() == [] and past.headers["X-WP-Total"] == str(len(everyone))


def test_default_order_is_newest_first_with_ids_breaking_ties(double: WooDouble) -> None:
    listed = [
        (o["date_created_gmt"], o["id"]) for o in call(double, "GET", "orders", per_page=100).json()
    ]
    assert listed == sorted(listed, reverse=True)


def test_date_filters_are_strict_and_read_naive_values_in_the_columns_zone(
    double: WooDouble,
) -> None:
    new = double.create_order(13085, [(10, 1)])["id"]  # created 12:00:00 UTC = 08:00:00 local
    assert new in ids(
        call(double, "GET", "orders", after="2026-07-01T11:59:59", dates_are_gmt="true")
    )
    assert new not in ids(
        call(double, "GET", "orders", after="2026-07-01T12:00:00", dates_are_gmt="true")
    )
    assert new not in ids(call(double, "GET", "orders", after="2026-07-01T08:00:00"))
    assert new in ids(call(double, "GET", "orders", after="2026-07-01T07:59:59"))
    assert new not in ids(
        call(double, "GET", "orders", modified_after="2026-07-01T12:00:00", dates_are_gmt="true")
    )


def test_a_z_value_is_converted_to_local_time_first(double: WooDouble) -> None:
    new = double.create_order(13085, [(10, 1)])["id"]
    # correct without dates_are_gmt: 12:00:01Z is 08:00:01 local, after the order
    assert new not in ids(call(double, "GET", "orders", after="2026-07-01T12:00:01Z"))
    # off by the offset with dates_are_gmt: 15:00Z becomes 11:00 and is compared with 12:00 GMT
    assert new in ids(
        call(double, "GET", "orders", after="2026-07-01T15:00:00Z", dates_are_gmt="true")
    )


def test_a_date_only_value_is_rejected(double: WooDouble) -> None:
    response = call(double, "GET", "orders", modified_after="2026-01-01")
    assert response.status_code == 400
    assert response.json()["data"]["params"] == {"modified_after": "Invalid date."}


def test_dates_come_as_local_and_gmt_pairs_across_dst(
    double: WooDouble, clock: FrozenClock
) -> None:
    summer = double.create_order(13085, [(10, 1)])
    clock.advance(200 * 86_400)  # mid January: UTC-5
    winter = double.create_order(13085, [(10, 1)])
    assert (summer["date_created"], summer["date_created_gmt"]) == (
        "2026-07-01T08:00:00",
        "2026-07-01T12:00:00",
    )
    assert (winter["date_created"], winter["date_created_gmt"]) == (
        "2027-01-17T07:00:00",
        "2027-01-17T12:00:00",
    )
    assert summer["date_completed"] is None and summer["date_paid_gmt"] == "2026-07-01T12:00:00"


def test_fields_keep_only_the_asked_keys_including_nested_ones(double: WooDouble) -> None:
    response = call(double, "GET", "orders", per_page=3, _fields="id,date_modified_gmt")
    assert [sorted(o) for o in response.json()] == [["date_modified_gmt", "id"]] * 3
    assert response.headers["X-WP-Total"] == "12"
    nested = call(double, "GET", "orders", per_page=1, _fields="id,billing.email").json()[0]
    assert list(nested) == ["id", "billing"] and list(nested["billing"]) == ["email"]
    status = call(
        double, "GET", "system_status", _fields="environment.version,settings.HPOS_enabled"
    ).json()
    assert status == {"environment": {"version": "7.8.2"}, "settings": {"HPOS_enabled": False}}


def test_orderby_modified_has_no_tie_breaker(double: WooDouble) -> None:
    everything = sorted(double.state.orders)
    double.bulk_touch_orders(everything, datetime(2026, 7, 1, 11, 0, tzinfo=UTC))
    walks = []
    for _ in range(5):
        walks.append(
            [
                i
                for page in (1, 2, 3)
                for i in ids(
                    call(
                        double,
                        "GET",
                        "orders",
                        per_page=5,
                        page=page,
                        orderby="modified",
                        order="asc",
                    )
                )
            ]
        )
    assert any(sorted(walk) != everything for walk in walks), "pages never skipped a row"
    assert all(len(walk) == 12 for walk in walks)


def test_orderby_outside_the_enum_is_rejected(double: WooDouble) -> None:
    response = call(double, "GET", "orders", orderby="total")
    assert response.status_code == 400
    assert response.json()["data"]["params"]["orderby"] == (
        "orderby is not one of date, id, include, title, slug, modified."
    )


def test_trashing_an_order_hides_it_except_from_status_trash(
    double: WooDouble, clock: FrozenClock
) -> None:
    order_id = next(iter(double.state.orders))
    clock.advance(60)
    deleted = call(double, "DELETE", f"orders/{order_id}")
    assert deleted.status_code == 200 and deleted.json()["status"] == "completed"
    assert call(double, "GET", f"orders/{order_id}").json()["status"] == "trash"
    assert order_id not in ids(call(double, "GET", "orders", per_page=100))
    assert order_id not in ids(
        call(double, "GET", "orders", modified_after="2026-07-01T11:00:00", dates_are_gmt="true")
    )
    assert ids(
        call(
            double,
            "GET",
            "orders",
            status="trash",
            modified_after="2026-07-01T12:00:30",
            dates_are_gmt="true",
        )
    ) == [order_id]
    restored = call(double, "PUT", f"orders/{order_id}", status="processing")
    assert restored.json()["status"] == "processing"
    assert order_id in ids(call(double, "GET", "orders", per_page=100))
    assert call(double, "DELETE", f"orders/{order_id}", force="true").status_code == 200
    gone = call(double, "GET", f"orders/{order_id}")
    assert gone.status_code == 404
    assert gone.json()["code"] == "woocommerce_rest_shop_order_invalid_id"


def test_customers_list_by_name_without_the_admin_unless_role_all(double: WooDouble) -> None:
    listed = call(double, "GET", "customers", per_page=100).json()
    names = [c["first_name"] + " " + c["last_name"] for c in listed]
    assert names == sorted(names, key=str.lower)
    assert all(c["role"] == "customer" for c in listed)
    everyone = call(double, "GET", "customers", per_page=100, role="all")
    assert int(everyone.headers["X-WP-Total"]) == len(listed) + 1
    assert all(c["email"].endswith("@example.invalid") for c in everyone.json())


def test_customers_cannot_be_trashed(double: WooDouble) -> None:
    customer_id = call(double, "GET", "customers", per_page=1).json()[0]["id"]
    refused = call(double, "DELETE", f"customers/{customer_id}")
    assert refused.status_code == 501
    assert refused.json()["code"] == "woocommerce_rest_trash_not_supported"
    assert call(double, "GET", f"customers/{customer_id}").status_code == 200
    assert call(double, "DELETE", f"customers/{customer_id}", force="true").status_code == 200
    assert call(double, "GET", f"customers/{customer_id}").status_code == 404


def test_refunds_are_negative_in_the_order_and_positive_in_refunds(double: WooDouble) -> None:
    order = double.create_order(13085, [(10, 4)])
    double.refund_order(order["id"], "1.00", "scratched")
    partial = call(double, "GET", f"orders/{order['id']}").json()
    assert partial["status"] == "processing"
    assert partial["refunds"][0]["total"] == "-1.00"
    listed = call(double, "GET", f"orders/{order['id']}/refunds").json()
    assert listed[0]["amount"] == "1.00" and listed[0]["reason"] == "scratched"
    rest = str(float(order["total"]) - 1)
    double.refund_order(order["id"], f"{float(rest):.2f}")
    assert call(double, "GET", f"orders/{order['id']}").json()["status"] == "refunded"


def test_money_is_strings_and_line_price_a_number(double: WooDouble) -> None:
    order = call(double, "GET", "orders", per_page=1).json()[0]
    assert isinstance(order["total"], str) and order["total"].count(".") == 1
    line = order["line_items"][0]
    assert isinstance(line["price"], float)
    assert line["price"] == pytest.approx(float(line["total"]) / line["quantity"])


def test_an_old_store_ignores_modified_after(clock: FrozenClock) -> None:
    with WooDouble.demo(limit_orders=12, clock=clock, wc_version="5.5.1") as old:
        old.start()
        listed = call(old, "GET", "orders", modified_after="2030-01-01T00:00:00")
        assert listed.headers["X-WP-Total"] == "12"
        status = call(old, "GET", "system_status", _fields="environment.version").json()
        assert status == {"environment": {"version": "5.5.1"}}


def test_variations_list_with_the_ordering_and_date_filters_of_the_other_listings(
    double: WooDouble, clock: FrozenClock
) -> None:
    """The recorded /wp-json/wc/v3 index lists orderby (date, id, include, title, slug,
    modified, menu_order), order and the date filters for /products/{id}/variations."""
    tee = double.create_product("Tee", "", product_type="variable")
    first = double.create_variation(tee["id"], "20.00", {"Color": "Red"})["id"]
    second = double.create_variation(tee["id"], "22.00", {"Color": "Blue"})["id"]
    clock.advance(60)
    third = double.create_variation(tee["id"], "24.00", {"Color": "Green"})["id"]
    path = f"products/{tee['id']}/variations"
    assert ids(call(double, "GET", path)) == [third, second, first]  # newest first
    assert ids(call(double, "GET", path, orderby="id", order="asc")) == [first, second, third]
    by_title = ids(call(double, "GET", path, orderby="title", order="asc"))
    assert by_title == [second, third, first]  # "Tee - Blue", "Tee - Green", "Tee - Red"
    watermark = datetime.fromtimestamp(clock.time() - 30, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    newer = call(double, "GET", path, modified_after=watermark, dates_are_gmt="true")
    assert ids(newer) == [third] and newer.headers["X-WP-Total"] == "1"
    refused = call(double, "GET", path, orderby="price")
    assert refused.status_code == 400
    assert refused.json()["data"]["params"]["orderby"] == (
        "orderby is not one of date, id, include, title, slug, modified, menu_order."
    )
