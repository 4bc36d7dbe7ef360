"""The double's signed deliveries, received over HTTP, converge with what a sync reads."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest

from connector_agent.demo.woo_double import WooDouble
from connector_agent.demo.woo_double.webhooks import TOPICS
from connector_agent.errors import AgentError
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from connector_agent.woo import Reconciler, Syncer, WooClient, receive, signature_of


class Intake:
    """A minimal HTTP endpoint that hands deliveries to ``receive`` (as the API route does)."""

    def __init__(self, log: EventLog, secret: str) -> None:
        self.log, self.secret, self.outcomes = log, secret, []
        intake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    outcome = receive(
                        dict(self.headers.items()),
                        body,
                        secret=intake.secret,
                        log=intake.log,
                        now=intake.log.store.clock.iso(),
                    )
                    intake.outcomes.append(outcome)
                    status = 200
                except AgentError as exc:
                    status = exc.status
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.origin}/v1/webhooks/woocommerce"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def shop():
    with WooDouble.demo(limit_orders=60) as double:
        double.start()
        yield double


def open_log(path) -> EventLog:
    return EventLog(Store.open(path))


def state(log: EventLog) -> dict[str, list]:
    conn = log.store.db.conn
    return {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        for table in ("orders", "line_items", "refunds", "products", "customers")
    }


def comparable(rows: dict[str, list]) -> dict[str, list]:
    """Rows without the delete time (a webhook's receipt time vs. WooCommerce's trash time)."""
    return {
        table: [row[:-1] if table != "line_items" else row for row in rows]
        for table, rows in rows.items()
    }


def test_webhooks_and_sync_agree(shop, tmp_path):
    hooked, synced = open_log(tmp_path / "hooked.sqlite"), open_log(tmp_path / "synced.sqlite")
    client = WooClient(shop.url, shop.consumer_key, shop.consumer_secret)
    for log in (hooked, synced):
        Syncer(client, log.store, log).run()
    intake = Intake(hooked, shop.webhook_secret)
    shop.pair_agent(intake.origin)  # the plugin's guard lets deliveries reach the agent
    try:
        for topic in TOPICS:
            assert shop.add_webhook(topic, intake.url)["ping"]["status"] == 200
        customer = next(iter(shop.state.customers))
        product = next(iter(shop.state.products))
        first, second = list(shop.state.orders)[:2]
        new = shop.create_order(customer, [(product, 3)])
        shop.update_order(first, status="cancelled")
        shop.refund_order(new["id"], "2.00", "late")
        shop.trash_order(second)  # also fires product.deleted with the order's id
        shop.update_product(product, regular_price="12.34")
        shop.create_customer("hook.buyer@example.invalid", "Hook", "Buyer")
        results = shop.flush_webhooks()
        assert results and all(r["status"] == 200 for r in results)
        assert any(o.topic == "product.deleted" and o.status == "ignored" for o in intake.outcomes)
        Syncer(client, synced.store, synced).run()
        assert hooked.known_keys("order") == synced.known_keys("order")
        # a sync after the webhooks adds only what no delivery carries: which units the new
        # refund gave back (none: it gave money only), read from the order's refunds
        before = hooked.last_seq()
        Syncer(client, hooked.store, hooked).run()
        (units,) = hooked.read(before)
        assert (units.kind, units.key) == ("order.upserted", str(new["id"]))
        assert [refund.get("line_items") for refund in units.payload["refunds"]] == [[]]
        assert comparable(state(hooked)) == comparable(state(synced))
        # the deliveries after it carry those units on: no event flips back and forth
        before = hooked.last_seq()
        shop.update_order(new["id"], status="completed")
        assert all(r["status"] == 200 for r in shop.flush_webhooks())
        (noted,) = hooked.read(before)
        assert noted.payload["refunds"] == units.payload["refunds"]
    finally:
        intake.close()


def test_an_error_body_for_a_record_deleted_before_delivery_is_acknowledged(shop, tmp_path):
    log = open_log(tmp_path / "agent.sqlite")
    intake = Intake(log, shop.webhook_secret)
    shop.pair_agent(intake.origin)
    try:
        shop.add_webhook("order.created", intake.url)
        product = next(iter(shop.state.products))
        order = shop.create_order(next(iter(shop.state.customers)), [(product, 1)])
        shop.force_delete_order(order["id"])
        results = shop.flush_webhooks()
    finally:
        intake.close()
    assert [r["status"] for r in results] == [200]
    assert intake.outcomes[-1].status == "ignored" and log.last_seq() == 0


def delivered(log: EventLog, secret: str, topic: str, body: dict):
    raw = orjson.dumps(body)
    headers = {"X-WC-Webhook-Topic": topic, "X-WC-Webhook-Signature": signature_of(secret, raw)}
    return receive(headers, raw, secret=secret, log=log, now=log.store.clock.iso())


def test_a_delete_delivered_after_the_restore_that_undid_it_is_undone(shop, tmp_path):
    """Deliveries come in any order: the restore lands first, the trash's delete last. The
    check of the deletes a delivery appended brings the live order back, and only it."""
    log = open_log(tmp_path / "agent.sqlite")
    client = WooClient(shop.url, shop.consumer_key, shop.consumer_secret, sleep=lambda _s: None)
    Syncer(client, log.store, log).run(resources=["orders"])
    restored_id, trashed_id = list(shop.state.orders)[:2]
    shop.trash_order(restored_id)
    restored = shop.restore_order(restored_id)
    shop.trash_order(trashed_id)
    secret = shop.webhook_secret
    assert delivered(log, secret, "order.restored", restored).status == "appended"
    deleted = []
    for order_id in (restored_id, trashed_id):
        outcome = delivered(log, secret, "order.deleted", {"id": order_id})
        deleted += outcome.deleted
    assert deleted == [("order", str(restored_id)), ("order", str(trashed_id))]
    assert {str(restored_id), str(trashed_id)}.isdisjoint(log.known_keys("order"))
    revived = Reconciler(client, log, log.store.clock).revive(deleted)
    assert revived == {"product": 0, "customer": 0, "order": 1}
    assert str(restored_id) in log.known_keys("order")
    assert str(trashed_id) not in log.known_keys("order")
    assert Reconciler(client, log, log.store.clock).revive(deleted)["order"] == 0  # again
    log.store.close()
