"""Nonces of accepted signed calls: checked in memory, persisted in the ``seen_nonces`` table.

Persisting them means a restart does not reopen the replay window: the book starts from the
nonces the table holds. A SQLite commit per call would cost more than the rest of a widget
request, so new nonces are written in one transaction at most ``FLUSH_AFTER_SECONDS`` after the
first of them (and on a graceful stop); a hard crash can forget only that last moment's nonces.
A nonce matters only while its call's timestamp is within the signing window, so rows older
than twice that window are pruned, at most once a minute, from memory and from the table.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from connector_agent.store import Store
from wp_plugin_bridge.signing import MAX_SKEW_SECONDS

log = logging.getLogger(__name__)

KEEP_SECONDS = 2 * MAX_SKEW_SECONDS
PRUNE_EVERY_SECONDS = 60.0
FLUSH_AFTER_SECONDS = 0.05


class NonceBook:
    """``remember(nonce, expires_at)`` for :func:`wp_plugin_bridge.signing.verify`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        now = store.clock.time()
        rows = store.db.conn.execute(
            "SELECT nonce, seen_at FROM seen_nonces WHERE seen_at >= ?", [now - KEEP_SECONDS]
        )
        self._seen: dict[str, float] = {nonce: float(seen_at) for nonce, seen_at in rows}
        self._unsaved: list[tuple[str, float]] = []
        self._next_prune = now + PRUNE_EVERY_SECONDS
        self._flush_pending: asyncio.TimerHandle | None = None

    def remember(self, nonce: str, expires_at: float) -> bool:
        """Record ``nonce``; False when it was already seen (a replay).

        A call's timestamp may be up to the window ahead of now, so its nonce must be kept until
        ``expires_at`` <= now + 2 x window: entries are kept ``KEEP_SECONDS`` after being seen.
        """
        if nonce in self._seen:
            return False
        now = self.store.clock.time()
        self._seen[nonce] = now
        self._unsaved.append((nonce, now))
        if now >= self._next_prune:
            self._prune_memory(now)
        self._schedule_flush()
        return True

    def flush(self) -> None:
        """Write the unsaved nonces and prune old rows, in one transaction."""
        if self._flush_pending is not None:
            self._flush_pending.cancel()
            self._flush_pending = None
        if not self._unsaved:
            return
        unsaved, self._unsaved = self._unsaved, []
        try:
            with self.store.transaction() as conn:
                conn.executemany(
                    "INSERT OR IGNORE INTO seen_nonces (nonce, seen_at) VALUES (?, ?)", unsaved
                )
                conn.execute(
                    "DELETE FROM seen_nonces WHERE seen_at < ?",
                    [self.store.clock.time() - KEEP_SECONDS],
                )
        except sqlite3.Error as exc:  # kept in memory; retried with the next ones
            self._unsaved[:0] = unsaved
            log.error("cannot persist %d nonces: %s", len(unsaved), exc)

    def _schedule_flush(self) -> None:
        if self._flush_pending is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside the server (a script): write at once
            self.flush()
            return
        self._flush_pending = loop.call_later(FLUSH_AFTER_SECONDS, self.flush)

    def _prune_memory(self, now: float) -> None:
        cutoff = now - KEEP_SECONDS
        self._seen = {nonce: at for nonce, at in self._seen.items() if at >= cutoff}
        self._next_prune = now + PRUNE_EVERY_SECONDS
