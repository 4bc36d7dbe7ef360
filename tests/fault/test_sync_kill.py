"""A backfill killed mid-way (SIGKILL, SIGTERM) and restarted: the same data, no duplicates."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from connector_agent.cli import cli
from connector_agent.demo.woo_double import WooDouble
from connector_agent.store import Store
from connector_agent.woo import Syncer, WooClient

ROOT = Path(__file__).resolve().parents[2]
PAGE_SIZE = 50
SLOW_PAGE_SECONDS = 0.25


@pytest.fixture
def shop():
    with WooDouble.demo(limit_orders=500) as double:
        double.start()
        yield double


@pytest.fixture
def config(shop, tmp_path) -> Path:
    path = tmp_path / "agent.toml"
    result = CliRunner().invoke(
        cli,
        ["init", "--store-url", shop.url, "--consumer-key", shop.consumer_key,
         "--consumer-secret", shop.consumer_secret, "--data-dir", "data", "--config", str(path)],
    )
    assert result.exit_code == 0, result.output
    return path


def start_sync(config: Path) -> subprocess.Popen:
    env = {**os.environ, "LUXEBRAIN_SYNC__PAGE_SIZE": str(PAGE_SIZE)}
    return subprocess.Popen(
        [sys.executable, "-m", "connector_agent", "sync", "--config", str(config)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def orders_page(db: Path) -> int:
    """The page the orders pass has checkpointed (0 before any), read without locking it."""
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute("SELECT state FROM sync_cursors WHERE resource = 'orders'").fetchone()
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()
    return orjson.loads(row[0]).get("pass", {}).get("page", 0) if row else 0


def wait_for_orders_page(process: subprocess.Popen, db: Path, page: int) -> None:
    deadline = time.monotonic() + 60
    while orders_page(db) < page:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the backfill never reached the orders"
        time.sleep(0.05)


def snapshot(db: Path) -> dict[str, list]:
    conn = sqlite3.connect(db)
    try:
        return {
            "events": conn.execute(
                "SELECT kind, key, version, payload FROM event_log ORDER BY kind, key, version"
            ).fetchall(),
            "orders": conn.execute("SELECT * FROM orders ORDER BY id").fetchall(),
            "line_items": conn.execute("SELECT * FROM line_items ORDER BY 1, 2").fetchall(),
            "customers": conn.execute("SELECT * FROM customers ORDER BY id").fetchall(),
            "products": conn.execute("SELECT * FROM products ORDER BY id").fetchall(),
        }
    finally:
        conn.close()


def reference(shop: WooDouble, tmp_path: Path) -> dict[str, list]:
    store = Store.open(tmp_path / "reference.sqlite")
    Syncer(WooClient(shop.url, shop.consumer_key, shop.consumer_secret), store).run()
    store.close()
    return snapshot(tmp_path / "reference.sqlite")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_backfill_resumes_to_the_same_data_without_duplicates(shop, config, tmp_path, sig):
    db = tmp_path / "data" / "luxebrain.sqlite"
    # the first orders pages are slow, so the kill lands mid-pass (10 pages of 50)
    shop.faults.inject(None, path="/orders", count=8, delay=SLOW_PAGE_SECONDS)
    process = start_sync(config)
    wait_for_orders_page(process, db, 3)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=30)
    if sig == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
    else:  # SIGTERM: the page in hand is finished and checkpointed, exit 1 saying so
        assert process.returncode == 1 and b"interrupted" in stderr
    resumed_from = orders_page(db)
    assert resumed_from >= 3  # the restart does not start the orders over
    finished = start_sync(config)
    _, stderr = finished.communicate(timeout=60)
    assert finished.returncode == 0, stderr.decode()
    assert b"orders" in stderr and orders_page(db) == 0
    after = snapshot(db)
    expected = reference(shop, tmp_path)
    keys = [row[:3] for row in after["events"]]
    assert len(keys) == len(set(keys))  # no duplicate events
    assert after["events"] == expected["events"]
    for table in ("orders", "line_items", "customers", "products"):
        assert after[table] == expected[table], table
