"""Order anomaly scores: ``river.anomaly.HalfSpaceTrees`` on order features on fixed scales.

Features: log order total, log item count, log distinct products, log largest line quantity,
hour of day, and whether the customer is new. Each order is scored before it is learned; orders
scoring above both the threshold and a streaming quantile of past scores are kept (the highest
``max_flagged``) with their features.
"""

from __future__ import annotations

import math
import pickle
import sys
from typing import Any

from river import anomaly, stats

from online_models import snapshot as snapshot_format
from online_models.orders import Order

__all__ = ["AnomalyDetector", "order_features"]


#: decades that map a count or an amount onto [0, 1] (10 ** 7 and more → 1)
DECADES = 7.0


def _unit(value: float) -> float:
    """A non-negative amount or count on a fixed log scale in [0, 1] (no data-fitted range)."""
    return min(math.log10(1.0 + abs(value)) / DECADES, 1.0)


def order_features(order: Order, returning: bool) -> dict[str, float]:
    """Features in [0, 1], as HalfSpaceTrees requires."""
    quantities = [abs(ln.quantity) for ln in order.lines] or [0]
    return {
        "total": _unit(order.total),
        "items": _unit(sum(quantities)),
        "lines": _unit(len(order.lines)),
        "max_quantity": _unit(max(quantities)),
        "hour": order.hour / 23.0,
        "new_customer": 0.0 if returning else 1.0,
    }


class AnomalyDetector:
    """Scores orders in [0, 1] (higher = more unusual) and keeps the flagged ones.

    Examples
    --------
    >>> from online_models.orders import Line, Order
    >>> det = AnomalyDetector(n_trees=5, height=6, window=50, threshold=0.7, max_flagged=10, seed=1)
    >>> normal = [Order(f"o{i}", "completed", "c", 0.0, 0, 9 + i % 8,
    ...                 (Line("p", "", None, 2 + i % 5, 5.0), Line("q", "", None, 1, 2.0)))
    ...           for i in range(300)]
    >>> flags = [det.learn(o, returning=True) for o in normal]
    >>> spike = Order("big", "completed", "c", 0.0, 0, 3, (Line("p", "", None, 900, 5.0),))
    >>> det.score(spike, returning=False) > det.score(normal[0], returning=True)
    True
    """

    def __init__(
        self,
        n_trees: int,
        height: int,
        window: int,
        threshold: float,
        max_flagged: int,
        seed: int,
        quantile: float = 0.98,
    ) -> None:
        self.n_trees = n_trees
        self.height = height
        self.window = window
        self.threshold = threshold
        self.max_flagged = max_flagged
        self.seed = seed
        self.quantile = quantile
        self._cut = stats.Quantile(quantile)
        self._model = anomaly.HalfSpaceTrees(
            n_trees=n_trees, height=height, window_size=window, seed=seed
        )
        self._seen = 0
        self._flagged: list[dict[str, object]] = []

    # HalfSpaceTrees indexes its tree nodes twice (``trees`` and ``_tree_nodes``): that sharing
    # must survive a snapshot, which is pickled without a memo, so the trees go in as their own
    # (memoised, restricted) pickle.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_model"] = pickle.dumps(self._model, protocol=5)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({sys.intern(k): v for k, v in state.items()})
        self._model = snapshot_format.restricted_loads(state["_model"])

    def score(self, order: Order, returning: bool) -> float:
        if self._seen < self.window:
            return 0.0
        return float(self._model.score_one(order_features(order, returning)))

    def learn(self, order: Order, returning: bool) -> bool:
        """Score the order, flag it when unusual, then learn it; returns whether it was flagged.

        Flagged = a score of at least ``threshold`` and among the top ``1 - quantile`` of the
        scores seen so far (a streaming quantile), so the flag rate stays put as scores drift.
        """
        features = order_features(order, returning)
        score = self.score(order, returning)
        cut = self._cut.get()
        flagged = self._seen >= 2 * self.window and score >= max(self.threshold, cut or 0.0)
        if flagged:
            self._flag(order, score, features)
        if self._seen >= self.window:
            self._cut.update(score)
        self._model.learn_one(features)
        self._seen += 1
        return flagged

    def _flag(self, order: Order, score: float, features: dict[str, float]) -> None:
        reasons = [f"{name} {value:.2f}" for name, value in features.items() if name != "hour"]
        reasons.append(f"hour {order.hour}")
        self._flagged.append(
            {
                "order_id": order.key,
                "score": round(score, 4),
                "ts": order.timestamp,
                "reasons": reasons,
            }
        )
        if len(self._flagged) > 2 * self.max_flagged:
            self._flagged.sort(key=lambda f: (-f["score"], f["order_id"]))  # type: ignore[operator]
            del self._flagged[self.max_flagged :]

    def flagged(self, limit: int) -> list[dict[str, object]]:
        ranked = sorted(self._flagged, key=lambda f: (-f["score"], f["order_id"]))  # type: ignore[operator]
        return ranked[:limit]

    def __len__(self) -> int:
        return self._seen

    def __repr__(self) -> str:
        return f"AnomalyDetector(n_trees={self.n_trees}, height={self.height}, seen={self._seen})"
