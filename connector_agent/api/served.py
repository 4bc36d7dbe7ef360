"""Recommendation answers served, counted in memory and written to ``usage_counters`` in batches.

The cloud bills per recommendation request, but a SQLite commit per request would cost more
than the answer itself (a cached widget answer takes ~0.4 ms), so each successful answer of a
recommendation or widget route only bumps a per-day counter here; the counts are written with
:func:`connector_agent.cloud.usage.count_served`, in one transaction, at most
``FLUSH_AFTER_SECONDS`` after the first unsaved count, and on a graceful stop. A hard crash can
forget only that last moment's counts.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import Counter

from quart import Quart, Response, request

from connector_agent.cloud.usage import count_served
from connector_agent.store import Store

log = logging.getLogger(__name__)

SERVED = "luxebrain.served"
#: the blueprints whose successful answers are billed as recommendation requests
COUNTED_BLUEPRINTS = frozenset({"recommendations", "widgets"})
FLUSH_AFTER_SECONDS = 1.0


class ServedCounter:
    """Per-UTC-day counts of recommendation answers not yet written to the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._unsaved: Counter[str] = Counter()
        self._flush_pending: asyncio.TimerHandle | None = None

    def install(self, app: Quart) -> None:
        app.after_request(self._count_response)

    async def _count_response(self, response: Response) -> Response:
        if request.blueprint in COUNTED_BLUEPRINTS and response.status_code == 200:
            self.count()
        return response

    def count(self, n: int = 1) -> None:
        """Add ``n`` answers to today's (UTC) count; written soon after."""
        self._unsaved[self.store.clock.now().date().isoformat()] += n
        self._schedule_flush()

    def flush(self) -> None:
        """Write the unsaved counts in one transaction; kept for the next flush on error."""
        if self._flush_pending is not None:
            self._flush_pending.cancel()
            self._flush_pending = None
        if not self._unsaved:
            return
        unsaved, self._unsaved = self._unsaved, Counter()
        try:
            with self.store.transaction():
                for day, n in sorted(unsaved.items()):
                    count_served(self.store, day, n)
        except sqlite3.Error as exc:
            self._unsaved.update(unsaved)
            log.error("cannot persist %d served recommendations: %s", unsaved.total(), exc)

    def _schedule_flush(self) -> None:
        if self._flush_pending is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # counted outside the server (a script): write at once
            self.flush()
            return
        self._flush_pending = loop.call_later(FLUSH_AFTER_SECONDS, self.flush)
