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
    """Running sums of named metrics; ``means()`` gives the averages over evaluated cases.

    ``keys`` are the metrics the report documents: they are always in ``means()``, 0.0 when no
    case was evaluated, so a reader of the JSON never finds a figure missing.

    >>> RankingScores(("hit_rate@10", "ndcg@10")).means()
    {'hit_rate@10': 0.0, 'ndcg@10': 0.0}
    """

    def __init__(self, keys: Sequence[str] = ()) -> None:
        self.sums: dict[str, float] = dict.fromkeys(keys, 0.0)
        self.counts: dict[str, int] = dict.fromkeys(keys, 0)

    def add(self, name: str, value: float) -> None:
        self.sums[name] = self.sums.get(name, 0.0) + value
        self.counts[name] = self.counts.get(name, 0) + 1

    def means(self) -> dict[str, float]:
        means = {}
        for name, total in self.sums.items():
            count = self.counts[name]
            means[name] = round(total / count, 4) if count else 0.0
        return means

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)
