"""Nonces of accepted signed calls, kept in the store's ``seen_nonces`` table.

Persisting them (rather than holding them in memory) means a restart does not reopen the replay
window. A nonce is only useful while its call's timestamp is within the signing window, so rows
older than twice that window are pruned, at most once a minute.
"""

from __future__ import annotations

import sqlite3

from connector_agent.errors import StoreError
from connector_agent.store import Store
from wp_plugin_bridge.signing import MAX_SKEW_SECONDS

KEEP_SECONDS = 2 * MAX_SKEW_SECONDS
PRUNE_EVERY_SECONDS = 60.0


class NonceBook:
    """``remember(nonce, expires_at)`` for :func:`wp_plugin_bridge.signing.verify`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._next_prune = 0.0

    def remember(self, nonce: str, expires_at: float) -> bool:
        """Record ``nonce``; False when it was already seen (a replay).

        A call's timestamp may be up to the window ahead of now, so its nonce must be kept until
        ``expires_at`` ≤ now + 2 × window: rows are kept ``KEEP_SECONDS`` after they were seen.
        """
        now = self.store.clock.time()
        try:
            with self.store.transaction() as conn:
                if now >= self._next_prune:
                    conn.execute("DELETE FROM seen_nonces WHERE seen_at < ?", [now - KEEP_SECONDS])
                    self._next_prune = now + PRUNE_EVERY_SECONDS
                inserted = conn.execute(
                    "INSERT OR IGNORE INTO seen_nonces (nonce, seen_at) VALUES (?, ?)", [nonce, now]
                ).rowcount
        except sqlite3.Error as exc:
            raise StoreError(f"cannot record the call's nonce ({exc})") from None
        return inserted == 1
