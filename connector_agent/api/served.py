"""Recommendation answers served, counted in memory and written to ``usage_counters`` in batches.

The cloud bills per recommendation request, but a SQLite commit per request would cost more
than the answer itself (a cached widget answer takes ~0.4 ms), so each successful answer of a
recommendation or widget route only bumps a per-day counter here; the counts are written with
:func:`connector_agent.cloud.usage.count_served`, in one transaction, at most
``FLUSH_AFTER_SECONDS`` after the first unsaved count, and on a graceful stop. A hard crash can
forget only that last moment's counts.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

from quart import Quart, Response, request

from connector_agent.api.deferred import DeferredWriter
from connector_agent.cloud.usage import count_served
from connector_agent.store import Store

SERVED = "luxebrain.served"
#: the blueprints whose successful answers are billed as recommendation requests
COUNTED_BLUEPRINTS = frozenset({"recommendations", "widgets"})
FLUSH_AFTER_SECONDS = 1.0


class ServedCounter(DeferredWriter[Counter[str]]):
    """Per-UTC-day counts of recommendation answers not yet written to the store."""

    what = "served recommendation counts"

    def __init__(self, store: Store) -> None:
        super().__init__(store, FLUSH_AFTER_SECONDS)
        self._unsaved: Counter[str] = Counter()

    def install(self, app: Quart) -> None:
        app.after_request(self._count_response)

    async def _count_response(self, response: Response) -> Response:
        if request.blueprint in COUNTED_BLUEPRINTS and response.status_code == 200:
            self.count()
        return response

    def count(self, n: int = 1) -> None:
        """Add ``n`` answers to today's (UTC) count; written soon after."""
        self._unsaved[self.store.clock.now().date().isoformat()] += n
        self.schedule_flush()

    def _take(self) -> Counter[str]:
        unsaved, self._unsaved = self._unsaved, Counter()
        return unsaved

    def _write(self, conn: sqlite3.Connection, batch: Counter[str]) -> None:
        for day, n in sorted(batch.items()):
            count_served(self.store, day, n)

    def _put_back(self, batch: Counter[str]) -> None:
        self._unsaved.update(batch)
