"""Writes that the hot path defers: buffer in memory, commit in one transaction soon after.

A SQLite commit per request would cost more than a cached widget answer, so bookkeeping that
must survive a restart (nonces seen, answers served) is kept in memory and written at most
``delay`` seconds after the first unsaved item, and on a graceful stop. A hard crash can forget
only that last moment. On a store error the batch is kept and retried with the next one.

A flush may run on the event loop's thread (its timer) and on the thread that stops the agent at
once: one waits for the other, so the store is never closed under a write in progress (SQLite's
connection closed while another thread writes through it crashes the process).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from typing import Generic, TypeVar

from connector_agent.errors import StoreError
from connector_agent.store import Store

log = logging.getLogger(__name__)

Batch = TypeVar("Batch")


class DeferredWriter(Generic[Batch]):
    """Subclasses say how to take, write and put back a batch; this class says when."""

    what = "records"

    def __init__(self, store: Store, delay: float) -> None:
        self.store = store
        self.delay = delay
        self._flush_pending: asyncio.TimerHandle | None = None
        self._flushing = threading.Lock()

    # ------------------------------------------------------------ what subclasses provide

    def _take(self) -> Batch | None:
        """Remove and return the unsaved batch (None or empty when there is nothing)."""
        raise NotImplementedError

    def _write(self, conn: sqlite3.Connection, batch: Batch) -> None:
        raise NotImplementedError

    def _put_back(self, batch: Batch) -> None:
        """A write failed: keep the batch for the next flush."""
        raise NotImplementedError

    # ------------------------------------------------------------ when

    def flush(self) -> None:
        """Write the unsaved batch now, in one transaction (after a flush in progress on
        another thread, if any)."""
        with self._flushing:
            if self._flush_pending is not None:
                self._flush_pending.cancel()
                self._flush_pending = None
            batch = self._take()
            if not batch:
                return
            try:
                with self.store.transaction() as conn:
                    self._write(conn, batch)
            except StoreError as exc:
                self._put_back(batch)
                log.error("cannot persist %s: %s", self.what, exc)

    def schedule_flush(self) -> None:
        """Flush ``delay`` seconds from now (or at once outside an event loop, e.g. a script)."""
        if self._flush_pending is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._flush_pending = loop.call_later(self.delay, self.flush)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(delay={self.delay})"


__all__ = ["DeferredWriter"]
