"""The scheduler's WooCommerce jobs: ids, coalescing, and a sync job run against the double."""

from __future__ import annotations

import asyncio
import logging

import pytest
from click.testing import CliRunner

from connector_agent.cli import cli
from connector_agent.config import load_config
from connector_agent.demo.woo_double import WooDouble
from connector_agent.eventlog import EventLog
from connector_agent.scheduler import (
    RECONCILE_JOB,
    SYNC_JOB,
    WEBHOOK_HEALTH_JOB,
    WooJobs,
    add_licence_checkin,
    build_scheduler,
)
from connector_agent.store import Store
from connector_agent.woo import normalise
from luxebrain.clock import SystemClock


class StubAgent:
    """The parts of ``Agent`` the jobs use."""

    def __init__(self, config):
        self.config = config
        self.clock = SystemClock()
        self.store = Store.open(config.database_path, clock=self.clock)
        self.log = EventLog(self.store)
        self.woken = 0

    def events_appended(self):
        self.woken += 1


@pytest.fixture
def shop():
    with WooDouble.demo(limit_orders=50) as double:
        double.start()
        yield double


def agent_for(tmp_path, url, key="ck", secret="cs", env=None):
    path = str(tmp_path / "agent.toml")
    result = CliRunner().invoke(
        cli,
        ["init", "--store-url", url, "--consumer-key", key, "--consumer-secret", secret,
         "--data-dir", "data", "--config", path],
    )
    assert result.exit_code == 0, result.output
    return StubAgent(load_config(path, environ=env or {}))


async def test_jobs_have_ids_triggers_and_no_overlap(tmp_path):
    env = {"LUXEBRAIN_SYNC__INTERVAL_MINUTES": "7", "LUXEBRAIN_SYNC__RECONCILE_HOUR_UTC": "4"}
    agent = agent_for(tmp_path, "http://127.0.0.1:9", env=env)
    scheduler = build_scheduler(agent)
    add_licence_checkin(scheduler, lambda: None, hours=24)
    scheduler.start(paused=True)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    assert set(jobs) == {SYNC_JOB, RECONCILE_JOB, WEBHOOK_HEALTH_JOB, "licence-checkin"}
    assert jobs[SYNC_JOB].trigger.interval.total_seconds() == 7 * 60
    assert str(jobs[RECONCILE_JOB].trigger.fields[5]) == "4"  # hour field of the cron
    assert jobs[WEBHOOK_HEALTH_JOB].trigger.interval.total_seconds() == 3600
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1


async def test_sync_job_runs_in_a_thread_on_its_own_connection(shop, tmp_path):
    agent = agent_for(tmp_path, shop.url, shop.consumer_key, shop.consumer_secret)
    jobs = WooJobs(agent)
    await jobs.sync()
    assert agent.store.counts()["orders"] == 50
    assert agent.woken >= 1
    await jobs.reconcile()
    await jobs.webhook_health()
    await jobs.stop()
    await jobs.sync()  # stopped: does nothing more
    assert agent.store.counts()["orders"] == 50


async def test_jobs_skip_an_unpaired_agent_and_log_failures(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    no_key = {"LUXEBRAIN_SECRETS__CONSUMER_KEY": ""}
    unpaired = agent_for(tmp_path, "http://127.0.0.1:9", env=no_key)
    await WooJobs(unpaired).sync()
    assert "not connected" in caplog.text
    failing = agent_for(tmp_path / "other", "http://127.0.0.1:9", "ck", "cs",
                        env={"LUXEBRAIN_SYNC__MAX_RETRIES": "0"})
    await WooJobs(failing).sync()
    assert "sync failed: WooCommerce GET /system_status: gave up" in caplog.text
    errors = failing.store.sync_summary()
    assert set(errors) == {"products", "customers", "orders"}
    assert all("gave up" in e["last_error"] for e in errors.values())


async def test_stop_lets_a_running_sync_finish_its_page_and_checkpoint(shop, tmp_path):
    agent = agent_for(tmp_path, shop.url, shop.consumer_key, shop.consumer_secret,
                      env={"LUXEBRAIN_SYNC__PAGE_SIZE": "10"})
    shop.faults.inject(None, path="/orders", count=3, delay=0.3)
    jobs = WooJobs(agent)
    running = asyncio.ensure_future(jobs.sync())
    while agent.store.cursor("orders").get("pass", {}).get("page", 0) < 2:
        await asyncio.sleep(0.05)
    await jobs.stop()
    assert running.done() and running.exception() is None
    state = agent.store.cursor("orders")
    assert "watermark" not in state and state["pass"]["page"] >= 2  # resumable, not finished
    held = agent.log.known_keys("order")
    assert len(held) == state["pass"]["read"]  # the checkpoint holds what was read, no more
    assert max(int(key) for key in held) == state["pass"]["after"]  # it resumes after that


async def test_a_sync_asked_for_now_runs_at_once_and_again_after_one_running(shop, tmp_path):
    """``sync_soon`` (a webhook named a refund) syncs outside the schedule; asked while a sync
    runs, it runs once more after it, since the change may be on a page already read."""
    agent = agent_for(tmp_path, shop.url, shop.consumer_key, shop.consumer_secret)
    jobs = WooJobs(agent)
    runs = []
    real_sync = jobs._sync

    def counted(store):
        runs.append(len(runs))
        return real_sync(store)

    jobs._sync = counted
    jobs.sync_soon()
    while not runs:
        await asyncio.sleep(0.01)
    jobs.sync_soon()  # during the first run: the changes may be behind its pages
    jobs.sync_soon()  # asked twice meanwhile: still one more run
    while jobs._soon:
        await asyncio.sleep(0.01)
    assert runs == [0, 1]
    assert agent.store.counts()["orders"] == 50
    await jobs.stop()
    jobs.sync_soon()  # stopped: nothing more
    assert not jobs._soon and runs == [0, 1]


async def test_deletes_handed_over_are_checked_against_the_shop_at_once(shop, tmp_path):
    agent = agent_for(tmp_path, shop.url, shop.consumer_key, shop.consumer_secret)
    jobs = WooJobs(agent)
    await jobs.sync()
    live, trashed = (str(key) for key in list(shop.state.orders)[:2])
    shop.trash_order(int(trashed))
    now = agent.clock.iso()
    agent.log.append([
        normalise.delete_event("order", key, agent.log.last_version("order", key), now)
        for key in (live, trashed)
    ])
    woken = agent.woken
    jobs.check_deletes_soon([("order", live), ("order", trashed)])
    while jobs._soon:
        await asyncio.sleep(0.01)
    assert live in agent.log.known_keys("order") and trashed not in agent.log.known_keys("order")
    assert agent.woken == woken + 1  # the applier learns the revived order
    await jobs.stop()


async def test_deletes_from_a_burst_of_webhooks_are_checked_by_one_check_at_a_time(tmp_path):
    """Two deliveries before the loop ran the first check started a second task; its end
    cleared the flag while the first still ran, so the next delivery started a third check
    beside it."""
    jobs = WooJobs(agent_for(tmp_path, "http://127.0.0.1:9"))
    running = peak = 0
    gate = asyncio.Event()

    async def held_check(what, work):
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gate.wait()
        running -= 1

    jobs._in_thread = held_check  # type: ignore[method-assign]
    jobs.check_deletes_soon([("order", "1")])
    jobs.check_deletes_soon([("order", "2")])  # before the loop ran the first check
    await asyncio.sleep(0.05)
    jobs.check_deletes_soon([("order", "3")])
    await asyncio.sleep(0.05)
    assert peak == 1
    gate.set()
    await asyncio.sleep(0.05)
    assert peak == 1 and not jobs._unchecked  # the later delete was checked after it
    await jobs.stop()
