"""Personalised scores: ``river.reco.FunkMF`` on implicit feedback with sampled negatives.

A purchase is a positive (y=1) for a few of the order's products; negatives (y=0) are drawn from a
ring of recent purchases, so popular items are drawn more often (popularity-shaped sampling, which
keeps the model from just learning popularity). Browsing teaches the same way with a lower target.
Only candidates generated elsewhere are ever scored.
"""

from __future__ import annotations

import random
from itertools import repeat
from typing import Any

import numpy as np
from river import optim, reco

__all__ = ["PersonalMF"]


class PersonalMF:
    """Implicit-feedback matrix factorisation with capped positives and sampled negatives.

    Parameters
    ----------
    n_factors, learning_rate
        Passed to ``river.reco.FunkMF`` (SGD).
    positives, negatives
        Positive lines and negatives sampled per order: the learning cost per order is bounded.
    pool
        Recent purchases that negatives are drawn from.
    seed
        The only source of randomness (sampling and initial latents).

    Examples
    --------
    >>> mf = PersonalMF(n_factors=4, learning_rate=0.1, positives=4, negatives=2, pool=50, seed=1)
    >>> for _ in range(30):
    ...     mf.learn("ann", ("tea", "cup"), 1.0)
    ...     mf.learn("bob", ("saw", "nail"), 1.0)
    >>> mf.score("ann", ["tea", "saw"])[0] > mf.score("ann", ["tea", "saw"])[1]
    True
    >>> mf.score("nobody", ["tea"])
    [0.0]
    """

    def __init__(
        self,
        n_factors: int,
        learning_rate: float,
        positives: int,
        negatives: int,
        pool: int,
        seed: int,
    ) -> None:
        self.n_factors = n_factors
        self.learning_rate = learning_rate
        self.positives = positives
        self.negatives = negatives
        self.pool = pool
        self.seed = seed
        self._rng = random.Random(seed)
        self._model = reco.FunkMF(
            n_factors=n_factors,
            optimizer=optim.SGD(learning_rate),
            initializer=optim.initializers.Normal(mu=0.0, sigma=0.1, seed=seed),
            l2=0.001,
            seed=seed,
        )
        self._ring: list[str] = []
        self._ring_pos = 0
        self._zeros = np.zeros(n_factors)

    def learn(self, customer_id: str, products: tuple[str, ...], target: float) -> None:
        if not products:
            return
        rng = self._rng
        sample = products
        if len(products) > self.positives:
            sample = tuple(rng.sample(products, self.positives))
        model = self._model
        for product_id in sample:
            model.learn_one(customer_id, product_id, target)
        if self._ring:
            own = set(products)
            for _ in range(self.negatives):
                negative = self._ring[rng.randrange(len(self._ring))]
                if negative not in own:
                    model.learn_one(customer_id, negative, 0.0)
        for product_id in sample:
            self._remember(product_id)

    def _remember(self, product_id: str) -> None:
        if len(self._ring) < self.pool:
            self._ring.append(product_id)
        else:
            self._ring[self._ring_pos] = product_id
            self._ring_pos = (self._ring_pos + 1) % self.pool

    # A snapshot holds plain lists and RNG states, not numpy objects: that keeps snapshot bytes
    # identical for equal state (numpy dtype sharing is not preserved by pickle) and lets the
    # snapshot loader refuse every numpy callable. River keeps its generators in ``_rng``.
    def __getstate__(self) -> dict[str, Any]:
        model = self._model
        kind, keys, pos, has_gauss, gauss = model.initializer._rng.get_state(legacy=True)
        return {
            "params": (
                self.n_factors,
                self.learning_rate,
                self.positives,
                self.negatives,
                self.pool,
                self.seed,
            ),
            "rng": self._rng.getstate(),
            "ring": (self._ring, self._ring_pos),
            "users": {k: v.tolist() for k, v in model.u_latents.items()},
            "items": {k: v.tolist() for k, v in model.i_latents.items()},
            "steps": (model.u_optimizer.n_iterations, model.i_optimizer.n_iterations),
            "model_rng": model._rng.getstate(),
            "init_rng": (kind, keys.tolist(), pos, has_gauss, gauss),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(*state["params"])  # type: ignore[misc]
        self._rng.setstate(state["rng"])
        self._ring, self._ring_pos = state["ring"]
        model = self._model
        model.u_latents.update({k: np.array(v) for k, v in state["users"].items()})
        model.i_latents.update({k: np.array(v) for k, v in state["items"].items()})
        model.u_optimizer.n_iterations, model.i_optimizer.n_iterations = state["steps"]
        model._rng.setstate(state["model_rng"])
        kind, keys, pos, has_gauss, gauss = state["init_rng"]
        model.initializer._rng.set_state(
            (kind, np.array(keys, dtype=np.uint32), pos, has_gauss, gauss)
        )

    def knows(self, customer_id: str) -> bool:
        return customer_id in self._model.u_latents

    def score(self, customer_id: str, products: list[str]) -> list[float]:
        """Dot products for known customer/product pairs, 0 otherwise; never adds latents.

        One matrix product over every candidate (an unknown product scores against zeros):
        no per-candidate branching in Python. The rows are joined with ``concatenate`` (the
        same matrix ``np.array`` builds from them, in 60 % of its time: a tenth of a
        customer query went here).
        """
        user = self._model.u_latents.get(customer_id)
        if user is None or not products:
            return [0.0] * len(products)
        vectors = list(map(self._model.i_latents.get, products, repeat(self._zeros)))
        return (np.concatenate(vectors).reshape(len(vectors), -1) @ user).tolist()

    def forget_customer(self, customer_id: str) -> None:
        self._model.u_latents.pop(customer_id, None)

    def stats(self) -> dict[str, int]:
        return {"mf_customers": len(self._model.u_latents), "mf_items": len(self._model.i_latents)}

    def __repr__(self) -> str:
        return (
            f"PersonalMF(n_factors={self.n_factors}, positives={self.positives}, "
            f"negatives={self.negatives}, customers={len(self._model.u_latents)})"
        )
