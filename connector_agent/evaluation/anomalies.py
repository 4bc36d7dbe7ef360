"""Injected anomalies: a documented generator and the detector's precision/recall on it.

Generator (seeded ``random.Random``): after every ``EVERY``-th completed order one anomalous copy
of it is inserted into a copy of the stream, of one of three kinds chosen at random:

* ``quantity_spike``: one line's quantity × 50;
* ``night_new_big``: placed at 03:00 by a brand-new customer with every quantity × 10;
* ``many_lines``: the order's lines repeated 6 times (a basket far larger than usual).

A separate detector (same configuration as the brain's) learns the copy; precision = injected
among flagged, recall = flagged among injected.
"""

from __future__ import annotations

import random
from dataclasses import replace

from online_models.anomaly import AnomalyDetector
from online_models.config import BrainConfig
from online_models.orders import Order

__all__ = ["AnomalyBench"]

EVERY = 50
KINDS = ("quantity_spike", "night_new_big", "many_lines")


class AnomalyBench:
    def __init__(self, config: BrainConfig, seed: int) -> None:
        self.rng = random.Random(seed)
        self.detector = AnomalyDetector(
            config.anomaly_trees,
            config.anomaly_height,
            config.anomaly_window,
            config.anomaly_threshold,
            config.max_flagged,
            seed,
            config.anomaly_quantile,
        )
        self.customers: set[str] = set()
        self.seen = 0
        self.injected = self.flagged = self.true_flags = 0

    def _inject(self, order: Order) -> Order:
        kind = self.rng.choice(KINDS)
        lines = list(order.lines)
        if kind == "quantity_spike":
            i = self.rng.randrange(len(lines))
            lines[i] = replace(lines[i], quantity=lines[i].quantity * 50)
            return replace(order, key=order.key + ":spike", lines=tuple(lines))
        if kind == "night_new_big":
            lines = [replace(ln, quantity=ln.quantity * 10) for ln in lines]
            return replace(
                order, key=order.key + ":night", hour=3, customer_id=None, lines=tuple(lines)
            )
        return replace(order, key=order.key + ":many", lines=tuple(lines * 6))

    def _learn(self, order: Order, anomalous: bool) -> None:
        returning = order.customer_id is not None and order.customer_id in self.customers
        flagged = self.detector.learn(order, returning)
        self.flagged += flagged
        self.true_flags += flagged and anomalous
        if order.customer_id is not None:
            self.customers.add(order.customer_id)

    def learn(self, order: Order) -> None:
        if not order.lines:
            return
        self._learn(order, anomalous=False)
        self.seen += 1
        if self.seen % EVERY == 0:
            self.injected += 1
            self._learn(self._inject(order), anomalous=True)

    def result(self) -> dict[str, float | int]:
        return {
            "precision": round(self.true_flags / self.flagged, 4) if self.flagged else 0.0,
            "recall": round(self.true_flags / self.injected, 4) if self.injected else 0.0,
            "injected": self.injected,
            "flagged": self.flagged,
            "threshold": self.detector.threshold,
            "quantile": self.detector.quantile,
        }
