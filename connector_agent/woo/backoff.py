"""How long to wait before retrying a WooCommerce call: exponential, jittered, Retry-After aware."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from luxebrain.digits import is_digits

#: Never sleep longer than this on a server's say-so (a misconfigured Retry-After).
RETRY_AFTER_CAP_SECONDS = 600.0


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if is_digits(value):
        return min(float(value), RETRY_AFTER_CAP_SECONDS)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(when.timestamp() - now, 0.0), RETRY_AFTER_CAP_SECONDS)


@dataclass(frozen=True)
class Backoff:
    """Delay before retry ``attempt`` (0-based): ``base * 2**attempt``, capped, full-ish jitter.

    The jitter keeps half the delay and randomises the other half, so many agents throttled at
    once do not come back in step, and a wait is never shorter than half the schedule. A server's
    ``Retry-After`` replaces the schedule: it knows when it will take requests again.
    """

    base: float = 1.0
    cap: float = 60.0
    rng: Callable[[], float] = field(default=random.random, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return retry_after
        scheduled = min(self.cap, self.base * (2**attempt))
        return scheduled * (0.5 + 0.5 * self.rng())
