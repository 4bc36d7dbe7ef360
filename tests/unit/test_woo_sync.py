"""Sync pass mechanics on recorded payloads: variations, version gates, cursor bookkeeping."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter

from connector_agent.woo import Syncer, WooClient, supports_modified_after
from connector_agent.woo.sync import wc_time

# the recorded store's answers, copied into the repository with the contract tests
FIXTURES = Path(__file__).resolve().parents[1] / "contract" / "fixtures" / "woocommerce"
DATE = "Wed, 25 Nov 2026 23:50:00 GMT"


def fixture(name: str):
    return json.loads((FIXTURES / f"{name}.json").read_text())


class Shop(BaseAdapter):
    """Answers by path from a dict of recorded lists; records each query."""

    def __init__(self, routes: dict[str, list], date: str | None = DATE):
        super().__init__()
        self.routes = routes
        self.date = date
        self.queries: list[tuple[str, dict[str, list[str]]]] = []

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        path = url.path.split("/wc/v3/", 1)[1]
        query = parse_qs(url.query)
        self.queries.append((path, query))
        if path == "system_status":
            body = {"environment": {"version": self.routes.get("version", "7.8.2")}}
        elif query.get("status") == ["trash"] or query.get("page", ["1"]) != ["1"]:
            body = []
        else:
            body = self.routes.get(path, [])
            if "include" in query:
                wanted = query["include"][0].split(",")
                body = [item for item in body if str(item["id"]) in wanted]
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(body).encode()
        total = len(body) if isinstance(body, list) else 0
        response.headers.update({"X-WP-Total": str(total)})
        if self.date:
            response.headers["Date"] = self.date
        response.request = request
        return response

    def close(self):
        pass


def syncer_for(shop: Shop, store) -> Syncer:
    session = requests.Session()
    session.mount("http://", shop)
    client = WooClient("http://shop.test", "ck", "cs", session=session)
    return Syncer(client, store)


def test_variable_products_bring_their_variations(fresh_store):
    parent = fixture("product_variable")
    shop = Shop({
        "products": [parent],
        f"products/{parent['id']}/variations": fixture("product_variable_variations"),
    })
    report = syncer_for(shop, fresh_store).run(resources=["products"])
    assert report.resources["products"].appended == 5
    rows = fresh_store.db.conn.execute(
        "SELECT id, parent_id, type, name FROM products ORDER BY id"
    ).fetchall()
    assert rows[0] == ("3891", None, "variable", parent["name"])
    assert {row[1] for row in rows[1:]} == {"3891"}
    assert {row[3] for row in rows[1:]} == {
        "Fixture Tee 650133 - Red, S", "Fixture Tee 650133 - Red, M",
        "Fixture Tee 650133 - Blue, S", "Fixture Tee 650133 - Blue, M",
    }


def test_passes_walk_by_id_and_the_next_starts_from_the_server_clock(fresh_store):
    shop = Shop({"orders": fixture("orders_page2_asc_by_modified")})
    syncer_for(shop, fresh_store).run(resources=["orders"])
    first = [q for path, q in shop.queries if path == "orders"]
    assert first[0]["orderby"] == ["id"] and first[0]["order"] == ["asc"]
    assert "modified_after" not in first[0]  # a backfill reads everything
    assert fresh_store.cursor("orders") == {"watermark": "2026-11-25T23:50:00Z"}
    shop.queries.clear()
    syncer_for(shop, fresh_store).run(resources=["orders"])
    live, trash = [q for path, q in shop.queries if path == "orders"]
    for query in (live, trash):
        # strict filter, so one overlap second; naive UTC with dates_are_gmt (fixtures README)
        assert query["modified_after"] == ["2026-11-25T23:49:59"]
        assert query["dates_are_gmt"] == ["true"]
    assert trash["status"] == ["trash"]


def test_without_a_server_time_the_watermark_never_comes_from_the_local_clock(fresh_store):
    """No Date on any answer: the next pass cannot know where the shop's time stood, so it reads
    everything again (a clock of this machine running ahead would skip changes for good)."""
    shop = Shop({"orders": fixture("orders_page2_asc_by_modified")}, date=None)
    syncer_for(shop, fresh_store).run(resources=["orders"])
    assert fresh_store.cursor("orders") == {"watermark": None}
    shop.queries.clear()
    report = syncer_for(shop, fresh_store).run(resources=["orders"])
    assert report.resources["orders"].records == 5
    assert all("modified_after" not in q for path, q in shop.queries if path == "orders")
    shop.date = DATE  # once the shop's time is known, passes are incremental again
    syncer_for(shop, fresh_store).run(resources=["orders"])
    assert fresh_store.cursor("orders") == {"watermark": "2026-11-25T23:50:00Z"}


def test_customers_are_listed_with_every_role_then_scanned_and_fetched_by_id(fresh_store):
    customers = fixture("customers_role_all")
    shop = Shop({"customers": customers})
    syncer_for(shop, fresh_store).run(resources=["customers"])
    query = [q for path, q in shop.queries if path == "customers"][0]
    assert query["role"] == ["all"] and query["orderby"] == ["id"]
    assert "modified_after" not in query and "_fields" not in query
    assert fresh_store.counts()["customers"] == len(customers)
    customers[3] = {**customers[3], "first_name": "Changed",
                    "date_modified_gmt": "2026-11-26T00:00:00"}
    shop.queries.clear()
    second = syncer_for(shop, fresh_store).run(resources=["customers"])
    scan, fetch = [q for path, q in shop.queries if path == "customers"]
    assert scan["_fields"] == ["id,date_modified_gmt"]  # no date filter: a light scan …
    # … then only what changed, and the admin, whom WooCommerce gives no date_modified_gmt
    assert set(fetch["include"][0].split(",")) == {str(customers[3]["id"]), "1"}
    assert second.resources["customers"].appended == 1


def test_an_old_store_gets_a_full_scan(fresh_store):
    shop = Shop({"version": "5.7.2", "orders": fixture("orders_page2_asc_by_modified")})
    report = syncer_for(shop, fresh_store).run(resources=["orders"])
    syncer_for(shop, fresh_store).run(resources=["orders"])
    assert report.mode == "full"
    assert all("modified_after" not in q for path, q in shop.queries if path == "orders")


@pytest.mark.parametrize(
    ("version", "modern"),
    [("7.8.2", True), ("5.8.0", True), ("5.8", True), ("5.7.9", False), ("4.0", False),
     ("10.1-beta", True), (None, False), ("", False)],
)
def test_modified_after_needs_woocommerce_5_8(version, modern):
    assert supports_modified_after(version) is modern


def test_wc_time_is_naive_utc_minus_the_overlap():
    assert wc_time("2026-01-01T00:00:00Z", 1) == "2025-12-31T23:59:59"
