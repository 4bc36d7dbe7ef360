"""Fixed-window counters in the database, so every worker on every host sees the same counts.

One upsert per hit: a new window restarts the count at 1. Used for per-licence agent limits and
for login throttling.
"""

from __future__ import annotations

import peewee

from cloud_api.errors import RateLimited
from cloud_api.models import Counter


def _window_start(now: int, window: int) -> int:
    return now - now % window


def hit(key: str, limit: int, window: int, now: int) -> int:
    """Count one event under ``key``; raise RateLimited when the window already holds ``limit``."""
    start = _window_start(now, window)
    Counter.insert(key=key, window_start=start, count=1).on_conflict(
        conflict_target=[Counter.key],
        update={
            Counter.count: peewee.Case(
                None, [(Counter.window_start == start, Counter.count + 1)], 1
            ),
            Counter.window_start: start,
        },
    ).execute()
    count = Counter.select(Counter.count).where(Counter.key == key).scalar()
    if count > limit:
        raise RateLimited(
            f"too many requests; try again in {start + window - now} s",
            retry_after=start + window - now,
        )
    return int(count)


def count(key: str, window: int, now: int) -> int:
    """How many hits ``key`` has in the current window (without counting one)."""
    row = Counter.get_or_none(Counter.key == key)
    if row is None or row.window_start != _window_start(now, window):
        return 0
    return int(row.count)


def clear(key: str) -> None:
    Counter.delete().where(Counter.key == key).execute()
