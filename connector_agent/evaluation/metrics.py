"""Ranking metrics of the protocol (binary relevance) and their running means."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["RankingScores", "hit_rate", "ndcg", "percentile", "recall"]

_DISCOUNT = [1.0 / math.log2(r + 2) for r in range(100)]


def hit_rate(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return 1.0 if any(p in relevant for p in ranked[:k]) else 0.0


def ndcg(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """DCG over the top ``k`` ÷ the DCG of min(|relevant|, k) hits.

    >>> round(ndcg(["a", "x", "b"], {"a", "b"}, 10), 4)
    0.9197
    """
    dcg = sum(_DISCOUNT[r] for r, p in enumerate(ranked[:k]) if p in relevant)
    ideal = sum(_DISCOUNT[: min(len(relevant), k)])
    return dcg / ideal if ideal else 0.0


def recall(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0 for no values): what every timing report prints.

    >>> percentile([5.0, 1.0, 3.0, 2.0], 0.5), percentile([1.0, 2.0], 0.99), percentile([], 0.5)
    (3.0, 2.0, 0.0)
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


class RankingScores:
    """Running sums of named metrics; ``means()`` gives the averages over evaluated cases."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def add(self, name: str, value: float) -> None:
        self.sums[name] = self.sums.get(name, 0.0) + value
        self.counts[name] = self.counts.get(name, 0) + 1

    def means(self) -> dict[str, float]:
        return {k: round(self.sums[k] / self.counts[k], 4) for k in self.sums}

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)
