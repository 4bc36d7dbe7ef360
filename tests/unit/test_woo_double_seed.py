"""Seeding the local WooCommerce from an order-line CSV: the mapping and its refusals."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connector_agent.demo.woo_double import DEMO_ORDERS, SeedError, WooDouble
from connector_agent.demo.woo_double.categories import category_for
from luxebrain.clock import FrozenClock

HEADER = (
    "order_id,customer_id,created_at,product_id,product_name,category,quantity,"
    "unit_price,currency,status"
)
ROWS = [
    "489434,13085,2009-12-01T07:45:00Z,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,,12,6.95,GBP,"
    "completed",
    "489434,13085,2009-12-01T07:45:00Z,21232,STRAWBERRY CERAMIC TRINKET BOX,,24,1.25,GBP,completed",
    "489434,13085,2009-12-01T07:45:00Z,POST,POSTAGE,non_product,1,18.00,GBP,completed",
    "489435,13085,2009-12-01T08:00:00Z,21232,STRAWBERRY CERAMIC TRINKET BOX,,12,1.25,GBP,completed",
    "C489449,16321,2009-12-01T10:33:00Z,21232,STRAWBERRY CERAMIC TRINKET BOX,,-6,1.10,GBP,"
    "cancelled",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


@pytest.fixture
def seeded(tmp_path: Path) -> WooDouble:
    return WooDouble.from_orders_csv(write(tmp_path / "orders.csv.gz", [HEADER, *ROWS]))


def test_each_invoice_is_one_order_and_stock_codes_are_products(seeded: WooDouble) -> None:
    state = seeded.state
    assert sorted(state.products) == [10, 11]
    assert [p.sku for p in state.products.values()] == ["85048", "21232"]
    assert sorted(state.orders) == [12, 13, 14]
    first, second, cancelled = (seeded.renderer.order(state.orders[i]) for i in (12, 13, 14))
    assert first["total"] == "131.40"  # 83.40 + 30.00 + 18.00 postage
    assert [(li["sku"], li["quantity"], li["total"]) for li in first["line_items"]] == [
        ("85048", 12, "83.40"),
        ("21232", 24, "30.00"),
    ]
    assert [(f["name"], f["total"]) for f in first["fee_lines"]] == [("POSTAGE", "18.00")]
    assert first["meta_data"][0]["value"] == "489434"
    assert second["status"] == "completed" and second["date_paid_gmt"] == "2009-12-01T08:00:00"
    assert cancelled["status"] == "cancelled" and cancelled["date_paid"] is None
    assert cancelled["line_items"][0]["quantity"] == -6
    assert cancelled["total"] == "-6.60"


def test_dates_are_the_source_times_in_both_zones(seeded: WooDouble) -> None:
    order = seeded.renderer.order(seeded.state.orders[12])
    assert order["date_created_gmt"] == "2009-12-01T07:45:00"
    assert order["date_created"] == "2009-12-01T02:45:00"  # New York, UTC-5 in winter
    assert order["date_modified_gmt"] == order["date_created_gmt"]


def test_product_price_is_the_most_common_unit_price_and_sales_exclude_cancellations(
    seeded: WooDouble,
) -> None:
    box = seeded.state.products[11]
    assert box.price == "1.25" and box.total_sales == 36
    assert box.manage_stock and box.stock_quantity is not None and box.stock_quantity >= 20
    rendered = seeded.renderer.product(box)
    assert rendered["categories"][0]["name"] == "Storage"
    assert rendered["date_created_gmt"] == "2009-11-30T07:45:00"  # listed a day before selling


def test_customers_keep_their_numbers_with_fake_identities(seeded: WooDouble) -> None:
    customers = seeded.state.customers
    assert sorted(customers) == [1, 13085, 16321]
    assert customers[1].role == "administrator"
    buyer = seeded.renderer.customer(customers[13085])
    assert buyer["email"].endswith("@example.invalid") and buyer["first_name"]
    assert buyer["is_paying_customer"] is True
    assert customers[16321].is_paying_customer is False
    order = seeded.renderer.order(seeded.state.orders[12])
    assert order["customer_id"] == 13085 and order["billing"]["email"] == buyer["email"]


def test_limit_orders_stops_after_n_invoices(tmp_path: Path) -> None:
    double = WooDouble.from_orders_csv(
        write(tmp_path / "o.csv.gz", [HEADER, *ROWS]), limit_orders=2
    )
    assert len(double.state.orders) == 2 and len(double.state.customers) == 2


def test_ending_now_moves_the_history_by_whole_weeks_into_the_past_week(tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv.gz", [HEADER, *ROWS])
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday
    moved = WooDouble.from_orders_csv(path, ending_now=True, clock=FrozenClock(now))
    shift = timedelta(weeks=887)
    cancelled = moved.renderer.order(moved.state.orders[14])
    last = datetime.fromisoformat(cancelled["date_created_gmt"] + "+00:00")
    assert last == datetime(2009, 12, 1, 10, 33, tzinfo=UTC) + shift  # a Tuesday, like the source
    assert now - timedelta(days=7) <= last < now
    first = moved.renderer.order(moved.state.orders[12])
    assert first["date_created_gmt"] == first["date_paid_gmt"] == "2026-12-01T07:45:00"
    assert moved.renderer.product(moved.state.products[11])["date_created_gmt"] == (
        "2026-11-30T07:45:00"
    )
    buyer = moved.renderer.customer(moved.state.customers[13085])
    assert buyer["date_created_gmt"] == first["date_created_gmt"]  # registered at checkout


def test_ending_now_never_moves_a_history_back(tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv.gz", [HEADER, *ROWS])
    then = FrozenClock(datetime(2009, 12, 1, 9, 0, tzinfo=UTC))
    double = WooDouble.from_orders_csv(path, ending_now=True, clock=then)
    order = double.renderer.order(double.state.orders[14])
    assert order["date_created_gmt"] == "2009-12-01T10:33:00"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["order_id,customer"], "line 1: header must be"),
        ([HEADER, ROWS[0].replace(",12,6.95,", ",twelve,6.95,")], "line 2: bad quantity"),
        ([HEADER, ROWS[0].replace("2009-12-01T07:45:00Z", "yesterday")], "line 2: created_at"),
        ([HEADER, ROWS[0].replace(",13085,", ",,")], "line 2: customer_id"),
        ([HEADER], "no orders"),
    ],
)
def test_a_bad_file_is_refused_with_the_line(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    with pytest.raises(SeedError, match=message):
        WooDouble.from_orders_csv(write(tmp_path / "bad.csv.gz", lines))


def test_a_missing_or_non_gzip_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="no such file"):
        WooDouble.from_orders_csv(tmp_path / "absent.csv.gz")
    plain = tmp_path / "plain.csv.gz"
    plain.write_text(HEADER)
    with pytest.raises(SeedError, match="not a readable gzip CSV"):
        WooDouble.from_orders_csv(plain)


def test_the_shipped_demo_slice_is_small_and_complete() -> None:
    assert DEMO_ORDERS.stat().st_size < 2_000_000
    double = WooDouble.demo()
    assert len(double.state.orders) == 3196
    assert {o.status for o in double.state.orders.values()} == {"completed", "cancelled"}


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("PINK CHERRY LIGHTS", "Candles & Lights"),
        ("JUMBO BAG RED RETROSPOT", "Bags"),
        ("WHITE HANGING HEART T-LIGHT HOLDER", "Candles & Lights"),
        ("SAVE THE PLANET MUG", "Kitchen & Dining"),
        ("ZZZ UNKNOWN THING", "Gifts"),
    ],
)
def test_categories_come_from_the_head_noun(name: str, category: str) -> None:
    assert category_for(name) == category
