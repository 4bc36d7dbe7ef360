"""Popular and trending items: exponentially decayed order counts, store-wide and per category."""

from __future__ import annotations

from online_models.decay import DecayedCounter
from online_models.orders import Order

__all__ = ["Popularity"]


class Popularity:
    """Decayed counts of orders containing each product, store-wide and per category.

    Parameters
    ----------
    half_life_days
        How fast old orders stop counting, in event time.
    keep
        Length of the exact top list kept per counter (queries never sort the catalogue).

    Examples
    --------
    >>> from online_models.orders import Line, Order
    >>> def order(ts, *ids):
    ...     lines = tuple(Line(i, i, "mugs", 1, 1.0) for i in ids)
    ...     return Order("k", "completed", None, ts, 0, 0, lines)
    >>> pop = Popularity(half_life_days=1.0)
    >>> pop.learn_order(order(0.0, "a", "b"), ("a", "b"), 1)
    >>> pop.learn_order(order(86_400.0, "b"), ("b",), 1)
    >>> [k for k, _ in pop.top(2)]
    ['b', 'a']
    >>> round(pop.value("a", 86_400.0), 3)
    0.5
    """

    def __init__(self, half_life_days: float, keep: int = 200) -> None:
        self.half_life_days = half_life_days
        self.keep = keep
        self._all = DecayedCounter(half_life_days, keep)
        self._by_category: dict[str, DecayedCounter] = {}

    def learn_order(self, order: Order, products: tuple[str, ...], sign: int) -> None:
        weight, ts = float(sign), order.timestamp
        self._all.add_many(products, weight, ts)
        categories = {ln.product_id: ln.category for ln in order.lines}
        by_category: dict[str, list[str]] = {}
        for product_id in products:
            category = categories.get(product_id)
            if category:
                by_category.setdefault(category, []).append(product_id)
        for category, members in by_category.items():
            counter = self._by_category.get(category)
            if counter is None:
                counter = self._by_category[category] = DecayedCounter(
                    self.half_life_days, self.keep
                )
            counter.add_many(members, weight, ts)

    def top(self, n: int, category: str | None = None) -> list[tuple[str, float]]:
        """(product, raw score) best first; raw scores compare only within one counter."""
        if category is None:
            return self._all.top(n)
        counter = self._by_category.get(category)
        return counter.top(n) if counter else []

    def raw(self, product_id: str) -> float:
        return self._all.raw(product_id)

    def value(self, product_id: str, ts: float) -> float:
        return self._all.value(product_id, ts)

    def __len__(self) -> int:
        return len(self._all)

    def __repr__(self) -> str:
        return (
            f"Popularity(half_life_days={self.half_life_days}, products={len(self._all)}, "
            f"categories={len(self._by_category)})"
        )
