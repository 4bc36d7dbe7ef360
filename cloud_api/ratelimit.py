"""Fixed-window counters in the database, so every worker on every host sees the same counts.

One upsert per hit (plain SQL: it is on the check-in hot path, which on PostgreSQL folds the
same upsert into its single statement): a new window restarts the count at 1. Used for
per-licence agent limits and for login throttling.
"""

from __future__ import annotations

from cloud_api import prepared
from cloud_api.db import is_sqlite
from cloud_api.errors import RateLimited
from cloud_api.models import Counter

_HIT = (
    "INSERT INTO counter (key, window_start, count) VALUES ({}, {}, 1) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN counter.window_start = excluded.window_start THEN counter.count + 1 "
    "ELSE 1 END, window_start = excluded.window_start RETURNING count"
)


def window_start(now: int, window: int) -> int:
    return now - now % window


def hit(key: str, limit: int, window: int, now: int) -> int:
    """Count one event under ``key``; raise RateLimited when the window already holds ``limit``."""
    counted = add(key, window, now)
    enforce(counted, limit, window, now)
    return counted


def add(key: str, window: int, now: int) -> int:
    """Count one event under ``key``; how many the window holds now, this one included."""
    return int(prepared.run("lb_counter_hit", _HIT, (key, window_start(now, window))).fetchone()[0])


def enforce(counted: int, limit: int, window: int, now: int) -> None:
    """Raise RateLimited when ``counted`` (this hit included) is over ``limit``."""
    if counted > limit:
        wait = window_start(now, window) + window - now
        raise RateLimited(f"too many requests; try again in {wait} s", retry_after=wait)


def take_back(key: str, window: int, now: int) -> None:
    """Uncount one event :func:`add` counted in the current window (it turned out not to count:
    a sign-in attempt that succeeded)."""
    Counter.update(count=Counter.count - 1).where(
        (Counter.key == key)
        & (Counter.window_start == window_start(now, window))
        & (Counter.count > 0)
    ).execute()


def clear(key: str) -> None:
    Counter.delete().where(Counter.key == key).execute()


def prune(before: int) -> None:
    """Forget counters whose window started before ``before`` (they can only restart at 1).

    A row another transaction holds is left for a later prune: waiting for it could deadlock
    (a sign-in holds its counters while it prunes, and the other may be waiting for them).
    """
    stale = Counter.select(Counter.key).where(Counter.window_start < before)
    if not is_sqlite():  # SQLite runs one writer at a time: nothing is held by another
        stale = stale.for_update(skip_locked=True)
    Counter.delete().where(Counter.key.in_(stale)).execute()
