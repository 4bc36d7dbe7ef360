"""What is usual for this shop: exponentially weighted mean and spread of log amounts.

The detector compares each order with these references instead of with fixed scales, so the
same configuration fits a shop selling single items and a wholesaler selling by the gross.
Per product it keeps three floats (count, mean and variance of log quantity); its memory grows
with the catalogue, never with the number of orders.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["QuantityReference", "RunningLevel", "squash"]

#: the weight of the newest value never drops below this (older habits fade)
MIN_WEIGHT = 0.05
#: standard deviations above the mean taken as "a large but normal" quantity (≈ 90th percentile)
UPPER_Z = 1.28
#: observations of a product before its own reference replaces the store-wide one
MIN_PRODUCT_OBSERVATIONS = 5


def squash(value: float, half: float) -> float:
    """Map ``value`` ≥ 0 onto [0, 1): 0 → 0, ``half`` → 0.5, large → towards 1 (negatives → 0).

    >>> squash(2.0, 2.0), squash(-1.0, 2.0), round(squash(18.0, 2.0), 2)
    (0.5, 0.0, 0.9)
    """
    if value <= 0:
        return 0.0
    return value / (value + half)


def _update(state: list[float], value: float, min_weight: float) -> None:
    """Welford-style exponentially weighted mean and variance, in place: [n, mean, var]."""
    state[0] += 1
    weight = max(1.0 / state[0], min_weight)
    delta = value - state[1]
    state[1] += weight * delta
    state[2] = (1.0 - weight) * (state[2] + weight * delta * delta)


class RunningLevel:
    """How many spreads above the shop's usual level a value is (a z-score with a floor).

    >>> level = RunningLevel()
    >>> for total in (10, 12, 9, 11, 10, 12):
    ...     level.learn(math.log1p(total))
    >>> level.z(math.log1p(11)) < 1.0 < level.z(math.log1p(500))
    True
    """

    __slots__ = ("state",)

    def __init__(self) -> None:
        self.state = [0.0, 0.0, 0.0]

    def learn(self, value: float) -> None:
        _update(self.state, value, MIN_WEIGHT / 5)

    def z(self, value: float, floor: float = 0.25) -> float:
        n, mean, var = self.state
        if n < 3:
            return 0.0
        return (value - mean) / (math.sqrt(var) + floor)

    def __getstate__(self) -> list[float]:
        return self.state

    def __setstate__(self, state: list[float]) -> None:
        self.state = state


class QuantityReference:
    """Per product, how far (in log units) a line's quantity exceeds a large-but-normal one.

    Products seen fewer than ``MIN_PRODUCT_OBSERVATIONS`` times are compared with the store's
    lines as a whole. The loops are written out: they run for every line of every order.

    >>> ref = QuantityReference()
    >>> for q in (12, 24, 12, 6, 12, 24, 12):
    ...     ref.learn([("mug", q)])
    >>> ref.largest_excess([("mug", 12)]) == 0.0, ref.largest_excess([("mug", 600)]) > 2.5
    (True, True)
    """

    def __init__(self) -> None:
        self.products: dict[str, list[float]] = {}
        self.store = [0.0, 0.0, 0.0]

    def learn(self, lines: Iterable[tuple[str, float]]) -> None:
        """Learn (product id, quantity) pairs; quantities ≤ 0 are not sales and are skipped."""
        products = self.products
        for product_id, quantity in lines:
            if quantity <= 0:
                continue
            value = math.log(quantity)
            state = products.get(product_id)
            if state is None:
                state = products[product_id] = [0.0, 0.0, 0.0]
            _update(state, value, MIN_WEIGHT)
            _update(self.store, value, MIN_WEIGHT / 5)

    def largest_excess(self, lines: Iterable[tuple[str, float]]) -> float:
        """The largest log(quantity) above its product's (or the store's) upper normal
        quantity among ``lines``; 0 when none is above."""
        store = self.store
        store_upper = store[1] + UPPER_Z * math.sqrt(store[2])
        store_known = store[0] >= MIN_PRODUCT_OBSERVATIONS
        products = self.products
        largest = 0.0
        for product_id, quantity in lines:
            if quantity <= 0:
                continue
            state = products.get(product_id)
            if state is not None and state[0] >= MIN_PRODUCT_OBSERVATIONS:
                upper = state[1] + UPPER_Z * math.sqrt(state[2])
            elif store_known:
                upper = store_upper
            else:
                continue
            excess = math.log(quantity) - upper
            if excess > largest:
                largest = excess
        return largest

    def __len__(self) -> int:
        return len(self.products)
