"""How the cloud represents time: Unix seconds in the database, ISO 8601 UTC with ``Z`` outside."""

from __future__ import annotations

from datetime import UTC, datetime

from luxebrain.clock import Clock

DAY = 86400


def now_s(clock: Clock) -> int:
    """The clock's current time in whole Unix seconds."""
    return int(clock.time())


def iso(ts: int | None) -> str | None:
    """``1767225600`` -> ``"2026-01-01T00:00:00Z"`` (``None`` stays ``None``)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
