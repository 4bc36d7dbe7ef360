"""The agent's one APScheduler: WooCommerce sync, reconciliation, webhook health (and licence).

Jobs are rebuilt from config at every start (memory job store: the event log is what survives
restarts), each with an explicit id, ``coalesce=True`` and ``max_instances=1``:

* ``woo-sync`` every ``sync.interval_minutes`` (and once at start),
* ``woo-reconcile`` daily at ``sync.reconcile_hour_utc``,
* ``woo-webhook-health`` every ``sync.webhook_health_minutes``,
* ``licence-checkin`` when :func:`add_licence_checkin` is called.

A sync can also be asked for outside the schedule (:meth:`WooJobs.sync_soon`: a webhook named a
refund whose units only a sync reads); one asked for while a sync runs runs once more after it.
Deletes that webhooks appended are checked against the shop at once
(:meth:`WooJobs.check_deletes_soon`, :meth:`Reconciler.revive`).

WooCommerce work is blocking HTTP, so it runs in a worker thread on its *own* store connection
(SQLite WAL lets it write while the API thread appends webhooks); :meth:`WooJobs.stop` asks a
running sync to finish the page in hand, checkpoint and return, and waits for it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from connector_agent.errors import AgentError
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from connector_agent.woo import Reconciler, Syncer, WooClient, check_webhooks

if TYPE_CHECKING:
    from connector_agent.agent import Agent

log = logging.getLogger(__name__)

SYNC_JOB = "woo-sync"
RECONCILE_JOB = "woo-reconcile"
WEBHOOK_HEALTH_JOB = "woo-webhook-health"
LICENCE_JOB = "licence-checkin"
MISFIRE_GRACE_SECONDS = 300


class WooJobs:
    """The WooCommerce jobs of one agent; each runs its blocking work in a worker thread."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.stopping = threading.Event()
        self._running: set[asyncio.Future[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._syncing = False
        self._again = False
        self._soon: set[asyncio.Future[None]] = set()
        #: deletes that deliveries appended, not yet checked against the shop
        self._unchecked: set[tuple[str, str]] = set()
        self._checking = False

    def configured(self) -> bool:
        config = self.agent.config
        return bool(
            config.store_url and config.secrets.consumer_key and config.secrets.consumer_secret
        )

    async def sync(self) -> None:
        """Sync; asked again while it runs, sync once more after it (what changed during a
        sync may be on a page it had already read)."""
        if self._syncing:
            self._again = True
            return
        self._syncing = True
        try:
            while True:
                self._again = False
                await self._in_thread("sync", self._sync)
                if not self._again or self.stopping.is_set():
                    return
        finally:
            self._syncing = False

    def sync_soon(self) -> None:
        """Sync now, outside the schedule (call on the event loop; returns at once)."""
        if self.stopping.is_set():
            return
        if self._syncing:
            self._again = True
            return
        self._start_soon(self.sync())

    async def reconcile(self) -> None:
        await self._in_thread("reconcile", self._reconcile)

    async def webhook_health(self) -> None:
        await self._in_thread("webhook health", self._webhook_health)

    def check_deletes_soon(self, deleted: Iterable[tuple[str, str]]) -> None:
        """Check deletes that webhooks appended against the shop, now (call on the event loop;
        returns at once): a record it still shows is appended again (``Reconciler.revive``)."""
        if self.stopping.is_set():
            return
        self._unchecked.update(deleted)
        if self._checking or not self._unchecked:
            return
        self._checking = True  # now, not when the task starts: two deliveries may come first
        self._start_soon(self._check_deletes())

    def _start_soon(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` on the loop now, outside the schedule; ``stop`` waits for it."""
        task = asyncio.ensure_future(work)
        self._soon.add(task)
        task.add_done_callback(self._soon.discard)

    async def _check_deletes(self) -> None:
        try:
            while self._unchecked and not self.stopping.is_set():
                batch, self._unchecked = self._unchecked, set()
                await self._in_thread(
                    "delete check", lambda store, batch=batch: self._revive(store, batch)
                )
        finally:
            self._checking = False

    async def stop(self) -> None:
        """Ask running work to checkpoint and return; wait until it has."""
        self.stopping.set()
        if self._running or self._soon:
            await asyncio.gather(*self._running, *self._soon, return_exceptions=True)

    # ------------------------------------------------------------ plumbing

    async def _in_thread(self, what: str, work: Callable[[Store], str]) -> None:
        if self.stopping.is_set():
            return
        if not self.configured():
            log.info("%s skipped: WooCommerce is not connected (pair the agent)", what)
            return
        self._loop = asyncio.get_running_loop()
        future = asyncio.ensure_future(asyncio.to_thread(self._with_store, work))
        self._running.add(future)
        try:
            log.info("%s", await future)
        except AgentError as exc:
            log.error("%s failed: %s", what, exc.message)
        finally:
            self._running.discard(future)

    def _with_store(self, work: Callable[[Store], str]) -> str:
        shared = self.agent.store
        if shared.path is None:  # an in-memory store (tests) has only the one connection
            return work(shared)
        store = Store.open(shared.path, clock=self.agent.clock, migrate=False)
        try:
            return work(store)
        finally:
            store.close()

    def _client(self) -> WooClient:
        # a stop request also cuts a retry's backoff short
        return WooClient.from_config(
            self.agent.config, clock=self.agent.clock, sleep=self.stopping.wait
        )

    def _log(self, store: Store) -> EventLog:
        return self.agent.log if store is self.agent.store else EventLog(store)

    def _wake_applier(self) -> None:
        """From the worker thread: tell the agent (on its loop) that events were appended."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.agent.events_appended)

    def _sync(self, store: Store) -> str:
        client = self._client()
        try:
            report = Syncer(
                client,
                store,
                self._log(store),
                page_size=self.agent.config.sync.page_size,
                overlap_seconds=self.agent.config.sync.overlap_seconds,
                version_hint=self.agent.config.secrets.wc_version,
                clock=self.agent.clock,
                on_append=self._wake_applier,
                should_stop=self.stopping.is_set,
            ).run()
        finally:
            client.close()
        return report.summary()

    def _revive(self, store: Store, deleted: set[tuple[str, str]]) -> str:
        client = self._client()
        try:
            revived = Reconciler(client, self._log(store), self.agent.clock).revive(deleted)
        finally:
            client.close()
        if any(revived.values()):
            self._wake_applier()
        return f"delete check: {len(deleted)} checked, appended again {revived}"

    def _reconcile(self, store: Store) -> str:
        client = self._client()
        try:
            return Reconciler(client, self._log(store), self.agent.clock).run().summary()
        finally:
            client.close()

    def _webhook_health(self, _store: Store) -> str:
        client = self._client()
        try:
            return check_webhooks(client).summary()
        finally:
            client.close()


def _log_job_error(event: JobExecutionEvent) -> None:
    log.error("job %s failed: %r", event.job_id, event.exception)


def build_scheduler(agent: Agent, jobs: WooJobs | None = None) -> AsyncIOScheduler:
    """The scheduler with the WooCommerce jobs; the caller starts it from the app's startup.

    Pass your own ``jobs`` to be able to ``await jobs.stop()`` on shutdown (SIGTERM): a sync in
    progress then finishes its page, checkpoints and returns.
    """
    jobs = jobs or WooJobs(agent)
    sync = agent.config.sync
    scheduler = AsyncIOScheduler(
        timezone=UTC,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
    )
    scheduler.add_job(
        jobs.sync,
        "interval",
        minutes=sync.interval_minutes,
        id=SYNC_JOB,
        replace_existing=True,
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        jobs.reconcile,
        "cron",
        hour=sync.reconcile_hour_utc,
        minute=0,
        id=RECONCILE_JOB,
        replace_existing=True,
    )
    scheduler.add_job(
        jobs.webhook_health,
        "interval",
        minutes=sync.webhook_health_minutes,
        id=WEBHOOK_HEALTH_JOB,
        replace_existing=True,
    )
    scheduler.add_listener(_log_job_error, EVENT_JOB_ERROR)
    return scheduler


def add_licence_checkin(
    scheduler: AsyncIOScheduler, checkin: Callable[[], Awaitable[None] | None], *, hours: int
) -> Job:
    """The licence check-in job (the licence module supplies ``checkin``)."""
    return scheduler.add_job(
        checkin,
        "interval",
        hours=hours,
        id=LICENCE_JOB,
        replace_existing=True,
        next_run_time=datetime.now(UTC),
    )
