"""Buy again: what each customer bought, how often and how recently, plus their last baskets."""

from __future__ import annotations

from collections import deque
from operator import itemgetter

from online_models.decay import Decay
from online_models.orders import Order
from online_models.packing import pack_baskets, pack_rows, unpack_baskets, unpack_rows

__all__ = ["RepeatPurchases"]

#: baskets remembered per customer (the co-purchase ranker looks at these)
RECENT_BASKETS = 3
#: numbers kept per (customer, product), see ``_History.items``
WIDTH = 5
_SCORE, _LAST = itemgetter(0), itemgetter(2)


def _best_first(item: tuple[str, tuple[float, ...]]) -> tuple[float, float, str]:
    """Sort key of a history item: highest decayed score, then the more recent, then by id."""
    product_id, entry = item
    return -entry[0], -entry[2], product_id


def _spent(order: Order) -> dict[str, float]:
    """Money spent per product on the lines the customer chose (quantity x unit price)."""
    spent: dict[str, float] = {}
    for line in order.lines:
        if line.is_choice and line.quantity > 0:
            spent[line.product_id] = spent.get(line.product_id, 0.0) + (
                line.quantity * line.unit_price
            )
    return spent


class _History:
    __slots__ = ("items", "baskets", "orders", "last_ts", "since")

    def __init__(self, since: float = 0.0) -> None:
        #: product -> (decayed orders (raw), orders, last purchase time, first purchase time,
        #: money spent on it, net of take-backs, in the shop's currency): tuples, replaced on
        #: update, so the cyclic GC untracks them (and then this dict) on their first
        #: collection; mutable lists, ~290,000 on the UCI year, were rescanned by every
        #: older-generation collection, a pause that landed on whatever ran then
        self.items: dict[str, tuple[float, ...]] = {}
        self.baskets: deque[tuple[str, ...]] = deque(maxlen=RECENT_BASKETS)
        self.orders = 0
        self.last_ts = 0.0
        #: when its earliest order learned was made: an order older than that was learned
        #: before the customer was forgotten, into a history gone since
        self.since = since

    def __getstate__(self) -> tuple[object, ...]:
        # the baskets as one joined string: pickled without a memo, a tuple of ids would write
        # every id again (a third of the model's snapshot bytes)
        baskets = pack_baskets(list(self.baskets))
        return (pack_rows(self.items), baskets, self.orders, self.last_ts, WIDTH, self.since)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        items, baskets, self.orders, self.last_ts, *rest = state  # type: ignore[misc]
        width = rest[0] if rest else 3
        self.since = rest[1] if len(rest) > 1 else 0.0  # type: ignore[assignment]
        rows = unpack_rows(items, width)  # type: ignore[arg-type]
        if width == 3:
            # a snapshot from before the first purchase time was kept: take the last one
            rows = {p: [*e, e[2]] for p, e in rows.items()}
        if len(next(iter(rows.values()), ())) < WIDTH:
            # a snapshot from before spend was kept: none known
            rows = {p: [*e, 0.0] for p, e in rows.items()}
        self.items = {p: tuple(e) for p, e in rows.items()}
        self.baskets = deque(unpack_baskets(baskets), maxlen=RECENT_BASKETS)


class RepeatPurchases:
    """Per-customer purchase frequency with decay (recent habits weigh more).

    Parameters
    ----------
    half_life_days
        Decay of old purchases, in event time.
    max_items
        Distinct products remembered per customer; the weakest are dropped beyond twice this.

    Examples
    --------
    >>> from online_models.orders import Order
    >>> rp = RepeatPurchases(half_life_days=90.0, max_items=50)
    >>> o = Order("k", "completed", "c1", 0.0, 0, 0, ())
    >>> rp.learn_order(o, ("tea", "cup"), 1)
    >>> rp.learn_order(o, ("tea",), 1)
    >>> [(p, n) for p, _, n in rp.items("c1")]
    [('tea', 2), ('cup', 1)]
    >>> rp.items("nobody")
    []
    """

    def __init__(self, half_life_days: float, max_items: int) -> None:
        self.half_life_days = half_life_days
        self.max_items = max_items
        self._decay = Decay(half_life_days)
        self._customers: dict[str, _History] = {}
        #: per product: customers who bought it, and who bought it again (in >= 2 orders)
        self._buyers: dict[str, int] = {}
        self._rebuyers: dict[str, int] = {}

    def learn_order(self, order: Order, products: tuple[str, ...], sign: int) -> None:
        customer = order.customer_id
        if customer is None:
            return
        history = self._customers.get(customer)
        if history is None:
            if sign < 0:
                return
            history = self._customers[customer] = _History(order.timestamp)
        elif sign < 0 and order.timestamp < history.since:
            return  # learned into a history forgotten since: nothing of it is held here
        history.since = min(history.since, order.timestamp)
        boost = self._decay.boost(order.timestamp)
        if self._decay.needs_rebase(boost):
            self._rescale(self._decay.rebase(order.timestamp))
            boost = self._decay.boost(order.timestamp)
        history.orders += sign
        ts = order.timestamp
        items = history.items
        spent = _spent(order)
        for product_id in products:
            entry = items.get(product_id)
            if entry is None:
                if sign < 0:
                    continue
                entry = (0.0, 0.0, 0.0, ts, 0.0)
            score, orders, last, first, spend = entry
            # a take-back as the order is now (a forgotten order at today's exchange rate) may
            # take back more than it added: never below nothing spent
            spend = max(spend + sign * spent.get(product_id, 0.0), 0.0)
            if orders == 0 and sign > 0:
                self._buyers[product_id] = self._buyers.get(product_id, 0) + 1
            elif orders == 1 and sign > 0:
                self._rebuyers[product_id] = self._rebuyers.get(product_id, 0) + 1
            elif orders == 2 and sign < 0:
                self._rebuyers[product_id] = self._rebuyers.get(product_id, 1) - 1
            elif orders == 1 and sign < 0:
                self._buyers[product_id] = self._buyers.get(product_id, 1) - 1
            orders += sign
            if sign > 0:
                items[product_id] = (score + boost, orders, max(last, ts), min(first, ts), spend)
            elif orders > 0:
                items[product_id] = (score - boost, orders, last, first, spend)
            else:
                del items[product_id]
        if sign > 0:
            history.baskets.append(products)
            history.last_ts = max(history.last_ts, order.timestamp)
            if len(history.items) > 2 * self.max_items:
                ranked = sorted(history.items.items(), key=lambda kv: (-kv[1][0], kv[0]))
                history.items = dict(ranked[: self.max_items])
        elif products in history.baskets:
            history.baskets.remove(products)

    def items(self, customer_id: str) -> list[tuple[str, float, int]]:
        """(product, raw decayed score, orders) best first; ties: the more recent first."""
        history = self._customers.get(customer_id)
        if history is None:
            return []
        ranked = sorted(history.items.items(), key=_best_first)
        return [(p, e[0], int(e[1])) for p, e in ranked]

    def profile(
        self, customer_id: str, limit: int | None = None
    ) -> tuple[int, float, list[tuple[str, float, int, float, float, float]]]:
        """(orders, last purchase of any remembered item, [(product, raw decayed score, orders
        with it, last bought at, first bought at, money spent on it)] best first, the first
        ``limit`` of them).

        A wholesaler remembers hundreds of items and a query wants the best hundred: the cut-off
        score is found with a C-speed sort of bare floats, and only the items at or above it are
        sorted with the tie-breaking key (about 5x faster on a 600-item history).
        """
        history = self._customers.get(customer_id)
        if history is None or not history.items:
            return (history.orders if history else 0), 0.0, []
        entries = history.items
        last_bought = max(map(_LAST, entries.values()))
        chosen = entries.items()
        if limit is not None and len(entries) > limit:
            cutoff = sorted(map(_SCORE, entries.values()), reverse=True)[limit - 1]
            chosen = [(p, e) for p, e in chosen if e[0] >= cutoff]
        ranked = sorted(chosen, key=_best_first)[:limit]
        return history.orders, last_bought, [(p, e[0], int(e[1]), *e[2:]) for p, e in ranked]

    def rebuy_rate(self, product_id: str) -> float:
        """Of the customers who bought it, the share who bought it again (smoothed)."""
        return self._rebuyers.get(product_id, 0) / (self._buyers.get(product_id, 0) + 2.0)

    def orders(self, customer_id: str) -> int:
        """Orders learned for the customer (0 for a stranger)."""
        history = self._customers.get(customer_id)
        return history.orders if history else 0

    def bought(self, customer_id: str) -> set[str]:
        history = self._customers.get(customer_id)
        return set(history.items) if history else set()

    def recent_baskets(self, customer_id: str) -> list[tuple[str, ...]]:
        history = self._customers.get(customer_id)
        return list(history.baskets) if history else []

    def knows(self, customer_id: str) -> bool:
        return customer_id in self._customers

    def forget_customer(self, customer_id: str) -> None:
        self._customers.pop(customer_id, None)

    def _rescale(self, factor: float) -> None:
        for history in self._customers.values():
            items = history.items
            for product_id, (score, *rest) in items.items():
                items[product_id] = (score * factor, *rest)

    def __len__(self) -> int:
        return len(self._customers)

    def __repr__(self) -> str:
        return f"RepeatPurchases(half_life_days={self.half_life_days}, customers={len(self)})"
