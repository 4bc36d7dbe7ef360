"""The agent's composition root: one :class:`Agent` per process, built by ``run`` and by tests.

It owns the long-lived pieces — config, store, event log, applier (and through it the live
``Brain``), licence state and scheduler — and their lifecycle. The local API reads it as
``current_app.extensions["luxebrain.agent"]``; ``start``/``stop`` run in the app's
``before_serving``/``after_serving``, so stopping the server (SIGTERM) lets the applier finish the
event in hand and checkpoints the models before the store closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from connector_agent import heap
from connector_agent.applier import Applier
from connector_agent.cloud import job as cloud_job
from connector_agent.cloud.sync import saved_fallback
from connector_agent.config import AgentConfig, ConfigError, load_config, update_secrets
from connector_agent.eventlog import EventLog
from connector_agent.licence import LicenceState, checkin
from connector_agent.scheduler import WooJobs, add_licence_checkin, build_scheduler
from connector_agent.store import Store
from luxebrain.clock import Clock, SystemClock
from online_models import Brain
from online_models.events import parse_time

log = logging.getLogger(__name__)

#: How often the licence file is re-read, so an expiry or a check-in shows without a restart.
LICENCE_RECHECK_SECONDS = 60.0
#: How often the secrets file's modification is looked for.
SECRETS_RECHECK_SECONDS = 1.0
#: The licence feature that pays for the cloud's cross-store fallback list.
FALLBACK_FEATURE = "cloud_fallback"


def _stamp(path: Path) -> tuple[int, int] | None:
    """What tells a rewritten file apart: (mtime in ns, inode); None when it does not exist."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return (found.st_mtime_ns, found.st_ino)


class Agent:
    """Config, store, event log, applier, licence and scheduler of one agent process."""

    def __init__(self, config: AgentConfig, *, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self._config = config
        self._secrets_stamp = _stamp(config.secrets_path)
        self._config_checked_at = self.clock.monotonic()
        #: secret values ``unpair`` forgot: never taken back from the environment
        self._forgotten: dict[str, str] = {}
        self.store = Store.open(config.database_path, clock=self.clock)
        self.log = EventLog(self.store)
        self.applier = Applier(self.store, config, clock=self.clock)
        self.applier.load()
        self._ready_at_seq = self.log.last_seq()
        self._licence = LicenceState.load(config, self.clock)
        self._licence_read_at = self.clock.monotonic()
        self.scheduler: AsyncIOScheduler | None = None
        self._jobs: WooJobs | None = None
        self._stop = asyncio.Event()
        self._applier_task: asyncio.Task[None] | None = None
        self._fallback_generation = 0
        self._config_generation = 0
        #: the cloud's last mapped list, served only while the licence has ``cloud_fallback``
        #: (a snapshot may hold a list a paid licence fetched)
        self._fallback: list[tuple[str, str]] = saved_fallback(config)
        self._serve_fallback()

    # ------------------------------------------------------------ what the API reads

    @property
    def config(self) -> AgentConfig:
        """The config, reloaded when the secrets file changes (``pair`` or a key rotation while
        the agent runs), checked at most once a second."""
        self._reload_if_changed()
        return self._config

    def _reload_if_changed(self) -> None:
        """Reload the config if the secrets file changed since it was last looked at."""
        now = self.clock.monotonic()
        if now - self._config_checked_at >= SECRETS_RECHECK_SECONDS:
            self._config_checked_at = now
            if _stamp(self._config.secrets_path) != self._secrets_stamp:
                self._reload_config()

    def _reload_config(self) -> None:
        try:
            config = load_config(self._config.path)
        except ConfigError as exc:
            log.error("secrets changed but the config cannot be reloaded: %s", exc.message)
            return
        self._config = self._without_forgotten(config)
        self._config_generation += 1
        self._secrets_stamp = _stamp(config.secrets_path)
        log.info("secrets changed: config reloaded")

    def _without_forgotten(self, config: AgentConfig) -> AgentConfig:
        """``config`` less the secret values this agent was told to forget (``unpair``): an
        environment override would bring them back at every reload. A new value (a new
        pairing) is kept."""
        stale = {
            name: None
            for name, value in self._forgotten.items()
            if getattr(config.secrets, name) == value
        }
        if not stale:
            return config
        log.warning(
            "%s unpaired but still set in this agent's environment: ignored (remove %s from "
            "its environment)",
            ", ".join(stale),
            ", ".join(f"LUXEBRAIN_SECRETS__{name.upper()}" for name in stale),
        )
        return replace(config, secrets=replace(config.secrets, **stale))

    @property
    def brain(self) -> Brain:
        return self.applier.brain

    @property
    def models_ready(self) -> bool:
        """Loaded and caught up with the log as it was at start (a long tail replays first)."""
        return self.applier.applied_seq >= self._ready_at_seq

    @property
    def licence(self) -> LicenceState:
        """The licence state, re-read from disk at most once a minute (never the network)."""
        if self.clock.monotonic() - self._licence_read_at >= LICENCE_RECHECK_SECONDS:
            self.licence = LicenceState.load(self.config, self.clock)
        return self._licence

    @licence.setter
    def licence(self, state: LicenceState) -> None:
        """Set by a check-in so new features apply at once (the paid fallback list too)."""
        had = self._licence.features
        self._licence = state
        self._licence_read_at = self.clock.monotonic()
        if (FALLBACK_FEATURE in had) != (FALLBACK_FEATURE in state.features):
            self._serve_fallback()

    @property
    def features(self) -> frozenset[str]:
        return self.licence.features

    def licence_summary(self) -> dict[str, Any]:
        return self.licence.to_json()

    def applied_seq(self) -> int:
        return int(self.applier.applied_seq)

    def answer_version(self, *, about_a_customer: bool) -> Hashable:
        """What a cached answer is valid for: the last applied event that could change it
        (browsing counts only for answers about a customer), the fallback list given to the
        brain, the licensed features, and the config (widget titles, limits and
        ``exclude_purchased`` come from it and can change at a reload). ``features`` goes
        first: it may re-read the licence, which may change the fallback served."""
        features = self.features
        self._reload_if_changed()
        applier = self.applier
        seq = applier.personal_seq if about_a_customer else applier.shop_seq
        return (seq, self._fallback_generation, features, self._config_generation)

    def set_fallback(self, items: list[tuple[str, str]]) -> None:
        """Keep the cloud's fallback list and give it to the brain if the licence covers it
        (answers cached before it are dropped)."""
        self._fallback = list(items)
        self._serve_fallback()

    def _serve_fallback(self) -> None:
        """The brain serves the paid list only under a licence with ``cloud_fallback``; an
        empty one otherwise, so a downgrade takes it away and an upgrade brings the saved
        list back without a new cloud round."""
        served = self._fallback if FALLBACK_FEATURE in self._licence.features else []
        self.brain.set_fallback(served)
        self._fallback_generation += 1

    @contextlib.contextmanager
    def reading_store(self) -> Iterator[Store]:
        """A connection of its own, for reports run in a worker thread while the event loop
        keeps serving on the shared one (WAL lets them read side by side)."""
        store = Store.open(self.config.database_path, clock=self.clock, migrate=False)
        try:
            yield store
        finally:
            store.close()

    def store_reachable(self) -> bool:
        try:
            self.store.db.conn.execute("SELECT 1 FROM event_log LIMIT 1").fetchall()
        except sqlite3.Error:
            return False
        return True

    def last_sync_age_seconds(self) -> float | None:
        """Seconds since the most recent successful sync of any resource; None if never."""
        times = [
            info["last_success_at"]
            for info in self.store.sync_summary().values()
            if info["last_success_at"]
        ]
        if not times:
            return None
        newest = max(parse_time(t) for t in times)
        return round(max(0.0, self.clock.time() - newest.timestamp()), 3)

    # ------------------------------------------------------------ what the API changes

    def events_appended(self) -> None:
        """Wake the applier after an append (webhook, browsing events, sync page)."""
        self.applier.wake()

    def sync_soon(self) -> None:
        """Sync WooCommerce now rather than at the next interval (a no-op until started)."""
        if self._jobs is not None:
            self._jobs.sync_soon()

    def check_deletes_soon(self, deleted: list[tuple[str, str]]) -> None:
        """Check deletes that webhooks appended against the shop (a no-op until started)."""
        if self._jobs is not None:
            self._jobs.check_deletes_soon(deleted)

    def forget_secrets(self, names: Iterable[str]) -> None:
        """Remove secrets from the 0600 secrets file and reload the config (``unpair``).

        The values are forgotten in memory whatever the reload brings: one set in the
        environment (``LUXEBRAIN_SECRETS__…``) would otherwise keep working after *Disconnect*
        said it was gone, and so would all of them if the reload failed."""
        names = tuple(names)
        for name in names:
            value = getattr(self._config.secrets, name)
            if value:
                self._forgotten[name] = value
        update_secrets(self._config.path, **{name: None for name in names})
        self._reload_config()
        self._config = self._without_forgotten(self._config)  # also when the reload failed

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start learning in the background and the scheduled jobs (sync, licence check-in,
        the daily cloud round); the saved cloud fallback list goes to the brain at once."""
        # The loaded models are long-lived: move them out of the cyclic GC's reach, or a full
        # collection rescans them and stalls every request (~0.35 s for 8,000 real orders).
        heap.settle()
        self._stop.clear()
        self._applier_task = asyncio.create_task(self.applier.run(self._stop))
        self._jobs = WooJobs(self)
        self.scheduler = build_scheduler(self, self._jobs)
        add_licence_checkin(self.scheduler, self._checkin, hours=self.config.licence.checkin_hours)
        cloud_job.install(self)
        self.scheduler.start()

    async def _checkin(self) -> None:
        """Refresh the licence from the cloud (blocking HTTP, so in a worker thread)."""
        self.licence = await asyncio.to_thread(checkin, self.config, self.clock)

    async def stop(self) -> None:
        """Stop the jobs (a sync finishes its page), let the applier finish the event in hand,
        checkpoint the models."""
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if self._jobs is not None:
            await self._jobs.stop()
            self._jobs = None
        self._stop.set()
        if self._applier_task is not None:
            try:
                await self._applier_task
            except Exception:  # logged here, and the models learned so far still checkpoint
                log.exception("the applier ended with an error")
            self._applier_task = None
        self.applier.snapshot_now()

    def close(self) -> None:
        self.store.close()
