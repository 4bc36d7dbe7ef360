"""``luxebrain-agent run`` against the local WooCommerce: the scheduler backfills at start, the
double's webhooks reach the real API over HTTP, and SIGTERM stops the process cleanly."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from support.processes import free_port

from connector_agent.config import update_secrets
from connector_agent.config_template import render_config
from connector_agent.demo.woo_double import WooDouble

pytestmark = pytest.mark.timeout(90)
ROOT = Path(__file__).resolve().parents[2]


def wait_for(check: Callable[[], bool], what: str, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def order_row(db: Path, order_id: int) -> tuple | None:
    """``(status, deleted_at)`` of an order in the agent's store, or None when not held."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(
            "SELECT status, deleted_at FROM orders WHERE id = ?", [str(order_id)]
        ).fetchone()
    finally:
        conn.close()


def live_orders(db: Path) -> int:
    if not db.exists():
        return -1
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("SELECT COUNT(*) FROM orders WHERE deleted_at IS NULL").fetchone()[0]
    except sqlite3.OperationalError:
        return -1
    finally:
        conn.close()


def refunds_held(db: Path, order_id: int) -> list | None:
    """The refunds of the newest event held for an order, or None."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute(
            "SELECT payload FROM event_log WHERE key = ? AND kind = 'order.upserted' "
            "ORDER BY seq DESC LIMIT 1", [str(order_id)]
        ).fetchone()
    finally:
        conn.close()
    return json.loads(row[0])["refunds"] if row else None


def test_run_backfills_takes_webhooks_and_stops_on_sigterm(tmp_path):
    with WooDouble.demo(limit_orders=60) as shop:
        shop.start()
        bind = f"127.0.0.1:{free_port()}"
        config = tmp_path / "agent.toml"
        config.write_text(render_config(store_url=shop.url, data_dir="data", bind=bind))
        update_secrets(
            config,
            consumer_key=shop.consumer_key,
            consumer_secret=shop.consumer_secret,
            webhook_secret=shop.webhook_secret,
            shared_secret="ab" * 32,
            snapshot_key="cd" * 32,
        )
        db = tmp_path / "data" / "luxebrain.sqlite"
        agent = subprocess.Popen(
            [sys.executable, "-m", "connector_agent", "run", "--config", str(config)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        try:
            wait_for(lambda: live_orders(db) == 60, "the backfill at start")
            shop.pair_agent(f"http://{bind}")  # the plugin's guard lets deliveries reach the agent
            intake = f"http://{bind}/v1/webhooks/woocommerce"
            for topic in ("order.created", "order.updated", "order.deleted"):
                assert shop.add_webhook(topic, intake)["ping"]["status"] == 200
            customer, product = next(iter(shop.state.customers)), next(iter(shop.state.products))
            new = shop.create_order(customer, [(product, 2)])
            trashed = next(iter(shop.state.orders))
            shop.trash_order(trashed)
            results = shop.flush_webhooks()
            assert results and all(r["status"] == 200 for r in results), results
            # no sync ran in between (every 5 minutes): the webhooks alone did it
            assert order_row(db, new["id"]) == (new["status"], None)
            assert order_row(db, trashed)[1] is not None
            # a refund's units are not in the delivery (WooCommerce names the money alone):
            # the delivery starts a sync, which reads them, minutes before the next interval
            line = new["line_items"][0]
            shop.refund_order(new["id"], f"{line['price']:.2f}", "chipped", [(line["id"], 1)])
            assert all(r["status"] == 200 for r in shop.flush_webhooks())
            given_back = [{"product_id": str(product), "variation_id": None, "quantity": 1}]
            wait_for(
                lambda: (refunds_held(db, new["id"]) or [{}])[0].get("line_items") == given_back,
                "the refund's units, read by the sync the delivery started", seconds=20,
            )
            assert requests.get(f"http://{bind}/healthz", timeout=5).status_code == 200
        finally:
            agent.send_signal(signal.SIGTERM)
            _, stderr = agent.communicate(timeout=30)
        assert agent.returncode == 0, stderr.decode()[-2000:]
