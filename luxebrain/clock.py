"""The one clock. Code that needs wall time takes a ``Clock``; tests pass a ``FrozenClock``.

Models never use a clock: their time is the events' ``occurred_at``.

>>> from datetime import UTC, datetime
>>> c = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
>>> c.iso()
'2026-01-01T00:00:00Z'
>>> c.advance(90); c.iso()
'2026-01-01T00:01:30Z'
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def time(self) -> float: ...

    def monotonic(self) -> float: ...

    def iso(self) -> str: ...


class SystemClock:
    """Wall time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def iso(self) -> str:
        return self.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def __repr__(self) -> str:
        return "SystemClock()"


class FrozenClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._mono = 0.0

    def now(self) -> datetime:
        return self._now

    def time(self) -> float:
        return self._now.timestamp()

    def monotonic(self) -> float:
        return self._mono

    def iso(self) -> str:
        return self._now.strftime("%Y-%m-%dT%H:%M:%SZ")

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def __repr__(self) -> str:
        return f"FrozenClock({self.iso()})"
