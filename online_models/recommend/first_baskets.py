"""The shop's latest first orders, indexed by product: what a list for a new customer covers.

A customer with no history of their own gets the shop's lists (popular, trending, what first
orders hold), and those lists are stacked with items bought together: when one misses, the others
miss with it. Covering the baskets of the latest first orders (``coverage.cover_held``) picks a
list that reaches more kinds of first order. Full UCI year, next-basket HitRate@10 of first
orders 0.5612 -> 0.5718 with the last 300 (1,000: 0.5732 for twice the query cost; 2,000:
0.5716).

A query must not read a thousand baskets (that costs about 2 ms), so the baskets holding each
product are indexed as they are learned; a query looks up only its few dozen candidates.
Memory: ``keep`` baskets of at most ``max_basket_items`` ids, and their index.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from online_models.orders import Order
from online_models.packing import pack_baskets, unpack_baskets

__all__ = ["FirstBaskets"]

Basket = tuple[str, ...]


class FirstBaskets:
    """The baskets of the last ``keep`` first orders of customers, and which hold each product.

    Examples
    --------
    >>> from online_models.orders import Order
    >>> def o(customer):
    ...     return Order("k", "completed", customer, 0.0, 0, 0, ())
    >>> fb = FirstBaskets(keep=2, max_basket_items=3)
    >>> fb.learn_order(o("ann"), ("tea", "cup"), 1)
    >>> fb.learn_order(o("bob"), ("tea", "jam"), 1)
    >>> def held(products):
    ...     return {p: list(serials) for p, serials in fb.holding(products).items()}
    >>> held(["tea", "jam", "saw"])
    {'tea': [0, 1], 'jam': [1]}
    >>> fb.learn_order(o("cy"), ("cup",), 1)  # the oldest (ann's) goes
    >>> held(["tea", "cup"])
    {'tea': [1], 'cup': [2]}
    >>> fb.forget_customer("bob"); held(["tea", "cup"])
    {'cup': [2]}
    """

    def __init__(self, keep: int, max_basket_items: int) -> None:
        self.keep = keep
        self.max_basket_items = max_basket_items
        self._next = 0
        #: serial -> (customer, basket), oldest first
        self._baskets: dict[int, tuple[str, Basket]] = {}
        #: customer -> the serial of their first order's basket (while it is held)
        self._serial_of: dict[str, int] = {}
        #: product -> serials of the baskets holding it, oldest first (derived, not state)
        self._holding: dict[str, dict[int, None]] = {}

    def learn_order(self, order: Order, products: Basket, sign: int) -> None:
        """Learn a customer's first order (``sign`` > 0), or forget it when it is reversed."""
        customer = order.customer_id
        basket = products[: self.max_basket_items]
        if customer is None or not basket:
            return
        if sign < 0:
            serial = self._serial_of.get(customer)
            if serial is not None and self._baskets[serial][1] == basket:
                self._drop(serial)
            return
        if customer in self._serial_of:  # a customer forgotten and back: their newer first order
            self._drop(self._serial_of[customer])
        serial = self._next
        self._next += 1
        self._add(serial, customer, basket)
        if len(self._baskets) > self.keep:
            self._drop(next(iter(self._baskets)))

    def forget_customer(self, customer_id: str) -> None:
        serial = self._serial_of.get(customer_id)
        if serial is not None:
            self._drop(serial)

    def holding(self, products: Iterable[str]) -> dict[str, Collection[int]]:
        """For each of ``products`` held in some basket, the serials of those baskets, oldest
        first (live views of the index: read them before learning more, never change them)."""
        index = self._holding
        found: dict[str, Collection[int]] = {}
        for product_id in products:
            serials = index.get(product_id)
            if serials:
                found[product_id] = serials.keys()
        return found

    def __len__(self) -> int:
        return len(self._baskets)

    def _add(self, serial: int, customer: str, basket: Basket) -> None:
        self._baskets[serial] = (customer, basket)
        self._serial_of[customer] = serial
        index = self._holding
        for product_id in basket:
            serials = index.get(product_id)
            if serials is None:
                index[product_id] = {serial: None}
            else:
                serials[serial] = None

    def _drop(self, serial: int) -> None:
        customer, basket = self._baskets.pop(serial)
        del self._serial_of[customer]
        index = self._holding
        for product_id in basket:
            serials = index[product_id]
            del serials[serial]
            if not serials:
                del index[product_id]

    # ------------------------------------------------------------------ snapshot

    def __getstate__(self) -> dict[str, Any]:
        return {
            "keep": self.keep,
            "max_basket_items": self.max_basket_items,
            "next": self._next,
            "serials": list(self._baskets),
            "customers": [customer for customer, _ in self._baskets.values()],
            "baskets": pack_baskets([basket for _, basket in self._baskets.values()]),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.keep = state["keep"]
        self.max_basket_items = state["max_basket_items"]
        self._next = state["next"]
        self._baskets, self._serial_of, self._holding = {}, {}, {}
        baskets = unpack_baskets(state["baskets"])
        for serial, customer, basket in zip(
            state["serials"], state["customers"], baskets, strict=True
        ):
            self._add(serial, customer, basket)

    def __repr__(self) -> str:
        return f"FirstBaskets(keep={self.keep}, baskets={len(self)})"
