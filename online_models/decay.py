"""Exponential decay in event time, paid for once per update instead of once per stored value.

A weight added at time ``t`` is stored multiplied by ``2 ** ((t - origin) / half_life)``. All
stored values then share one scale, so ranking them needs no decay pass at all, and the real
decayed value at time ``now`` is the stored value divided by the boost of ``now``. When boosts grow
too large the owner rescales its values and moves the origin (``rebase``), which keeps floats
finite for shops that run for decades.

>>> d = Decay(half_life_days=1.0)
>>> b0 = d.boost(0.0); b1 = d.boost(86_400.0)
>>> round(b1 / b0, 6)
2.0
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable

__all__ = ["Decay", "DecayedCounter"]

DAY = 86_400.0
#: boosts above this trigger a rebase (2 ** 200, far from float overflow at 2 ** 1024)
REBASE_ABOVE = 2.0**200
#: the largest exponent whose exp() is a finite float (exp(709.78) overflows)
MAX_EXPONENT = 709.0


def _exp(exponent: float) -> float:
    """``exp`` capped below float overflow: after a gap of over ~1,000 half-lives without an
    update the boost is the cap, so the owner rebases and old values become ~0, as they should.

    >>> _exp(10_000.0) > REBASE_ABOVE
    True
    """
    return math.exp(min(exponent, MAX_EXPONENT))


class Decay:
    """The shared time scale of a set of decayed values."""

    def __init__(self, half_life_days: float) -> None:
        self.half_life_days = half_life_days
        self._rate = math.log(2.0) / (half_life_days * DAY)
        self._origin: float | None = None

    def boost(self, ts: float) -> float:
        """The multiplier of a weight added at ``ts`` (sets the origin on first use)."""
        if self._origin is None:
            self._origin = ts
        return _exp((ts - self._origin) * self._rate)

    def peek(self, ts: float) -> float:
        """Like :meth:`boost` but never sets the origin (for read-only queries)."""
        if self._origin is None:
            return 1.0
        return _exp((ts - self._origin) * self._rate)

    def needs_rebase(self, boost: float) -> bool:
        return boost > REBASE_ABOVE

    def rebase(self, ts: float) -> float:
        """Move the origin to ``ts``; return the factor every stored value must be multiplied by."""
        factor = 1.0 / self.boost(ts)
        self._origin = ts
        return factor

    def __repr__(self) -> str:
        return f"Decay(half_life_days={self.half_life_days})"


class DecayedCounter:
    """Decayed counts per key with an always-exact top list for ranking.

    The top list holds at least ``keep`` keys; adding can only raise a value, so a key outside the
    list can enter it only when it is itself updated. A decrement (a compensating update) rebuilds
    the list.

    >>> c = DecayedCounter(half_life_days=30.0, keep=2)
    >>> for key in "abcab":
    ...     c.add(key, 1.0, 0.0)
    >>> c.top(2)
    [('a', 2.0), ('b', 2.0)]
    """

    def __init__(self, half_life_days: float, keep: int = 200) -> None:
        self.half_life_days = half_life_days
        self.keep = keep
        self._decay = Decay(half_life_days)
        self._counts: dict[str, float] = {}
        self._top: dict[str, None] = {}  # a dict, not a set: its order is deterministic
        self._floor = 0.0
        #: keys of the top list best first, until the next update (derived, not state)
        self._ranked: list[str] | None = None

    def __len__(self) -> int:
        return len(self._counts)

    def __contains__(self, key: object) -> bool:
        return key in self._counts

    def add(self, key: str, weight: float, ts: float) -> None:
        self.add_many((key,), weight, ts)

    def add_many(self, keys: Iterable[str], weight: float, ts: float) -> None:
        """:meth:`add` for several keys at one time (the boost is computed once: an order's
        products are added together). No keys, no change (not even a rebase)."""
        keys = tuple(keys)
        if not keys:
            return
        self._ranked = None
        boost = self._decay.boost(ts)
        if self._decay.needs_rebase(boost):
            self._rescale(self._decay.rebase(ts))
            boost = self._decay.boost(ts)
        counts, top = self._counts, self._top
        for key in keys:
            value = counts.get(key, 0.0) + weight * boost
            if value <= 1e-12 * boost:
                counts.pop(key, None)
                top.pop(key, None)
                self._rebuild_top()
                top = self._top
                continue
            counts[key] = value
            if weight < 0:
                self._rebuild_top()
                top = self._top
            elif key in top or value > self._floor or len(top) < self.keep:
                top[key] = None
                if len(top) > 2 * self.keep:
                    self._rebuild_top()
                    top = self._top

    def forget(self, key: str) -> None:
        self._ranked = None
        if self._counts.pop(key, None) is not None:
            self._top.pop(key, None)
            self._rebuild_top()

    def raw(self, key: str) -> float:
        """The stored (boosted) value: comparable across keys, not across time."""
        return self._counts.get(key, 0.0)

    def value(self, key: str, ts: float) -> float:
        """The decayed count of ``key`` as seen at ``ts``."""
        return self._counts.get(key, 0.0) / self._decay.peek(ts)

    def scale(self, ts: float) -> float:
        """Divide a raw value by this to get its decayed value at ``ts``."""
        return self._decay.peek(ts)

    def top(self, n: int) -> list[tuple[str, float]]:
        """The ``n`` largest (key, raw value) from the top list (ties: first come first).

        The ranking is cached until the next update: a derived value, not state (it is not
        part of a snapshot), so asking twice between two orders sorts once.
        """
        counts = self._counts
        if self._ranked is None:
            self._ranked = sorted(self._top, key=counts.__getitem__, reverse=True)
        # pairs only for the n asked (most ask for a few dozen of the hundreds ranked)
        return [(k, counts[k]) for k in self._ranked[:n]]

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_ranked": None}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update({sys.intern(k): v for k, v in state.items()})

    def _rescale(self, factor: float) -> None:
        for key in self._counts:
            self._counts[key] *= factor
        self._floor *= factor

    def _rebuild_top(self) -> None:
        counts = self._counts
        ranked = sorted(counts, key=counts.__getitem__, reverse=True)[: self.keep]
        self._top = dict.fromkeys(ranked)
        self._floor = counts[ranked[-1]] if len(ranked) >= self.keep else 0.0

    def __repr__(self) -> str:
        return f"DecayedCounter(half_life_days={self.half_life_days}, keys={len(self._counts)})"
