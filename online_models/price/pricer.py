"""Price suggestions from an online log-log demand regression, within guardrails.

Per product (and per category as the fallback when a product has too few price points), running
sums give the least-squares slope of log(units) on log(price): the price elasticity. Inelastic
demand (-1 < e < 0) suggests a rise, elastic demand (e < -1) a cut, each at most ``max_change`` and
never below the minimum margin over cost (when the catalogue knows the cost). No suggestion when
there are too few observations, no price variation, or when the slope is not at least two
standard errors below 0 and away from -1: the data must say which way to move.
"""

from __future__ import annotations

import math

__all__ = ["Pricer"]

#: below this variance of log price there is no price experiment to learn from
MIN_LOG_PRICE_VARIANCE = 1e-4
#: standard errors by which the elasticity must be below 0 and away from -1 (about 95 %)
CONFIDENCE_Z = 2.0


class _Fit:
    """Running sums of one least-squares line: slope and its standard error, no data kept."""

    __slots__ = ("n", "sx", "sy", "sxx", "sxy", "syy")

    def __init__(self) -> None:
        self.n = self.sx = self.sy = self.sxx = self.sxy = self.syy = 0.0

    def add(self, x: float, y: float, sign: int) -> None:
        self.n += sign
        self.sx += sign * x
        self.sy += sign * y
        self.sxx += sign * x * x
        self.sxy += sign * x * y
        self.syy += sign * y * y

    def estimate(self, min_n: int) -> tuple[float, float] | None:
        """(slope, its standard error), or None with too few points or no price variation."""
        n = self.n
        if n < max(min_n, 3):
            return None
        mean_x, mean_y = self.sx / n, self.sy / n
        var_x = self.sxx / n - mean_x**2
        if var_x < MIN_LOG_PRICE_VARIANCE:
            return None
        cov = self.sxy / n - mean_x * mean_y
        slope = cov / var_x
        residual = max(self.syy / n - mean_y**2 - slope * cov, 0.0) * n / (n - 2)
        return slope, math.sqrt(residual / (n * var_x))

    def __getstate__(self) -> tuple[float, ...]:
        return (self.n, self.sx, self.sy, self.sxx, self.sxy, self.syy)

    def __setstate__(self, state: tuple[float, ...]) -> None:
        self.n, self.sx, self.sy, self.sxx, self.sxy, self.syy = state


class Pricer:
    """Elasticity per product (category fallback) and guarded suggestions.

    Examples
    --------
    >>> p = Pricer(max_change=0.1, min_margin=0.2, min_observations=4)
    >>> for price, units in [(1.0, 100), (1.2, 95), (0.9, 103), (1.1, 97)] * 3:
    ...     p.learn("mug", "kitchen", price, units, 1)
    >>> s = p.suggest("mug", current=1.0, cost=None)
    >>> s["suggested"], s["change"], round(s["elasticity"], 2)
    (1.07, 0.07, -0.29)
    >>> p.suggest("mug", current=1.0, cost=0.85)["suggested"]  # margin floor 1.0625 binds
    1.07
    >>> p.suggest("mug", current=1.0, cost=0.95) is None  # floor 1.19 is beyond one 10 % step
    True
    >>> p.suggest("unknown", current=1.0, cost=None) is None
    True
    """

    def __init__(self, max_change: float, min_margin: float, min_observations: int) -> None:
        self.max_change = max_change
        self.min_margin = min_margin
        self.min_observations = min_observations
        self._products: dict[str, _Fit] = {}
        self._categories: dict[str, _Fit] = {}

    def learn(
        self, product_id: str, category: str | None, price: float, units: int, sign: int
    ) -> None:
        if price <= 0 or units <= 0:
            return
        x, y = math.log(price), math.log(units)
        self._products.setdefault(product_id, _Fit()).add(x, y, sign)
        if category:
            self._categories.setdefault(category, _Fit()).add(x, y, sign)

    def elasticity(self, product_id: str, category: str | None) -> tuple[float, float, str] | None:
        """(elasticity, its standard error, "product" or "category")."""
        fit = self._products.get(product_id)
        found = fit.estimate(self.min_observations) if fit else None
        if found is not None:
            return *found, "product"
        fit = self._categories.get(category) if category else None
        found = fit.estimate(self.min_observations) if fit else None
        return (*found, "category") if found is not None else None

    def suggest(
        self,
        product_id: str,
        *,
        current: float | None,
        cost: float | None,
        category: str | None = None,
    ) -> dict[str, object] | None:
        if current is None or current <= 0:
            return None
        found = self.elasticity(product_id, category)
        if found is None:
            return None
        e, error, level = found
        # the data must say that demand falls with price, and on which side of unit elasticity
        # it lies: otherwise neither a rise nor a cut is supported
        if e + CONFIDENCE_Z * error >= 0 or abs(e + 1.0) < CONFIDENCE_Z * error:
            return None
        change = self.max_change * min(1.0, abs(1.0 + e)) * (1.0 if e > -1.0 else -1.0)
        low, high = current * (1.0 - self.max_change), current * (1.0 + self.max_change)
        if cost is not None and self.min_margin < 1:
            low = max(low, cost / (1.0 - self.min_margin))
        if low > high:
            return None  # the margin floor is above what one step may reach
        target = min(max(current * (1.0 + change), low), high)
        # whole cents, rounded towards the current price so the guardrails hold after rounding
        cents = math.floor(target * 100) if target >= current else math.ceil(target * 100)
        suggested = min(max(cents / 100, math.ceil(low * 100) / 100), math.floor(high * 100) / 100)
        if suggested == round(current, 2) or not low <= suggested <= high:
            return None
        kind = "inelastic" if e > -1.0 else "elastic"
        direction = "raise" if suggested > current else "lower"
        return {
            "product_id": product_id,
            "current": round(current, 2),
            "suggested": suggested,
            "change": round(suggested / current - 1.0, 4),
            "elasticity": round(e, 4),
            "reason": f"{kind} demand ({level} elasticity {e:.2f} ± {error:.2f}): {direction} "
            f"within {self.max_change:.0%}",
        }

    def products(self) -> list[str]:
        return list(self._products)

    def __len__(self) -> int:
        return len(self._products)

    def __repr__(self) -> str:
        return f"Pricer(max_change={self.max_change}, products={len(self)})"
