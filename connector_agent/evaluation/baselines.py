"""The protocol's baselines, fed the same orders in the same pass as the brain.

Counts live in numpy arrays indexed by product so a query ranks the whole catalogue in
microseconds; ties are broken by popularity and then by first sighting. Co-occurrence counts are
sparse (:class:`CoCounts`): memory grows with the pairs bought together, not with the catalogue
squared (a dense matrix of a shop with 20,000 product ids would take gigabytes).
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


class CoCounts:
    """In how many orders each pair of items was bought together, row by row.

    Row ``i`` is two int32 arrays sorted by item: the items bought with ``i`` and the counts.
    Memory is 8 bytes per pair each way, however large the catalogue. Learning an order finds
    its pairs in each of its items' rows by binary search and merges the new ones in.
    """

    def __init__(self) -> None:
        self.items: list[np.ndarray] = []
        self.counts: list[np.ndarray] = []

    def learn(self, idx: list[int]) -> None:
        """Count one order's items (indices) bought together; an item repeated counts once."""
        order = np.array(sorted(set(idx)), dtype=np.int32)
        while len(self.items) <= max(idx, default=-1):
            self.items.append(np.zeros(0, dtype=np.int32))
            self.counts.append(np.zeros(0, dtype=np.int32))
        k = len(order)
        if k < 2:
            return
        # row r of ``others``: the order's items but its r-th (still sorted), built in one step
        others = np.broadcast_to(order, (k, k))[~np.eye(k, dtype=bool)].reshape(k, k - 1)
        for i, row in zip(order.tolist(), others, strict=True):
            self._add(i, row)

    def _add(self, i: int, others: np.ndarray) -> None:
        """Add 1 to row ``i`` at ``others`` (sorted, distinct), merging in the pairs it lacks."""
        items, counts = self.items[i], self.counts[i]
        if len(items):
            at = np.searchsorted(items, others)
            known = items.take(at, mode="clip") == others
            if known.all():  # the usual case once the shop has some history
                counts[at] += 1
                return
            counts[at[known]] += 1
            others = others[~known]
        merged = np.concatenate((items, others))
        by_item = merged.argsort(kind="stable")
        self.items[i] = merged[by_item]
        self.counts[i] = np.concatenate((counts, np.ones(len(others), dtype=np.int32)))[by_item]

    def rows(self, rows: list[int], size: int) -> np.ndarray:
        """The sum of the rows (a row listed twice counts twice), dense over ``size`` items."""
        if not rows:
            return np.zeros(size)
        items = np.concatenate([self.items[r] for r in rows])
        counts = np.concatenate([self.counts[r] for r in rows])
        # float64 sums of integers below 2**53 are exact: the values an integer sum would give
        return np.bincount(items, weights=counts, minlength=size)


class Baselines:
    """popularity, decayed_popularity, repeat and cooccurrence, as EVALUATION.md defines them."""

    NAMES = ("popularity", "decayed_popularity", "repeat", "cooccurrence")

    def __init__(self) -> None:
        self.index = _Index()
        self.pop = np.zeros(1024)
        self.decayed = np.zeros(1024)
        self.co = CoCounts()
        self.origin: float | None = None
        self.customers: dict[str, dict[int, list[float]]] = {}
        self.last_orders: dict[str, deque[list[int]]] = {}
        #: orders learned so far, and (customer, orders learned) → their summed rows
        self.learned = 0
        self._memo: tuple[tuple[str, int], np.ndarray] | None = None

    def _grow(self, size: int) -> None:
        if size <= len(self.pop):
            return
        new = max(size, 2 * len(self.pop))
        self.pop = np.concatenate([self.pop, np.zeros(new - len(self.pop))])
        self.decayed = np.concatenate([self.decayed, np.zeros(new - len(self.decayed))])

    def learn(self, customer_id: str | None, products: tuple[str, ...], ts: float) -> None:
        idx = [self.index.get(p) for p in products]
        self._grow(len(self.index.ids))
        ids = np.array(idx, dtype=np.intp)
        if self.origin is None:
            self.origin = ts
        boost = math.exp((ts - self.origin) * math.log(2) / (POPULARITY_HALF_LIFE_DAYS * DAY))
        self.pop[ids] += 1
        self.decayed[ids] += boost
        self.co.learn(idx)
        self.learned += 1
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
        scores = self._pad()
        if orders:
            scores = self._customer_counts(customer_id, orders) + scores
        return self._rank(scores, n, self._excluded(exclude))

    def _customer_counts(self, customer_id: str, orders: deque[list[int]]) -> np.ndarray:
        """The summed co-occurrence rows of the customer's last orders, kept until the next
        learn: the replay asks about one customer twice in a row (top 20, then explore)."""
        key = (customer_id, self.learned)
        if self._memo is None or self._memo[0] != key:
            rows = [i for order in orders for i in order]
            self._memo = (key, self.co.rows(rows, len(self.index.ids)))
        return self._memo[1]

    def cooccurrence_for_item(self, anchor: str, n: int) -> list[str]:
        size = len(self.index.ids)
        scores = self._pad()
        idx = self.index.of.get(anchor)
        if idx is not None:
            scores = self.co.rows([idx], size) + scores
        return self._rank(scores, n, self._excluded({anchor}))
