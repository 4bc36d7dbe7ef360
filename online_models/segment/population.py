"""Quantiles of the customers as they are now: a bucketed count that values can leave.

A streaming quantile estimator (``river.stats.Quantile``) fed every change of a customer's value
describes the history of updates, where a customer with fifty orders was counted fifty times on
the way. RFM cuts should describe the customers as they are now, like a batch RFM over the same
customers. A customer's value moves from one bucket to another, so each customer counts once;
memory is one integer per occupied bucket (bounded by the bucket width, never by customers).
"""

from __future__ import annotations

import math
from bisect import bisect_right

__all__ = ["Population"]


class Population:
    """Counts of current values per bucket, with quantile cut points.

    ``width`` is the bucket width: 1 keeps integers exact (order counts), a day keeps times to
    the day; ``log=True`` buckets on a signed log scale (money: 1 % wide buckets at width 0.01).

    Examples
    --------
    >>> orders = Population(width=1.0)
    >>> for n in (1, 1, 1, 2, 2, 3, 5, 8, 13, 21):
    ...     orders.add(n)
    >>> orders.cuts((0.2, 0.4, 0.6, 0.8))
    [1.0, 2.0, 5.0, 13.0]
    >>> orders.move(21, 1)   # a customer's value changed: counted once, at its new value
    >>> orders.cuts((0.2, 0.4, 0.6, 0.8)), len(orders)
    ([1.0, 2.0, 3.0, 8.0], 10)
    """

    def __init__(self, width: float, *, log: bool = False) -> None:
        self.width = width
        self.log = log
        self.counts: dict[int, int] = {}
        self.total = 0
        #: cut points memoised until the next change (derived data, not in a snapshot)
        self._cuts: dict[tuple[float, ...], list[float]] = {}

    def bucket(self, value: float) -> int:
        if self.log:
            value = math.copysign(math.log1p(abs(value)), value)
        return math.floor(value / self.width)

    def _value(self, bucket: int) -> float:
        """The bucket's lower edge, on the original scale."""
        edge = bucket * self.width
        if self.log:
            return math.copysign(math.expm1(abs(edge)), edge)
        return edge

    def add(self, value: float) -> None:
        bucket = self.bucket(value)
        self.counts[bucket] = self.counts.get(bucket, 0) + 1
        self.total += 1
        self._cuts = {}

    def remove(self, value: float) -> None:
        bucket = self.bucket(value)
        left = self.counts.get(bucket, 0) - 1
        if left < 0:
            return
        if left:
            self.counts[bucket] = left
        else:
            del self.counts[bucket]
        self.total -= 1
        self._cuts = {}

    def move(self, old: float, new: float) -> None:
        if self.bucket(old) != self.bucket(new):
            self.remove(old)
            self.add(new)

    def cuts(self, quantiles: tuple[float, ...]) -> list[float]:
        """The value at rank ``int(q * n)`` of the sorted values for each ``q`` (as a batch
        quintile cut does), as its bucket's lower edge; all 0 while empty."""
        known = self._cuts.get(quantiles)
        if known is not None:
            return known
        if not self.total:
            return [0.0] * len(quantiles)
        ranks = [min(int(q * self.total), self.total - 1) for q in quantiles]
        found: list[float] = []
        seen = 0
        i = 0
        for bucket in sorted(self.counts):
            seen += self.counts[bucket]
            while i < len(ranks) and ranks[i] < seen:
                found.append(self._value(bucket))
                i += 1
        self._cuts[quantiles] = found
        return found

    def score(self, quantiles: tuple[float, ...], value: float) -> int:
        """1 + how many cut points the value's bucket reaches (1 … len(quantiles) + 1)."""
        return self.score_bucket(quantiles, self.bucket(value))

    def score_bucket(self, quantiles: tuple[float, ...], bucket: int) -> int:
        """:meth:`score` of any value in ``bucket``."""
        return 1 + bisect_right(self.cuts(quantiles), self._value(bucket))

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_cuts": {}}

    def __len__(self) -> int:
        return self.total
