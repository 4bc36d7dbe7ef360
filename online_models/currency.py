"""Orders paid in another currency, brought to the shop's own before any model counts money.

Multi-currency plugins let a customer pay in yen in a shop that prices in euros; the order then
holds yen. Counted as they are, 5,000 yen are a fortune: the customer becomes a champion of the
RFM segments and every such order an anomaly. The shop's own currency is the one most of its
orders are in; an order in any other is converted at a rate learned from the orders themselves:
what their lines cost against the products' posted prices (in the shop's currency): per order
the median ratio of its lines, averaged per currency in log space with a floor on the newest
order's weight (so the rate follows the plugin's). No exchange-rate feed is needed, and the rate
follows whatever rounding and margin the plugin applies.

>>> from online_models.orders import Line, Order
>>> def order(currency, price):
...     return Order("k", "completed", "c", 0.0, 0, 0, (Line("mug", "", None, 2, price),),
...                  currency=currency)
>>> rates = CurrencyRates()
>>> for _ in range(5):
...     _ = rates.to_shop(order("EUR", 10.0), {"mug": 10.0}.get)
>>> yen = rates.to_shop(order("JPY", 1600.0), {"mug": 10.0}.get)
>>> yen.lines[0].unit_price, yen.currency
(10.0, 'EUR')
>>> rates.to_shop(order("EUR", 8.0), {"mug": 10.0}.get).lines[0].unit_price  # a discount stays
8.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from online_models.orders import Order

__all__ = ["CurrencyRates"]

#: the weight of an order's rate in its currency's average never drops below this
MIN_WEIGHT = 0.05
#: orders in one currency before it can be the shop's (the majority of orders)
SHOP_CURRENCY_ORDERS = 5
#: a currency priced within 2% of the posted prices is counted as it is (the shop's own before
#: the majority says which that is, or one at par); further off, it is converted. (At 10%, euros
#: in a dollar shop, about 8% apart, counted at par: every such customer's spend 8% off.)
NEAR_PAR = math.log(1.02)


def _log_ratio(order: Order, posted: Callable[[str], float | None]) -> float | None:
    """The median over the order's lines of log(unit price / posted price), or None."""
    ratios = []
    for line in order.lines:
        price = posted(line.product_id)
        if line.is_choice and line.unit_price > 0 and price is not None and price > 0:
            ratios.append(math.log(line.unit_price / price))
    if not ratios:
        return None
    ratios.sort()
    middle = len(ratios) // 2
    return ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2


class CurrencyRates:
    """Orders per currency, and per foreign currency its learned rate to the shop's own."""

    def __init__(self) -> None:
        self._orders: dict[str, int] = {}
        #: currency -> [orders seen with a rate, mean log(price in it / posted price)]
        self._rates: dict[str, list[float]] = {}

    def shop_currency(self) -> str | None:
        """The currency most orders are in (ties: the first seen), once it has a few."""
        best = None
        for currency, count in self._orders.items():
            if best is None or count > self._orders[best]:
                best = currency
        if best is None or self._orders[best] < SHOP_CURRENCY_ORDERS:
            return None
        return best

    def to_shop(
        self, order: Order, posted: Callable[[str], float | None], *, new: bool = True
    ) -> Order:
        """``order`` with its money in the shop's currency; an order in the shop's currency,
        with no currency, or in one whose rate is not known yet or near par comes back as it
        is. A ``new`` order (first seen) is also counted and learned from: a later event of the
        same order (a status change, a refund) is converted without counting twice."""
        currency = order.currency
        if not currency:
            return order
        if new:
            self._orders[currency] = self._orders.get(currency, 0) + 1
        shop = self.shop_currency()
        if currency == shop:
            return order
        ratio = _log_ratio(order, posted) if new else None
        if ratio is not None:
            state = self._rates.setdefault(currency, [0.0, 0.0])
            state[0] += 1
            state[1] += max(1.0 / state[0], MIN_WEIGHT) * (ratio - state[1])
        state = self._rates.get(currency)
        if state is None or abs(state[1]) < NEAR_PAR:
            return order
        rate = math.exp(state[1])
        lines = tuple(replace(ln, unit_price=ln.unit_price / rate) for ln in order.lines)
        return replace(order, lines=lines, refunded=order.refunded / rate, currency=shop)

    def summary(self) -> dict[str, Any]:
        """``{"shop": currency or None, "rates": {other currency: rate}}``, for support."""
        shop = self.shop_currency()
        return {"shop": shop, "rates": {c: r for c, r in self.rates().items() if c != shop}}

    def rates(self) -> dict[str, float]:
        """Price in each foreign currency per unit of the shop's (as learned so far)."""
        return {currency: round(math.exp(state[1]), 6) for currency, state in self._rates.items()}

    def __getstate__(self) -> dict[str, Any]:
        return {"orders": self._orders, "rates": self._rates}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._orders, self._rates = state["orders"], state["rates"]

    def __repr__(self) -> str:
        return f"CurrencyRates(shop={self.shop_currency()!r}, rates={self.rates()})"
