"""Fixed-window counters in the database, so every worker on every host sees the same counts.

One upsert per hit (plain SQL: it is on the check-in hot path): a new window restarts the
count at 1. Used for per-licence agent limits and
for login throttling.
"""

from __future__ import annotations

from cloud_api import prepared
from cloud_api.errors import RateLimited
from cloud_api.models import Counter

_HIT = (
    "INSERT INTO counter (key, window_start, count) VALUES ({}, {}, 1) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN counter.window_start = excluded.window_start THEN counter.count + 1 "
    "ELSE 1 END, window_start = excluded.window_start RETURNING count"
)


def _window_start(now: int, window: int) -> int:
    return now - now % window


def hit(key: str, limit: int, window: int, now: int) -> int:
    """Count one event under ``key``; raise RateLimited when the window already holds ``limit``."""
    start = _window_start(now, window)
    count = prepared.run("lb_counter_hit", _HIT, (key, start)).fetchone()[0]
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
