"""The learned customer ranker: ``river.linear_model.LogisticRegression`` over candidate features.

Prequential by construction: when an order of a customer arrives, the candidates the brain would
have shown just before are labelled (bought or not) and a few of them are learned — all of the
bought ones up to ``positives``, ``negatives`` sampled from the rest, paired (bought minus not
bought: a pairwise ranking loss, measured better than a probability per row). Until ``warmup``
orders have been learned the ranker is not ``ready`` and the hand-set blend weights rank instead.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from river import linear_model, optim

__all__ = ["LearnedBlend"]


class LearnedBlend:
    """Online logistic regression that weighs candidate features into one ranking score.

    Examples
    --------
    >>> blend = LearnedBlend(learning_rate=0.1, warmup=5, positives=4, negatives=4, seed=1)
    >>> for _ in range(200):
    ...     rows = {"a": {"buy_again": 1.0}, "b": {"popular": 1.0}, "c": {"popular": 0.2}}
    ...     blend.learn(rows, bought={"a"})
    >>> blend.ready, blend.score({"buy_again": 1.0}) > blend.score({"popular": 1.0})
    (True, True)
    """

    def __init__(
        self, learning_rate: float, warmup: int, positives: int, negatives: int, seed: int
    ) -> None:
        self.learning_rate = learning_rate
        self.warmup = warmup
        self.positives = positives
        self.negatives = negatives
        self.seed = seed
        self._rng = random.Random(seed)
        self._model = linear_model.LogisticRegression(
            optimizer=optim.SGD(learning_rate), l2=1e-5, intercept_lr=0.0
        )
        self.trained = 0

    @property
    def ready(self) -> bool:
        return self.trained >= self.warmup

    def sample(self, candidates: Iterable[str], bought: set[str]) -> list[tuple[str, bool]]:
        """The candidates to learn from for one order: (product, bought), or none when the order
        bought all or none of them (nothing to tell apart)."""
        candidates = list(candidates)
        hits = [p for p in candidates if p in bought]
        misses = [p for p in candidates if p not in bought]
        if not hits or not misses:
            return []
        rng = self._rng
        if len(hits) > self.positives:
            hits = rng.sample(hits, self.positives)
        if len(misses) > self.negatives:
            misses = rng.sample(misses, self.negatives)
        return [(p, True) for p in hits] + [(p, False) for p in misses]

    def learn(self, rows: dict[str, dict[str, float]], bought: set[str]) -> None:
        """Learn one order: sample its candidates and take one SGD step on each."""
        self.learn_sample([(rows[p], label) for p, label in self.sample(rows, bought)])

    def learn_sample(self, sample: list[tuple[dict[str, float], bool]]) -> None:
        """One SGD step per (bought, not bought) pair on their feature difference: the ranker
        only has to order the candidates of one list, so it learns which of two to put first
        (pairwise, like BPR) rather than an absolute purchase probability per row."""
        hits = [row for row, label in sample if label]
        misses = [row for row, label in sample if not label]
        if not hits or not misses:
            return
        learn = self._model.learn_one
        for i, miss in enumerate(misses):
            hit = hits[i % len(hits)]
            # alternate the pair's order so both classes are seen (the model has no intercept)
            first, second = (hit, miss) if i % 2 == 0 else (miss, hit)
            # features in row order (not a set's, whose order changes with the process's string
            # hash seed): the SGD step's float sums then do not, so a replay is bit-identical
            diff = dict(first)
            for f, x in second.items():
                diff[f] = diff.get(f, 0.0) - x
            learn(diff, i % 2 == 0)
        self.trained += 1

    def choose_to_train(self, share: float) -> bool:
        """Whether to learn from this order (a seeded draw: a share of orders is enough)."""
        return self._rng.random() < share

    def choose(self, items: tuple[str, ...]) -> str:
        """One of ``items`` at random (the seeded generator of this blend)."""
        return items[self._rng.randrange(len(items))]

    def score(self, row: dict[str, float]) -> float:
        """The logit (ranking by it equals ranking by probability; no River call per item)."""
        weights = self._model.weights
        return self._model.intercept + sum(weights.get(f, 0.0) * x for f, x in row.items())

    def coefficients(self) -> tuple[dict[str, float], float]:
        """(weights, intercept): to score many rows without a call per row."""
        return self._model.weights, self._model.intercept

    def weights(self) -> dict[str, float]:
        return {f: round(w, 4) for f, w in sorted(self._model.weights.items())}

    def __repr__(self) -> str:
        return f"LearnedBlend(learning_rate={self.learning_rate}, trained={self.trained})"
