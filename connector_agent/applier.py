"""The applier: feeds the event log to the models in ``seq`` order, exactly once, and checkpoints.

An I/O shell around :class:`online_models.Brain` (no learning logic here):

* events are applied in ``seq`` order; every ``models.snapshot_every_events`` events or
  ``models.snapshot_every_seconds`` seconds the whole brain is written **together with the last
  applied seq in one transaction**, so a crash at any point loses nothing and counts nothing
  twice: restart = load the snapshot, replay the tail;
* snapshots carry an HMAC-SHA256 under the agent's ``snapshot_key``; a tampered, truncated or
  unkeyed snapshot is refused with a clear log line and the models are rebuilt from the event
  log — never loaded; so is one of models learned by another model version or with other
  settings (an upgrade that changed a default, a new ``models.seed``);
* learning runs on the event loop in short time slices, so API queries (which read the live brain
  on the same loop) never see a half-applied event and never wait more than one slice; a snapshot
  due while running is serialised and stored in worker threads (about a second for a year of a
  busy shop, which would otherwise stall every query and webhook meanwhile) while learning waits;
* after a snapshot, events older than ``models.retention_days`` are compacted (at most hourly;
  while running, in a worker thread too, a window of seqs per transaction);
* an erasure drops the stored snapshots (they hold the person, see ``EventLog.erase_customer``):
  once the erasure is learned, a snapshot is due at once, so a restart need not rebuild;
* a store that cannot be written (a full disk) or read stops neither learning nor serving: the
  failure is logged and shown in ``/v1/status`` (``snapshot_error``), the models go on in
  memory, and the snapshot is tried again ``STORE_RETRY_SECONDS`` later. Nothing is lost: what
  the last saved snapshot lacks is still in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import sqlite3
import threading
import time
from collections import deque
from datetime import timedelta
from pathlib import Path

from connector_agent import heap
from connector_agent.config import AgentConfig
from connector_agent.errors import StoreError
from connector_agent.eventlog import EventLog, LogRow, event_of_row
from connector_agent.store import Store
from luxebrain.clock import Clock, SystemClock
from online_models import Brain, BrainConfig, SnapshotError
from online_models.events import CUSTOMER_ERASED

log = logging.getLogger(__name__)

#: events read from the log at once, on the event loop between two slices: 500 cost 10-30 ms
#: there (parsing their payloads) and made a learning slice's p99 14 ms; 100 cost as little per
#: event and keep it at 9 ms (the UCI year, imported, replayed from the start)
READ_BATCH = 100
SLICE_SECONDS = 0.005
IDLE_WAIT_SECONDS = 1.0
COMPACT_EVERY_SECONDS = 3600.0
#: after a failed snapshot (or a slice that could not read the log), the wait before trying again
STORE_RETRY_SECONDS = 60.0


class SnapshotRefused(Exception):
    """A stored snapshot that must not be loaded (bad MAC, no key, unreadable)."""


def snapshot_mac(key: bytes, applied_seq: int, data: bytes) -> str:
    """HMAC-SHA256 over the applied seq and the snapshot bytes (so neither can be swapped)."""
    mac = hmac.new(key, f"{applied_seq}\n".encode(), hashlib.sha256)
    mac.update(data)
    return mac.hexdigest()


class Applier:
    """Owns the live :class:`Brain`; ``brain`` is replaced (never mutated) when restoring."""

    def __init__(self, store: Store, config: AgentConfig, *, clock: Clock | None = None) -> None:
        self.store = store
        self.config = config
        self.clock = clock or SystemClock()
        self.log = EventLog(store)
        self.brain = self._new_brain()
        self.applied_seq = 0
        #: the last applied events that could change any answer / an answer about a customer
        #: (``Brain.answers_changed_by``): what the API's answer cache keys on
        self.shop_seq = 0
        self.personal_seq = 0
        #: events a model raised on (logged and skipped); /v1/status and /metrics show it
        self.failed_events = 0
        self.rebuilt_reason: str | None = None
        #: the stored snapshot was refused at load: it is not current even at ``applied_seq``
        self._stored_refused = False
        #: an erasure was learned and is in no stored snapshot yet: one is due at once
        self._erasure_unsaved = False
        self._key = (config.secrets.snapshot_key or "").encode()
        self._since_snapshot = 0
        self._since_settle = 0  # events learned since the heap was last settled
        self._last_snapshot_at = self.clock.monotonic()
        self._last_compact_at = self.clock.monotonic()
        self._buffer: deque[LogRow] = deque()  # read ahead of applied_seq, not yet applied
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        #: why the last snapshot could not be saved, and since when (None once one is saved)
        self.snapshot_error: dict[str, str] | None = None
        self._retry_snapshot_at = 0.0

    # ------------------------------------------------------------ start-up

    def load(self) -> Brain:
        """Load the newest verified snapshot, or start empty (and rebuild from the log)."""
        brain, seq = self._new_brain(), 0
        stored = self.store.latest_snapshot()
        if stored is not None:
            try:
                brain, seq = self._verified(*stored), stored[0]
            except SnapshotRefused as exc:
                self.rebuilt_reason = str(exc)
                self._stored_refused = True
                log.error("model snapshot refused: %s; rebuilding the models from the log", exc)
        self.brain, self.applied_seq = brain, seq
        self.shop_seq = self.personal_seq = seq
        self._buffer.clear()
        self._since_snapshot = 0
        return brain

    def _new_brain(self) -> Brain:
        """Empty models with this agent's settings (the default ``BrainConfig`` and
        ``models.seed``); a snapshot is only restored if it was learned with the same."""
        return Brain(seed=self.config.models.seed)

    def _verified(self, applied_seq: int, data: bytes, mac: str) -> Brain:
        if not self._key:
            raise SnapshotRefused("no snapshot_key in the secrets file, so it cannot be verified")
        expected = snapshot_mac(self._key, applied_seq, data)
        if not hmac.compare_digest(expected, mac):
            raise SnapshotRefused("integrity check failed (tampered, truncated or another key)")
        try:
            return Brain.restore(data, config=BrainConfig(), seed=self.config.models.seed)
        except SnapshotError as exc:
            raise SnapshotRefused(f"unreadable ({exc})") from exc

    # ------------------------------------------------------------ applying

    def apply_pending(
        self,
        max_events: int | None = None,
        *,
        budget: float | None = None,
        snapshot: bool = True,
    ) -> int:
        """Apply events after ``applied_seq``; stop after ``max_events`` or ``budget`` seconds.
        With ``snapshot`` a snapshot is written as soon as one is due (``run`` writes its own
        between slices, off the event loop)."""
        applied = 0
        started = time.perf_counter()
        while max_events is None or applied < max_events:
            if not self._buffer:
                self._buffer.extend(self.log.read_rows(self.applied_seq, READ_BATCH))
                if not self._buffer:
                    break
            row = self._buffer.popleft()
            kind = self._learn_row(row)
            if kind == CUSTOMER_ERASED:
                self._erasure_unsaved = True
            self.applied_seq = row[0]
            self._since_snapshot += 1
            self._since_settle += 1
            applied += 1
            if snapshot and self._snapshot_due():
                self.snapshot_now()
            if budget is not None and time.perf_counter() - started >= budget:
                break
        return applied

    def _learn_row(self, row: LogRow) -> str | None:
        """Learn one log row; its kind, or None when this version cannot read it. A row that
        cannot be read and an event a model raises on are logged, counted in
        ``failed_events`` and skipped: neither may stop learning for good."""
        seq, kind = row[0], row[1]
        try:
            event = event_of_row(row)
        except Exception:
            self.failed_events += 1
            self.shop_seq = self.personal_seq = seq  # what it changes is unknown: any answer
            log.exception("event seq %s (%s) cannot be read by this version; skipped", seq, kind)
            return None
        changes = Brain.answers_changed_by(event.kind)
        if changes != "none":
            self.personal_seq = seq
        if changes == "all":
            self.shop_seq = seq
        try:
            self.brain.learn(event)
        except Exception:  # a model bug must not stop learning for good
            self.failed_events += 1
            log.exception(
                "event seq %s (%s %s) could not be learned; skipped", seq, event.kind, event.key
            )
        return event.kind

    def _snapshot_due(self) -> bool:
        if self.clock.monotonic() < self._retry_snapshot_at:
            return False
        if self._erasure_unsaved:
            return True
        if self._since_snapshot >= self.config.models.snapshot_every_events:
            return True
        elapsed = self.clock.monotonic() - self._last_snapshot_at
        return self._since_snapshot > 0 and elapsed >= self.config.models.snapshot_every_seconds

    def snapshot_now(self) -> None:
        """Write the brain and the applied seq in one transaction (no-op if nothing is new);
        a store that cannot take it is logged and recorded (``snapshot_error``), not raised."""
        if self._snapshot_current():
            return
        try:
            self._save_snapshot(self.applied_seq, *self._sealed(self.brain, self.applied_seq))
        except StoreError as exc:
            self._snapshot_failed(exc)

    async def snapshot_off_loop(self) -> None:
        """:meth:`snapshot_now`, with the brain serialised, sealed and stored in worker threads
        (stored through a connection of their own, for a store in a file).

        The event loop meanwhile answers queries, which only read the brain (the caches they
        fill are never part of a snapshot); nothing learns, because the one task that learns is
        the one awaiting this. Should the brain still change under the pickler (a model that
        grew a query-time cache inside its state), the snapshot is written on the loop instead.
        """
        if self._snapshot_current():
            return
        brain, seq = self.brain, self.applied_seq
        try:
            data, mac = await asyncio.to_thread(self._sealed, brain, seq)
        except Exception:
            log.exception("model snapshot failed in the background; writing it on the loop")
            self.snapshot_now()
            return
        if brain is not self.brain or seq != self.applied_seq:
            return  # the models were reloaded meanwhile: this snapshot is of neither
        path = self.store.path
        if path is None:  # an in-memory store has no second connection
            self._save_snapshot(seq, data, mac)
            return
        # writing 10 MB into SQLite takes 60-120 ms, and a first compaction after downtime can
        # take seconds: both on a connection of the worker's own
        clock = self.store.clock
        try:
            await asyncio.to_thread(_write_snapshot, path, clock, seq, data, mac)
        except StoreError as exc:
            self._snapshot_failed(exc)
            return
        self._mark_snapshot()
        due = self._compaction_due()
        if due is not None:
            try:
                await asyncio.to_thread(_compact_log, path, clock, *due)
            except StoreError as exc:  # the log is only longer until the next hour's try
                log.error("event log not compacted: %s", exc.message)
        self._settle_if_grown()

    def _snapshot_current(self) -> bool:
        """Whether the stored snapshot already holds ``applied_seq`` (then only the timer
        restarts); one refused at load never does, or every start would rebuild again."""
        if self._stored_refused:
            return False
        if self.applied_seq == self.store.applied_seq() and self.store.has_snapshot():
            self._mark_snapshot()
            return True
        return False

    def _sealed(self, brain: Brain, seq: int) -> tuple[bytes, str]:
        """The snapshot bytes of ``brain`` and their MAC under the agent's key (reads only)."""
        data = brain.snapshot()
        return data, snapshot_mac(self._key, seq, data) if self._key else ""

    def _save_snapshot(self, seq: int, data: bytes, mac: str) -> None:
        with self.store.transaction():
            self.store.save_snapshot(seq, data, mac)
        self._snapshot_saved()

    def _snapshot_saved(self) -> None:
        self._mark_snapshot()
        due = self._compaction_due()
        if due is not None:
            try:
                _compacted(self.log, *due)
            except StoreError as exc:
                log.error("event log not compacted: %s", exc.message)
        self._settle_if_grown()

    def _settle_if_grown(self) -> None:
        if self._since_settle >= self.config.models.snapshot_every_events:
            # the models grew a lot (a first sync, a rebuild): freeze them (see heap)
            heap.settle()
            self._since_settle = 0

    def _mark_snapshot(self) -> None:
        """The stored snapshot now holds ``applied_seq`` (erasures and all)."""
        self._stored_refused = False
        self._erasure_unsaved = False
        self._since_snapshot = 0
        self._last_snapshot_at = self.clock.monotonic()
        if self.snapshot_error is not None:
            log.info("model snapshot saved again (seq %s)", self.applied_seq)
            self.snapshot_error = None

    def _snapshot_failed(self, error: StoreError) -> None:
        """Keep learning in memory; try again in ``STORE_RETRY_SECONDS``."""
        self._retry_snapshot_at = self.clock.monotonic() + STORE_RETRY_SECONDS
        if self.snapshot_error is None:
            self.snapshot_error = {"message": error.message, "since": self.clock.iso()}
        log.error(
            "model snapshot not saved: %s; the models go on in memory (retry in %.0f s)",
            error.message,
            STORE_RETRY_SECONDS,
        )

    def _compaction_due(self) -> tuple[str, int] | None:
        """``(before, up_to_seq)`` for the log's compaction, at most hourly (after a snapshot:
        only what the stored snapshot holds may go)."""
        if self.clock.monotonic() - self._last_compact_at < COMPACT_EVERY_SECONDS:
            return None
        self._last_compact_at = self.clock.monotonic()
        cutoff = self.clock.now() - timedelta(days=self.config.models.retention_days)
        return cutoff.strftime("%Y-%m-%dT%H:%M:%SZ"), self.applied_seq

    # ------------------------------------------------------------ background task

    def wake(self) -> None:
        """New events were appended; safe to call from any thread."""
        loop, event = self._loop, self._wake
        if loop is None or event is None:
            return
        if threading.current_thread() is threading.main_thread() and _running_loop() is loop:
            event.set()
        else:
            loop.call_soon_threadsafe(event.set)

    async def run(self, stop: asyncio.Event) -> None:
        """Learn in short slices until ``stop`` is set; the owner then calls ``snapshot_now``."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        try:
            while not stop.is_set():
                try:
                    applied = self.apply_pending(budget=SLICE_SECONDS, snapshot=False)
                except (StoreError, sqlite3.Error) as exc:  # the log cannot be read just now
                    log.error("event log not readable: %s; retrying in %.0f s", exc,
                              STORE_RETRY_SECONDS)
                    await _wait(stop, STORE_RETRY_SECONDS)
                    continue
                except Exception:  # a bug here must not end learning without a word
                    log.exception("applying events failed; retrying in %.0f s",
                                  STORE_RETRY_SECONDS)
                    await _wait(stop, STORE_RETRY_SECONDS)
                    continue
                if self._snapshot_due():
                    await self._snapshot_in_run()
                if applied:
                    await asyncio.sleep(0)  # let queries in between slices
                    continue
                self._wake.clear()
                waiter = asyncio.ensure_future(self._wake.wait())
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait(
                    {waiter, stopper},
                    timeout=IDLE_WAIT_SECONDS,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for task in (waiter, stopper):
                    task.cancel()
                if self._since_snapshot and self._snapshot_due():
                    await self._snapshot_in_run()
        finally:
            self._loop = None
            self._wake = None

    async def _snapshot_in_run(self) -> None:
        """:meth:`snapshot_off_loop`; a store that cannot even be read is a failed snapshot too
        (a write that fails is one already), never the end of learning."""
        try:
            await self.snapshot_off_loop()
        except sqlite3.Error as exc:
            self._snapshot_failed(StoreError(f"{self.store.path or 'the store'}: {exc}"))


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less if ``stop`` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _write_snapshot(path: Path, clock: Clock, seq: int, data: bytes, mac: str) -> None:
    """Store a snapshot through a connection of its own (for a worker thread)."""
    store = Store.open(path, clock=clock, migrate=False)
    try:
        with store.transaction():
            store.save_snapshot(seq, data, mac)
    finally:
        store.close()


def _compacted(event_log: EventLog, before: str, up_to_seq: int) -> None:
    removed = event_log.compact(before=before, up_to_seq=up_to_seq)
    if removed:
        log.info("compacted %d events older than %s", removed, before[:10])


def _compact_log(path: Path, clock: Clock, before: str, up_to_seq: int) -> None:
    """Compact the log through a connection of its own (for a worker thread)."""
    store = Store.open(path, clock=clock, migrate=False)
    try:
        _compacted(EventLog(store), before, up_to_seq)
    finally:
        store.close()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
