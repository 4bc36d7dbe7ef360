"""Id-set reconciliation and webhook health against the local WooCommerce."""

from __future__ import annotations

import threading
import time

import pytest

from connector_agent.demo.woo_double import WooDouble
from connector_agent.demo.woo_double.errors import WooRestError
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from connector_agent.woo import Reconciler, Syncer, WooClient, check_webhooks
from online_models.events import Event


@pytest.fixture
def double():
    with WooDouble.demo(limit_orders=120) as shop:
        shop.start()
        yield shop


@pytest.fixture
def log(tmp_path):
    store = Store.open(tmp_path / "agent.sqlite")
    yield EventLog(store)
    store.close()


def client_for(shop: WooDouble) -> WooClient:
    return WooClient(shop.url, shop.consumer_key, shop.consumer_secret, sleep=lambda _s: None)


def test_hard_deletes_without_webhooks_are_tombstoned(double, log):
    Syncer(client_for(double), log.store, log).run()
    order_id, customer_id = next(iter(double.state.orders)), next(reversed(double.state.customers))
    product_id = next(iter(double.state.products))
    double.force_delete_order(order_id)
    double.delete_customer(customer_id)
    double.trash_product(product_id)
    report = Reconciler(client_for(double), log).run()
    assert report.tombstoned == {"product": 1, "customer": 1, "order": 1}
    assert report.repaired == {"product": 0, "customer": 0, "order": 0}
    assert str(order_id) not in log.known_keys("order")
    assert str(customer_id) not in log.known_keys("customer")
    assert str(product_id) not in log.known_keys("product")
    again = Reconciler(client_for(double), log).run()
    assert again.tombstoned == {"product": 0, "customer": 0, "order": 0}


def test_records_a_pass_never_saw_are_repaired(double, log):
    Syncer(client_for(double), log.store, log).run(resources=["products", "customers"])
    report = Reconciler(client_for(double), log).run()
    assert report.repaired["order"] == double.stats()["orders"]
    assert len(log.known_keys("order")) == double.stats()["orders"]
    assert report.tombstoned == {"product": 0, "customer": 0, "order": 0}


def test_only_our_disabled_webhooks_are_reenabled(double):
    ours = double.add_webhook(
        "order.updated", "http://127.0.0.1:9/v1/webhooks/woocommerce", status="disabled"
    )
    active = double.add_webhook(
        "order.created", "http://127.0.0.1:9/v1/webhooks/woocommerce/", status="active"
    )
    other = double.add_webhook("order.updated", "http://127.0.0.1:9/hook", status="disabled")
    health = check_webhooks(client_for(double))
    assert sorted(health.ours) == sorted([ours["id"], active["id"]])
    assert health.reenabled == [ours["id"]]
    statuses = {hook.id: hook.status for hook in double.hub.webhooks.values()}
    assert statuses[ours["id"]] == "active" and statuses[other["id"]] == "disabled"


def _variations_held(log: EventLog, parent_id: int) -> dict[str, str]:
    rows = log.store.db.conn.execute(
        "SELECT id, name FROM products WHERE parent_id = ? AND deleted_at IS NULL",
        [str(parent_id)],
    )
    return dict(rows.fetchall())


def test_variations_made_after_a_sync_are_repaired_and_hard_deleted_ones_tombstoned(double, log):
    Syncer(client_for(double), log.store, log).run()
    tee = double.create_product("Linen Tee", "", product_type="variable")
    red = double.create_variation(tee["id"], "20.00", {"Color": "Red", "Size": "S"})
    blue = double.create_variation(tee["id"], "18.50", {"Color": "Blue", "Size": "M"})
    assert red["name"] == "Linen Tee - Red, S" and red["type"] == "variation"
    assert double.renderer.product(double.state.product(tee["id"]))["price"] == "18.50"
    # no webhook is registered here, so only reconciliation can find them
    report = Reconciler(client_for(double), log).run()
    assert report.repaired["product"] == 3 and report.tombstoned["product"] == 0
    assert _variations_held(log, tee["id"]) == {
        str(red["id"]): "Linen Tee - Red, S",
        str(blue["id"]): "Linen Tee - Blue, M",
    }
    # variations have no trash; a force delete fires no webhook at all
    with pytest.raises(WooRestError) as refused:
        double.delete_variation(tee["id"], red["id"], force=False)
    assert refused.value.status == 501
    double.delete_variation(tee["id"], red["id"])
    assert double.flush_webhooks() == []
    report = Reconciler(client_for(double), log).run()
    assert report.tombstoned == {"product": 1, "customer": 0, "order": 0}
    assert _variations_held(log, tee["id"]) == {str(blue["id"]): "Linen Tee - Blue, M"}
    assert str(tee["id"]) in log.known_keys("product")


def test_a_variation_made_later_reaches_a_known_parent_by_reconciliation(double, log):
    tee = double.create_product("Wool Scarf", "", product_type="variable")
    first = double.create_variation(tee["id"], "12.00", {"Colour": "Grey"})
    Syncer(client_for(double), log.store, log).run()
    assert set(_variations_held(log, tee["id"])) == {str(first["id"])}
    later = double.create_variation(tee["id"], "14.00", {"Colour": "Navy"})
    report = Reconciler(client_for(double), log).run()
    assert report.repaired["product"] == 1
    assert _variations_held(log, tee["id"]) == {
        str(first["id"]): "Wool Scarf - Grey",
        str(later["id"]): "Wool Scarf - Navy",
    }


def test_repairs_are_fetched_before_the_store_is_locked(double, log, tmp_path):
    """A repair's ``include=`` requests run outside the store's write transaction: a webhook
    appended on another connection meanwhile does not wait for the shop's answers."""
    client = client_for(double)
    Syncer(client, log.store, log).run(resources=["products", "customers"])  # orders to repair
    fetching = threading.Event()
    waited: list[float] = []
    list_page = client.list_page

    def slow_include(endpoint, params):
        if endpoint == "orders" and "include" in params:
            fetching.set()
            time.sleep(1.0)
        return list_page(endpoint, params)

    def webhook() -> None:
        fetching.wait(30)
        time.sleep(0.2)
        other = Store.open(log.store.path, migrate=False)
        started = time.perf_counter()
        EventLog(other).append([Event(0, "view", "v-1", "1", "2026-01-01T00:00:00Z",
                                      {"product_id": "10"})])
        waited.append(time.perf_counter() - started)
        other.close()

    client.list_page = slow_include
    thread = threading.Thread(target=webhook)
    thread.start()
    report = Reconciler(client, log).run()
    thread.join()
    assert report.repaired["order"] == 120
    assert waited[0] < 0.5, f"the webhook's append waited {waited[0]:.1f} s for the shop"
