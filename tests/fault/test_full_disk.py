"""A full disk stops neither learning nor serving, loses nothing, and heals by itself.

The disk fills the way SQLite sees it: every connection to the agent's store (those open now
and those opened later, as the snapshot worker's) is capped at the pages the file holds
(``PRAGMA max_page_count``), so a write that needs room fails with SQLite's own "database or
disk is full".
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from integration.test_api_support import Api, error_of, order, product

from connector_agent.agent import Agent
from connector_agent.applier import STORE_RETRY_SECONDS
from connector_agent.config import load_config
from connector_agent.demo.woo_double import WooDouble
from connector_agent.errors import StoreError
from connector_agent.store import Store
from connector_agent.woo import Syncer, WooClient
from connector_agent.woo.backoff import Backoff
from luxebrain.clock import FrozenClock

NO_CAP = 1_073_741_823


class FullDisk:
    """Caps every connection to ``path`` at its current size while full."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, path: Path,
                 *open_now: sqlite3.Connection) -> None:
        self.path = str(path)
        self.connections = list(open_now)
        self.full = False
        connect = sqlite3.connect

        def tracked(database: object, *args: object, **kwargs: object) -> sqlite3.Connection:
            conn = connect(database, *args, **kwargs)
            if str(database) == self.path:
                self.connections.append(conn)
                self._cap(conn)
            return conn

        monkeypatch.setattr(sqlite3, "connect", tracked)

    def _cap(self, conn: sqlite3.Connection) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0] if self.full else NO_CAP
        conn.execute(f"PRAGMA max_page_count = {pages}")

    def fill(self) -> None:
        self.full = True
        self._cap_all()

    def free(self) -> None:
        self.full = False
        self._cap_all()

    def _cap_all(self) -> None:
        for conn in list(self.connections):
            try:
                self._cap(conn)
            except sqlite3.ProgrammingError:  # closed (a worker's, done)
                self.connections.remove(conn)


@pytest.fixture
def api(config_path: Path, frozen_clock: FrozenClock) -> Iterator[Api]:
    api = Api(config_path, frozen_clock)
    api.license()
    yield api
    api.close()


def orders(first: int, count: int) -> list:
    return [order(f"o{n}", f"c{n % 7}", "tea", "cup" if n % 2 else "jam",
                  at=f"2026-11-{1 + n % 25:02d}T10:00:00Z") for n in range(first, first + count)]


async def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting until {what}")


async def test_a_full_disk_is_survived_and_healed(api: Api, config_path: Path,
                                                  frozen_clock: FrozenClock,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    agent, applier = api.agent, api.agent.applier
    api.learn([product(p, p.title()) for p in ("tea", "cup", "jam")] + orders(0, 20))
    applier.snapshot_now()
    saved = agent.store.applied_seq()
    assert saved == agent.log.last_seq()
    agent.log.append(orders(20, 30))  # synced just before the disk filled
    disk = FullDisk(monkeypatch, agent.store.path, agent.store.db.conn)
    disk.fill()

    stop = asyncio.Event()
    learning = asyncio.create_task(applier.run(stop))
    await until(lambda: applier.applied_seq == agent.log.last_seq(), "the new orders are learned")
    frozen_clock.advance(agent.config.models.snapshot_every_seconds)
    applier.wake()
    await until(lambda: applier.snapshot_error is not None, "the snapshot fails")
    assert "database or disk is full" in applier.snapshot_error["message"]
    assert not learning.done()
    assert agent.store.applied_seq() == saved  # the last good snapshot stays

    # serving goes on from memory; writes are refused with the one error shape
    popular = await api.ok("GET", "/v1/recommendations/popular?limit=3")
    assert {item["id"] for item in popular["items"]} == {"tea", "cup", "jam"}
    status = await api.ok("GET", "/v1/status")
    assert status["snapshot_error"] == applier.snapshot_error
    assert status["applied_seq"] == agent.log.last_seq() and status["snapshot_seq"] == saved
    metrics = await (await api.get("/metrics")).get_data(as_text=True)
    assert "luxebrain_snapshot_failing 1.0" in metrics
    before = agent.log.last_seq()
    views = {"session_id": "sess-0001", "events": [
        {"id": str(uuid.UUID(int=n)), "type": "view", "product_id": "tea"} for n in range(50)
    ]}  # more than the last pages' spare room holds
    refused = await api.post("/v1/events", json=views)
    assert refused.status_code == 503
    error = await error_of(refused)
    assert error["code"] == "store_error" and "database or disk is full" in error["message"]
    assert agent.log.last_seq() == before

    # no retry storm: the next try waits, and then succeeds once there is room
    frozen_clock.advance(STORE_RETRY_SECONDS / 2)
    applier.wake()
    await asyncio.sleep(0.05)
    failures = [r for r in caplog.records if r.getMessage().startswith("model snapshot not saved")]
    assert len(failures) == 1
    assert applier.snapshot_error is not None and agent.store.applied_seq() == saved
    disk.free()
    frozen_clock.advance(STORE_RETRY_SECONDS)
    applier.wake()
    await until(lambda: applier.snapshot_error is None, "the snapshot is saved again")
    assert agent.store.applied_seq() == agent.log.last_seq()
    accepted = await api.post("/v1/events", json=views)
    assert accepted.status_code == 202
    await until(lambda: applier.applied_seq == agent.log.last_seq(), "the view is learned")
    stop.set()
    await learning
    agent.applier.snapshot_now()
    live = agent.brain.snapshot()

    # a restart loads what was saved: the same models as the ones that ran through it
    restarted = Agent(load_config(config_path, environ={}), clock=frozen_clock)
    try:
        assert restarted.applier.applied_seq == agent.log.last_seq()
        assert restarted.brain.snapshot() == live
    finally:
        restarted.close()


def synced_rows(store: Store) -> dict[str, list]:
    conn = store.db.conn
    return {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        for table in ("event_log", "orders", "line_items", "customers", "products")
    }


def test_a_sync_that_finds_the_disk_full_stores_no_part_of_a_page(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    with WooDouble.demo(limit_orders=120) as shop:
        shop.start()

        def sync(store: Store) -> None:
            client = WooClient(shop.url, shop.consumer_key, shop.consumer_secret,
                               sleep=lambda _s: None, backoff=Backoff(0.01, 0.01))
            Syncer(client, store).run()

        store = Store.open(tmp_path / "agent.sqlite")
        sync(store)
        customer, product = next(iter(shop.state.customers)), next(iter(shop.state.products))
        for _ in range(40):
            shop.create_order(customer, [(product, 2)])
        before = synced_rows(store)
        disk = FullDisk(monkeypatch, store.path, store.db.conn)
        disk.fill()
        with pytest.raises(StoreError, match="database or disk is full"):
            sync(store)
        after = synced_rows(store)
        assert after["orders"] == before["orders"] and after["line_items"] == before["line_items"]
        assert [row for row in after["event_log"] if row[1] == "order.upserted"] == [
            row for row in before["event_log"] if row[1] == "order.upserted"]
        disk.free()
        sync(store)  # the next run picks up where the stored cursor says
        reference = Store.open(tmp_path / "reference.sqlite")
        sync(reference)
        healed, expected = synced_rows(store), synced_rows(reference)
        assert len(healed["orders"]) == len(before["orders"]) + 40
        for table in ("orders", "line_items", "customers", "products"):
            assert healed[table] == expected[table], table
        # the same records reach the log (the healed one also holds their earlier versions)
        assert {row[1:3] for row in healed["event_log"]} == {
            row[1:3] for row in expected["event_log"]}
        store.close()
        reference.close()


async def test_a_log_that_cannot_be_read_for_a_while_only_delays_learning(
        api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    agent, applier = api.agent, api.agent.applier
    monkeypatch.setattr("connector_agent.applier.STORE_RETRY_SECONDS", 0.05)
    agent.log.append([product("tea", "Tea")] + orders(0, 5))
    read, failures = agent.log.read_rows, []

    def flaky(after_seq: int = 0, limit: int = 1000):
        if len(failures) < 2:
            failures.append(after_seq)
            raise sqlite3.OperationalError("disk I/O error")
        return read(after_seq, limit)

    monkeypatch.setattr(applier.log, "read_rows", flaky)
    stop = asyncio.Event()
    learning = asyncio.create_task(applier.run(stop))
    await until(lambda: applier.applied_seq == agent.log.last_seq(), "the orders are learned")
    stop.set()
    await learning
    assert failures == [0, 0]
    assert sum("event log not readable" in r.getMessage() for r in caplog.records) == 2
    assert applier.brain.popular(limit=1)[0].product_id == "tea"
