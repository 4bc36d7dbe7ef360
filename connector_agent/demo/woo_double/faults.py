"""Faults the double injects on request: errors, ``Retry-After``, slowness, truncated bodies."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(slots=True)
class Fault:
    """What to do to a matching request: answer ``status`` (None: answer normally), after
    ``delay`` seconds, with ``Retry-After``, or with the body cut in half (``truncate``)."""

    status: int | None
    path: str
    remaining: int
    retry_after: int | None
    delay: float
    truncate: bool


class Faults:
    """A queue of faults; the first whose ``path`` occurs in the request path is used."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def inject(
        self,
        status: int | None = None,
        *,
        path: str = "",
        count: int = 1,
        retry_after: int | None = None,
        delay: float = 0.0,
        truncate: bool = False,
    ) -> Fault:
        """Make the next ``count`` requests whose path contains ``path`` fail this way."""
        if status is not None and not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status 400-599 (got {status})")
        if count < 1 or delay < 0 or (retry_after is not None and retry_after < 0):
            raise ValueError("count must be >= 1, delay and retry_after >= 0")
        fault = Fault(status, path, count, retry_after, delay, truncate)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, path: str) -> Fault | None:
        """The fault for a request to ``path``, consuming one of its uses."""
        with self._lock:
            for fault in self._faults:
                if fault.path in path:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(f.remaining for f in self._faults)
