"""Backfill and incremental sync against the local WooCommerce (``WooDouble``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest
import requests

from connector_agent.demo.woo_double import WooDouble
from connector_agent.errors import SyncError, WooCommerceError
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from connector_agent.woo import Syncer, WooClient, normalise
from connector_agent.woo.backoff import Backoff
from connector_agent.woo.reconcile import Reconciler
from connector_agent.woo.sync import REFUND_UNITS_DAYS
from luxebrain.clock import FrozenClock, SystemClock
from online_models.events import parse_time


@pytest.fixture
def double():
    with WooDouble.demo(limit_orders=250) as shop:
        shop.start()
        yield shop


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "agent.sqlite")
    yield store
    store.close()


def client_for(shop: WooDouble, **options) -> WooClient:
    options.setdefault("sleep", lambda _s: None)
    options.setdefault("backoff", Backoff(0.01, 0.01))
    return WooClient(shop.url, shop.consumer_key, shop.consumer_secret, **options)


def listing_recorded(shop: WooDouble) -> tuple[WooClient, list[str]]:
    """A client whose listings are recorded (the endpoints, in order) in the list returned."""
    client, fetched = client_for(shop), []
    list_page = client.list_page

    def listing(endpoint, params):
        fetched.append(endpoint)
        return list_page(endpoint, params)

    client.list_page = listing
    return client, fetched


def syncer(shop: WooDouble, store: Store, **options) -> Syncer:
    client_options = options.pop("client", {})
    return Syncer(client_for(shop, **client_options), store, **options)


def latest_payloads(store: Store, kind: str) -> dict[str, dict]:
    rows = store.db.conn.execute(
        "SELECT key, payload FROM event_log WHERE kind = ? ORDER BY seq", [kind]
    )
    return {key: orjson.loads(payload) for key, payload in rows}


def expected(shop: WooDouble) -> dict[str, dict[str, dict]]:
    """What the shop holds, rendered as its REST API serves it and normalised."""
    with shop.state.lock:
        products = [shop.renderer.product(p) for p in shop.state.products.values()]
        customers = [shop.renderer.customer(c) for c in shop.state.customers.values()]
        orders = [shop.renderer.order(o) for o in shop.state.orders.values()]
        refunds = {  # what GET /orders/{id}/refunds answers, for the orders with refunds
            o.id: normalise.refund_lines([shop.renderer.refund(o.id, r) for r in o.refunds])
            for o in shop.state.orders.values()
            if o.refunds
        }
    live_products = [p for p in products if p["status"] != "trash"]
    category = {
        str(p["id"]): (p["categories"][0]["name"] if p["categories"] else None) for p in products
    }
    return {
        "product.upserted": {
            str(p["id"]): normalise.product_payload(p) for p in live_products
        },
        "customer.upserted": {str(c["id"]): normalise.customer_payload(c) for c in customers},
        "order.upserted": {
            str(o["id"]): normalise.order_payload(o, category.get, refunds.get(o["id"]))
            for o in orders
            if o["status"] != "trash"
        },
    }


def event_keys(store: Store) -> list[tuple[str, str, str]]:
    return store.db.conn.execute("SELECT kind, key, version FROM event_log ORDER BY seq").fetchall()


def test_backfill_equals_the_shop_record_by_record(double, store):
    report = syncer(double, store).run()
    assert not report.interrupted and report.version == "7.8.2"
    for kind, records in expected(double).items():
        assert latest_payloads(store, kind) == records, kind
    counts = double.stats()
    assert store.counts() == {
        "products": counts["products"],
        "customers": counts["customers"],
        "orders": counts["orders"],
    }
    # the projected tables agree field by field, every order and every line item
    orders = expected(double)["order.upserted"]
    rows = store.db.conn.execute(
        "SELECT id, status, customer_id, currency, total, created_at, paid_at FROM orders"
    ).fetchall()
    fields = ("status", "customer_id", "currency", "total", "created_at", "paid_at")
    assert {row[0]: row[1:] for row in rows} == {
        key: tuple(order[f] for f in fields) for key, order in orders.items()
    }
    lines = store.db.conn.execute(
        "SELECT order_id, product_id, variation_id, name, category, quantity, unit_price "
        "FROM line_items ORDER BY order_id, position"
    ).fetchall()
    line_fields = ("product_id", "variation_id", "name", "category", "quantity", "unit_price")
    assert lines == [
        (key, *(line[f] for f in line_fields))
        for key, order in sorted(orders.items())
        for line in order["line_items"]
    ]
    assert all(cursor["watermark"] for cursor in map(store.cursor, report.resources))


def test_a_second_pass_of_an_unchanged_shop_appends_nothing(double, store):
    syncer(double, store).run()
    before = EventLog(store).last_seq()
    report = syncer(double, store).run()
    assert EventLog(store).last_seq() == before
    assert report.resources["orders"].records == 0  # modified_after: nothing listed


def test_incremental_picks_up_changes_and_only_changes(double, store):
    syncer(double, store).run()
    before = EventLog(store).last_seq()
    order_id = next(iter(double.state.orders))
    refunded = str(next(reversed(double.state.orders)))
    product_id = next(iter(double.state.products))
    double.update_order(order_id, status="refunded")
    double.refund_order(int(refunded), "1.00", "damaged")
    new = double.create_order(next(iter(double.state.customers)), [(product_id, 2)])
    double.update_product(product_id, regular_price="9.99")
    customer = double.create_customer("new.buyer@example.invalid", "New", "Buyer")
    report = syncer(double, store).run()
    added = {(e.kind, e.key) for e in EventLog(store).read(before)}
    assert added == {
        ("order.upserted", str(order_id)),
        ("order.upserted", refunded),
        ("order.upserted", str(new["id"])),
        ("product.upserted", str(product_id)),
        ("customer.upserted", str(customer["id"])),
    }
    assert report.resources["orders"].appended == 3
    for kind, records in expected(double).items():
        assert latest_payloads(store, kind) == records, kind


def test_trash_is_a_soft_delete_and_restore_brings_it_back(double, store):
    syncer(double, store).run()
    order_id = next(iter(double.state.orders))
    double.trash_order(order_id)
    double.trash_product(next(iter(double.state.products)))
    report = syncer(double, store).run()
    assert report.resources["orders"].deleted == 1
    assert report.resources["products"].deleted == 1
    assert store.counts()["orders"] == double.stats()["orders"] - 1
    syncer(double, store).run()  # the trash listing again: the delete dedupes
    assert EventLog(store).count_by_kind()["order.deleted"] == 1
    double.restore_order(order_id)
    syncer(double, store).run()
    assert store.counts()["orders"] == double.stats()["orders"]


def test_bulk_edits_in_one_second_are_all_picked_up(double, store):
    """``orderby=modified`` has no tie-breaker; paging by id within the window does."""
    syncer(double, store).run()
    ids = list(double.state.orders)[:40]
    for order_id in ids[:25]:
        double.update_order(order_id, status="processing")
    double.bulk_touch_orders(ids, datetime.now(UTC))
    before = EventLog(store).last_seq()
    syncer(double, store, page_size=7).run(resources=["orders"])
    changed = {e.key for e in EventLog(store).read(before) if e.kind == "order.upserted"}
    assert changed == {str(i) for i in ids}
    assert latest_payloads(store, "order.upserted") == expected(double)["order.upserted"]


def test_rows_leaving_mid_pass_do_not_make_the_pass_skip_any(double, store):
    """Trashing orders already paged shifts later rows to earlier pages."""
    trashed: list[int] = []

    def trash_some(resource, phase, done, total):
        if resource == "orders" and phase == "live" and not trashed:
            trashed.extend(list(double.state.orders)[:15])
            for order_id in trashed:
                double.trash_order(order_id)

    syncer(double, store, page_size=20, on_page=trash_some).run(resources=["orders"])
    held = EventLog(store).known_keys("order")
    live = {str(i) for i, o in double.state.orders.items() if o.status != "trash"}
    assert live <= held


def held_is_the_shops(store: Store, shop: WooDouble, order_ids: list[int]) -> dict[int, bool]:
    """Per order: whether the last version held is the shop's current ``date_modified_gmt``."""
    log = EventLog(store)
    with shop.state.lock:
        modified = {i: shop.renderer.order(shop.state.orders[i])["date_modified_gmt"]
                    for i in order_ids}
    return {i: (log.last_version("order", str(i)) or "").startswith(modified[i] + "Z")
            for i in order_ids}


def test_a_row_leaving_as_another_arrives_mid_pass_skips_no_update(double, store):
    """A trash on a page already read and a new order at the end leave X-WP-Total as it was,
    yet every later row moved up one: the next page must still begin at a row already read
    (else the first row of page 2 is skipped, and the next pass starts after its update)."""
    syncer(double, store).run()
    changed = sorted(double.state.orders)[:20]
    for order_id in changed:
        double.update_order(order_id, customer_note="changed")
    arrived: list[int] = []

    def trash_one_add_one(resource, phase, done, total):
        if resource == "orders" and phase == "live" and not arrived:
            double.trash_order(changed[0])  # leaves page 1, already read
            customer = next(iter(double.state.customers))
            product = next(iter(double.state.products))
            arrived.append(double.create_order(customer, [(product, 1)])["id"])

    syncer(double, store, page_size=10, on_page=trash_one_add_one).run(resources=["orders"])
    rest = changed[1:] + arrived  # changed[10], page 2's first row before the shift, among them
    assert held_is_the_shops(store, double, rest) == dict.fromkeys(rest, True)


def test_a_row_leaving_the_trash_as_another_enters_mid_pass_skips_no_delete(double, store):
    """The trash phase pages the same way: a restore and a trash in the middle of it."""
    syncer(double, store).run()
    trashed = sorted(double.state.orders)[:20]
    for order_id in trashed:
        double.trash_order(order_id)
    late = max(double.state.orders)
    swapped: list[int] = []

    def restore_one_trash_one(resource, phase, done, total):
        if resource == "orders" and phase == "trash" and not swapped:
            double.restore_order(trashed[0])  # leaves the trash listing's page 1
            double.trash_order(late)  # enters it at the end
            swapped.append(late)

    syncer(double, store, page_size=10, on_page=restore_one_trash_one).run(resources=["orders"])
    log = EventLog(store)
    deleted = {i for i in trashed[1:] + swapped
               if (log.last_version("order", str(i)) or "").startswith("deleted:")}
    assert deleted == set(trashed[1:] + swapped)


class Unreadable(requests.Session):
    """A key that may not read some orders: WooCommerce leaves them out of every page but
    counts them in X-WP-Total/X-WP-TotalPages (``WC_REST_CRUD_Controller::get_items``)."""

    def __init__(self, hidden: set[int]) -> None:
        super().__init__()
        self.hidden = hidden

    def request(self, method, url, *args, **kwargs):
        response = super().request(method, url, *args, **kwargs)
        if "/wc/v3/orders" in response.url and response.status_code == 200:
            body = orjson.loads(response.content)
            if isinstance(body, list):
                response._content = orjson.dumps([o for o in body if o["id"] not in self.hidden])
        return response


def test_a_page_short_of_unreadable_orders_is_not_the_end(double, store):
    hidden = set(sorted(double.state.orders)[::150])  # on page 1 and page 2
    session = Unreadable(hidden)
    report = syncer(double, store, client={"session": session}).run()
    readable = {str(i) for i in double.state.orders if i not in hidden}
    assert EventLog(store).known_keys("order") == readable
    assert report.resources["orders"].records == len(readable)
    assert Reconciler(client_for(double, session=session), EventLog(store)).run().tombstoned == {
        "product": 0, "customer": 0, "order": 0
    }  # its listing reads past the short page too, so it finds no order gone
    assert EventLog(store).known_keys("order") == readable


class FastClock(SystemClock):
    """This machine's clock, minutes ahead of the shop's (OAuth allows up to 15)."""

    def now(self) -> datetime:
        return super().now() + timedelta(minutes=5)

    def time(self) -> float:
        return super().time() + 300


def test_the_watermark_is_the_shops_time_even_when_system_status_is_refused(double, store):
    """A key that may not read /system_status gets a 403 — which still carries the shop's Date.
    The agent's own clock, 5 minutes fast, must not become the watermark: the next pass would
    skip every change of those 5 minutes, for good."""

    def run() -> None:
        double.faults.inject(403, path="system_status")
        fast = FastClock()
        syncer(double, store, version_hint="7.8.2", clock=fast, client={"clock": fast}).run(
            resources=["orders"]
        )

    run()
    watermark = parse_time(store.cursor("orders")["watermark"])
    assert watermark <= datetime.now(UTC)
    order_id = next(iter(double.state.orders))
    double.update_order(order_id, status="completed")  # right after the pass, by the shop's clock
    run()
    assert held_is_the_shops(store, double, [order_id]) == {order_id: True}


def test_transient_faults_are_retried(double, store):
    double.faults.inject(429, path="/orders", retry_after=1)
    double.faults.inject(500, path="/products", count=2)
    double.faults.inject(503, path="/customers")
    delays: list[float] = []
    report = syncer(double, store, client={"sleep": delays.append}).run()
    assert not report.interrupted and 1.0 in delays and len(delays) == 4
    assert store.counts()["orders"] == double.stats()["orders"]


def test_timeouts_are_retried(double, store):
    double.faults.inject(None, path="/customers", delay=0.5)
    client_options = {"timeout": 0.2}
    report = syncer(double, store, client=client_options).run()
    assert report.resources["customers"].records == double.stats()["customers"]


def test_a_bad_key_fails_clearly_and_moves_no_cursor(double, store):
    client = WooClient(double.url, double.consumer_key, "cs_wrong", sleep=lambda _s: None)
    with pytest.raises(WooCommerceError, match="401"):
        Syncer(client, store).run()
    assert EventLog(store).last_seq() == 0
    assert all(store.cursor(r) == {} for r in ("products", "customers", "orders"))


def test_a_malformed_page_stops_the_pass_where_it_was_and_a_rerun_resumes(double, store):
    syncer(double, store, page_size=50).run(resources=["products"])
    double.update_order(next(iter(double.state.orders)), customer_note="x")
    double.faults.inject(None, path="/orders", truncate=True)
    with pytest.raises(SyncError, match="unparseable"):
        syncer(double, store, page_size=50).run()
    assert store.cursor("orders") == {}  # not a page of orders was checkpointed
    assert "unparseable" in store.sync_summary()["orders"]["last_error"]
    syncer(double, store, page_size=50).run()
    assert latest_payloads(store, "order.upserted") == expected(double)["order.upserted"]


def test_a_stopped_pass_checkpoints_and_resumes(double, store):
    pages = []
    stop = lambda: len(pages) >= 3  # noqa: E731
    report = syncer(
        double, store, page_size=100, on_page=lambda *a: pages.append(a), should_stop=stop
    ).run()
    assert report.interrupted
    state = store.cursor("products")["pass"]
    assert (state["phase"], state["page"]) == ("live", 4)
    syncer(double, store).run()
    for kind, records in expected(double).items():
        assert latest_payloads(store, kind) == records, kind
    assert len(event_keys(store)) == len(set(event_keys(store)))


def test_stores_before_5_8_get_a_full_scan(store):
    with WooDouble.demo(limit_orders=30, wc_version="5.7.1") as old:
        old.start()
        first = syncer(old, store).run()
        assert first.mode == "full"
        second = syncer(old, store).run()
        assert second.resources["orders"].records == 30
        assert second.resources["orders"].appended == 0


def test_full_resync_reads_everything_and_appends_nothing_new(double, store):
    syncer(double, store).run()
    before = EventLog(store).last_seq()
    report = syncer(double, store).run(full=True)
    assert report.mode == "full"
    assert report.resources["orders"].records == double.stats()["orders"]
    assert EventLog(store).last_seq() == before


def test_a_trash_listing_older_than_a_restore_does_not_delete(double, store):
    """The sync reads the trash, then a restore's webhook lands before the page is appended."""
    syncer(double, store).run()
    order_id = next(iter(double.state.orders))
    double.trash_order(order_id)
    sync = syncer(double, store)
    read_trash = sync.client.list_page

    def list_page(endpoint, params):
        reply = read_trash(endpoint, params)
        if endpoint == "orders" and params.get("status") == "trash":
            restored = double.restore_order(order_id)  # same second or later than the trash
            sync.log.append([normalise.order_event(restored, lambda _p: None)])
        return reply

    sync.client.list_page = list_page
    report = sync.run(resources=["orders"])
    assert report.resources["orders"].deleted == 0
    assert str(order_id) in EventLog(store).known_keys("order")


def test_a_refund_of_units_is_read_once_from_the_orders_refunds(double, store):
    syncer(double, store).run()
    customer, product = next(iter(double.state.customers)), next(iter(double.state.products))
    order = double.create_order(customer, [(product, 4)])
    line = order["line_items"][0]
    double.refund_order(order["id"], f"{line['price'] * 3:.2f}", "three broke", [(line["id"], 3)])
    double.refund_order(order["id"], "1.00", "late delivery")  # money only
    client, fetched = listing_recorded(double)
    Syncer(client, store).run()
    refunds = latest_payloads(store, "order.upserted")[str(order["id"])]["refunds"]
    assert sorted((r["amount"], r["line_items"]) for r in refunds) == [
        ("1.00", []),
        (f"{line['price'] * 3:.2f}",
         [{"product_id": str(product), "variation_id": None, "quantity": 3}]),
    ]
    assert fetched.count(f"orders/{order['id']}/refunds") == 1
    # a full pass lists every order again: refunds already read are not asked for again
    fetched.clear()
    Syncer(client, store).run(full=True)
    assert not [endpoint for endpoint in fetched if endpoint.endswith("/refunds")]


def test_the_units_of_an_old_refund_are_not_asked_for(double, store):
    """A backfill asks only for the refunds of the recent weeks, which the forecasts read."""
    customer, product = next(iter(double.state.customers)), next(iter(double.state.products))
    order = double.create_order(customer, [(product, 4)])
    line = order["line_items"][0]
    double.refund_order(order["id"], "1.00", "broken", [(line["id"], 1)])
    later = FrozenClock(datetime.now(UTC) + timedelta(days=REFUND_UNITS_DAYS + 1))
    client, fetched = listing_recorded(double)
    Syncer(client, store, clock=later).run()
    refunds = latest_payloads(store, "order.upserted")[str(order["id"])]["refunds"]
    assert refunds == [{"id": str(double.state.orders[order["id"]].refunds[0].id),
                        "amount": "1.00"}]
    assert not [endpoint for endpoint in fetched if endpoint.endswith("/refunds")]
