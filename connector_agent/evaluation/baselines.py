"""The protocol's baselines, fed the same orders in the same pass as the brain.

Counts live in numpy arrays indexed by product so a query ranks the whole (small) catalogue in
microseconds; ties are broken by popularity and then by first sighting. The co-occurrence baseline
is a dense matrix: fine for evaluation catalogues of a few thousand products, not for production.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

__all__ = ["Baselines"]

DAY = 86_400.0
POPULARITY_HALF_LIFE_DAYS = 30.0
LAST_ORDERS = 3


class _Index:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.of: dict[str, int] = {}

    def get(self, product_id: str) -> int:
        idx = self.of.get(product_id)
        if idx is None:
            idx = self.of[product_id] = len(self.ids)
            self.ids.append(product_id)
        return idx


class Baselines:
    """popularity, decayed_popularity, repeat and cooccurrence, as EVALUATION.md defines them."""

    NAMES = ("popularity", "decayed_popularity", "repeat", "cooccurrence")

    def __init__(self) -> None:
        self.index = _Index()
        self.pop = np.zeros(1024)
        self.decayed = np.zeros(1024)
        self.co = np.zeros((1024, 1024), dtype=np.int32)
        self.origin: float | None = None
        self.customers: dict[str, dict[int, list[float]]] = {}
        self.last_orders: dict[str, deque[list[int]]] = {}

    def _grow(self, size: int) -> None:
        if size <= len(self.pop):
            return
        new = max(size, 2 * len(self.pop))
        self.pop = np.concatenate([self.pop, np.zeros(new - len(self.pop))])
        self.decayed = np.concatenate([self.decayed, np.zeros(new - len(self.decayed))])
        co = np.zeros((new, new), dtype=np.int32)
        co[: self.co.shape[0], : self.co.shape[1]] = self.co
        self.co = co

    def learn(self, customer_id: str | None, products: tuple[str, ...], ts: float) -> None:
        idx = [self.index.get(p) for p in products]
        self._grow(len(self.index.ids))
        ids = np.array(idx, dtype=np.intp)
        if self.origin is None:
            self.origin = ts
        boost = math.exp((ts - self.origin) * math.log(2) / (POPULARITY_HALF_LIFE_DAYS * DAY))
        self.pop[ids] += 1
        self.decayed[ids] += boost
        self.co[np.ix_(ids, ids)] += 1
        self.co[ids, ids] -= 1
        if customer_id is not None:
            items = self.customers.setdefault(customer_id, {})
            for i in idx:
                entry = items.setdefault(i, [0.0, 0.0])
                entry[0] += 1
                entry[1] = ts
            self.last_orders.setdefault(customer_id, deque(maxlen=LAST_ORDERS)).append(idx)

    # ---------------------------------------------------------------- ranking helpers

    def _rank(self, scores: np.ndarray, n: int, exclude: set[int]) -> list[str]:
        size = len(self.index.ids)
        if size == 0:
            return []
        scores = scores[:size]
        want = min(size, n + len(exclude))
        top = np.argpartition(-scores, want - 1)[:want] if want < size else np.arange(size)
        order = sorted(top.tolist(), key=lambda i: (-scores[i], i))
        return [self.index.ids[i] for i in order if i not in exclude][:n]

    def _excluded(self, exclude: set[str]) -> set[int]:
        return {self.index.of[p] for p in exclude if p in self.index.of}

    def _pad(self) -> np.ndarray:
        """Popularity scaled below 1: adds a popularity tie-break to integer counts."""
        size = len(self.index.ids)
        pop = self.pop[:size]
        return pop / (pop.max() + 1.0) if size else pop

    # ---------------------------------------------------------------- queries

    def popularity(self, n: int, exclude: set[str]) -> list[str]:
        return self._rank(self.pop, n, self._excluded(exclude))

    def decayed_popularity(self, n: int, exclude: set[str]) -> list[str]:
        return self._rank(self.decayed, n, self._excluded(exclude))

    def repeat(self, customer_id: str, n: int, exclude: set[str]) -> list[str]:
        items = self.customers.get(customer_id, {})
        ranked = sorted(items.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        out = [self.index.ids[i] for i, _ in ranked if self.index.ids[i] not in exclude][:n]
        if len(out) < n:
            taken = exclude | set(out)
            out += self.popularity(n - len(out), taken)
        return out

    def cooccurrence_for_customer(self, customer_id: str, n: int, exclude: set[str]) -> list[str]:
        orders = self.last_orders.get(customer_id)
        size = len(self.index.ids)
        scores = self._pad()
        if orders:
            rows = [i for order in orders for i in order]
            scores = self.co[rows, :size].sum(axis=0) + scores
        return self._rank(scores, n, self._excluded(exclude))

    def cooccurrence_for_item(self, anchor: str, n: int) -> list[str]:
        size = len(self.index.ids)
        scores = self._pad()
        idx = self.index.of.get(anchor)
        if idx is not None:
            scores = self.co[idx, :size] + scores
        return self._rank(scores, n, self._excluded({anchor}))
