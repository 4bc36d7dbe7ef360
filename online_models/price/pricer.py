"""Price suggestions from an online log-log demand regression on posted prices, within guardrails.

Demand is units **per day at a posted price**, not units per order line: in many shops the price
of a line depends on its quantity (wholesale tiers, bulk discounts), so regressing line quantity
on line price measures the discount schedule, not how demand answers a price (on the UCI year it
found "elastic, lower by 10 %" for ~2,000 products whose list price never moved).

So each product's sales are cut into *price regimes*: the days during which one posted price held.
A regime closes when the posted price changes; its demand is its units over its days. Consecutive
regimes of one product give a first difference (Δ log price, Δ log demand), which removes the
product's own level; the elasticity is the least-squares slope through the origin of those
differences, per product, or pooled over its category when the product has changed price too few
times. Inelastic demand (-1 < e < 0) suggests a rise, elastic demand (e < -1) a cut, each at most
``max_change`` and never below the minimum margin over cost (when the catalogue knows the cost). No
suggestion without enough price changes, or when the slope is not at least two standard errors
below 0 and away from -1: the data must say which way to move.
"""

from __future__ import annotations

import math

__all__ = ["Pricer"]

#: relative change of the posted price that starts a new regime (rounding is not a change)
MIN_PRICE_CHANGE = 0.005
#: days a regime must span to measure demand (a price held for a day says little)
MIN_REGIME_DAYS = 7
#: standard errors by which the elasticity must be below 0 and away from -1 (about 95 %)
CONFIDENCE_Z = 2.0


class _Regime:
    """Units sold at one posted price since ``start_day`` (no per-day data kept)."""

    __slots__ = ("price", "start_day", "units")

    def __init__(self, price: float, start_day: int) -> None:
        self.price = price
        self.start_day = start_day
        self.units = 0.0

    def __getstate__(self) -> tuple[float, int, float]:
        return (self.price, self.start_day, self.units)

    def __setstate__(self, state: tuple[float, int, float]) -> None:
        self.price, self.start_day, self.units = state


class _Fit:
    """Running sums of a least-squares line through the origin: slope and its standard error."""

    __slots__ = ("n", "sxx", "sxy", "syy")

    def __init__(self) -> None:
        self.n = self.sxx = self.sxy = self.syy = 0.0

    def add(self, x: float, y: float) -> None:
        self.n += 1
        self.sxx += x * x
        self.sxy += x * y
        self.syy += y * y

    def estimate(self, min_n: int) -> tuple[float, float] | None:
        """(slope, its standard error), or None with too few points."""
        n = self.n
        if n < max(min_n, 2) or self.sxx <= 0:
            return None
        slope = self.sxy / self.sxx
        residual = max(self.syy - slope * self.sxy, 0.0) / (n - 1)
        return slope, math.sqrt(residual / self.sxx)

    def __getstate__(self) -> tuple[float, ...]:
        return (self.n, self.sxx, self.sxy, self.syy)

    def __setstate__(self, state: tuple[float, ...]) -> None:
        self.n, self.sxx, self.sxy, self.syy = state


class Pricer:
    """Elasticity per product (category fallback) from posted-price changes; guarded suggestions.

    ``learn`` takes the **posted** price of the product when the order was placed (the
    catalogue's price), never the line's unit price. Days are whole event-time days.

    Examples
    --------
    >>> p = Pricer(max_change=0.1, min_margin=0.2, min_observations=3)
    >>> day = 0
    >>> for price, daily in [(1.0, 100), (1.2, 95), (0.9, 103), (1.1, 97), (1.0, 100)]:
    ...     for _ in range(7):  # a week at each price
    ...         p.learn("mug", "kitchen", price, day, daily, 1)
    ...         day += 1
    >>> s = p.suggest("mug", current=1.0, cost=None)
    >>> s["suggested"], s["change"], round(s["elasticity"], 2)
    (1.07, 0.07, -0.28)
    >>> p.suggest("mug", current=1.0, cost=0.85)["suggested"]  # margin floor 1.0625 binds
    1.07
    >>> p.suggest("mug", current=1.0, cost=0.95) is None  # floor 1.19 is beyond one 10 % step
    True
    >>> p.suggest("unknown", current=1.0, cost=None) is None
    True

    Quantity tiers do not look like elasticity: the posted price never moved, so no suggestion.

    >>> tiers = Pricer(max_change=0.1, min_margin=0.2, min_observations=3)
    >>> for day in range(60):
    ...     tiers.learn("cup", "kitchen", 2.95, day, 6, 1)    # a few at the list price,
    ...     tiers.learn("cup", "kitchen", 2.95, day, 320, 1)  # a wholesaler paid 1.90 each
    >>> tiers.suggest("cup", current=2.95, cost=None) is None
    True
    """

    def __init__(self, max_change: float, min_margin: float, min_observations: int) -> None:
        self.max_change = max_change
        self.min_margin = min_margin
        self.min_observations = min_observations
        #: per product: the open regime and the last closed one that measured demand
        self._regimes: dict[str, tuple[_Regime, tuple[float, float] | None]] = {}
        self._products: dict[str, _Fit] = {}
        self._categories: dict[str, _Fit] = {}

    def learn(
        self,
        product_id: str,
        category: str | None,
        price: float,
        day: int,
        units: float,
        sign: int,
    ) -> None:
        """Units sold (``sign`` 1) or taken back (-1) on ``day`` while ``price`` was posted."""
        if price <= 0 or units <= 0:
            return
        held = self._regimes.get(product_id)
        if held is None:
            if sign < 0:
                return
            held = self._regimes[product_id] = (_Regime(price, day), None)
        regime, previous = held
        if sign < 0 and day < regime.start_day:
            # a take-back of a sale made before the open regime began: it was counted in a
            # regime since closed (the brain passes the price posted now, not the sale's)
            return
        if abs(price / regime.price - 1.0) >= MIN_PRICE_CHANGE:
            if sign < 0:
                return  # a take-back of a sale at an older price: that regime is closed
            if day <= regime.start_day:
                regime.price = price  # changed again on the day it started: the latest holds
            else:
                measured = self._close(regime, day)
                if measured is not None:
                    if previous is not None:
                        self._add_change(product_id, category, previous, measured)
                    previous = measured
                regime = _Regime(price, day)
                self._regimes[product_id] = (regime, previous)
        regime.units = max(regime.units + sign * units, 0.0)

    @staticmethod
    def _close(regime: _Regime, end_day: int) -> tuple[float, float] | None:
        """(log price, log units per day) of a regime that ends at ``end_day``, if measurable."""
        days = end_day - regime.start_day
        if days < MIN_REGIME_DAYS or regime.units <= 0:
            return None
        return math.log(regime.price), math.log(regime.units / days)

    def _add_change(
        self,
        product_id: str,
        category: str | None,
        before: tuple[float, float],
        after: tuple[float, float],
    ) -> None:
        dx, dy = after[0] - before[0], after[1] - before[1]
        self._products.setdefault(product_id, _Fit()).add(dx, dy)
        if category:
            self._categories.setdefault(category, _Fit()).add(dx, dy)

    def elasticity(self, product_id: str, category: str | None) -> tuple[float, float, str] | None:
        """(elasticity, its standard error, "product" or "category")."""
        found = self._estimate(product_id, category)
        return found[:3] if found is not None else None

    def _estimate(
        self, product_id: str, category: str | None
    ) -> tuple[float, float, str, int] | None:
        """The product's fit, else its category's: (slope, error, level, price changes)."""
        fits = (
            ("product", self._products.get(product_id)),
            ("category", self._categories.get(category) if category else None),
        )
        for level, fit in fits:
            found = fit.estimate(self.min_observations) if fit is not None else None
            if found is not None:
                return *found, level, int(fit.n)
        return None

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
        found = self._estimate(product_id, category)
        if found is None:
            return None
        e, error, level, changes = found
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
            "reason": f"{kind} demand ({level} elasticity {e:.2f} ± {error:.2f} from "
            f"{changes} price changes): "
            f"{direction} within {self.max_change:.0%}",
        }

    def products(self) -> list[str]:
        return list(self._regimes)

    def __len__(self) -> int:
        return len(self._regimes)

    def __repr__(self) -> str:
        return f"Pricer(max_change={self.max_change}, products={len(self)})"
