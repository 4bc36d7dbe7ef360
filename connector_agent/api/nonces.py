"""Nonces of accepted signed calls: checked in memory, persisted in the ``seen_nonces`` table.

Persisting them means a restart does not reopen the replay window: the book starts from the
nonces the table holds. A SQLite commit per call would cost more than the rest of a widget
request, so new nonces are written in one transaction at most ``FLUSH_AFTER_SECONDS`` after the
first of them (and on a graceful stop); a hard crash can forget only that last moment's nonces.
A nonce matters only while its call's timestamp is within the signing window, so rows older
than twice that window are pruned, at most once a minute, from memory and from the table.

What a crash forgets is closed by time instead: calls signed (in whole Unix seconds) before the
second this book was made (``not_before``) are refused, and every call whose nonce a crashed
process may have lost was signed before the crash, which is seconds before a new agent has
started and loaded its models. A live shop loses nothing by it: while the agent restarts, its
port is closed, so a call signed then failed already.
"""

from __future__ import annotations

import math
import sqlite3

from connector_agent.api.deferred import DeferredWriter
from connector_agent.store import Store
from wp_plugin_bridge.signing import MAX_SKEW_SECONDS

KEEP_SECONDS = 2 * MAX_SKEW_SECONDS
PRUNE_EVERY_SECONDS = 60.0
FLUSH_AFTER_SECONDS = 0.05


class NonceBook(DeferredWriter[list[tuple[str, float]]]):
    """``remember(nonce, expires_at)`` for :func:`wp_plugin_bridge.signing.verify`."""

    what = "nonces"

    def __init__(self, store: Store) -> None:
        super().__init__(store, FLUSH_AFTER_SECONDS)
        now = store.clock.time()
        rows = store.db.conn.execute(
            "SELECT nonce, seen_at FROM seen_nonces WHERE seen_at >= ?", [now - KEEP_SECONDS]
        )
        self._seen: dict[str, float] = {nonce: float(seen_at) for nonce, seen_at in rows}
        self._unsaved: list[tuple[str, float]] = []
        self._next_prune = now + PRUNE_EVERY_SECONDS
        #: Unix second before which no signed call is accepted (see the module's docstring)
        self.not_before = float(math.floor(now))

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
        self.schedule_flush()
        return True

    def _take(self) -> list[tuple[str, float]]:
        unsaved, self._unsaved = self._unsaved, []
        return unsaved

    def _write(self, conn: sqlite3.Connection, batch: list[tuple[str, float]]) -> None:
        conn.executemany("INSERT OR IGNORE INTO seen_nonces (nonce, seen_at) VALUES (?, ?)", batch)
        conn.execute(
            "DELETE FROM seen_nonces WHERE seen_at < ?", [self.store.clock.time() - KEEP_SECONDS]
        )

    def _put_back(self, batch: list[tuple[str, float]]) -> None:
        self._unsaved[:0] = batch

    def _prune_memory(self, now: float) -> None:
        cutoff = now - KEEP_SECONDS
        self._seen = {nonce: at for nonce, at in self._seen.items() if at >= cutoff}
        self._next_prune = now + PRUNE_EVERY_SECONDS
