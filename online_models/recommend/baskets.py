"""Recent baskets, per product and per customer: what a covering list should reach.

Pair counts say how often two products were bought together, not which of a product's companions
came *in the same* orders; :func:`online_models.recommend.coverage.cover` needs the baskets
themselves to tell a list that repeats one kind of order from one that reaches several.

Each basket (the first ``max_basket_items`` distinct product ids of one order, as co-purchase
pairs them: a wholesaler's 300-line order would cost every query that reads it) is held once,
under a serial number; the rows of products and customers hold serials, and a basket is dropped
when no row holds it any more.
A basket in a customer's row also knows whose it is (``peers``: what a product's recent buyers
buy in their other orders); only while that row holds it, so a forgotten customer leaves no id.
Memory: at most ``2 * per_product`` serials per product and ``2 * per_customer`` per customer,
plus the baskets they hold. Serials also make the snapshot a few flat arrays (a snapshot pickles
without a memo, so shared tuples would be written once per row).
"""

from __future__ import annotations

from array import array
from collections import Counter
from itertools import chain, islice
from typing import Any

from online_models.orders import Order
from online_models.packing import pack_baskets, unpack_baskets

__all__ = ["RecentBaskets"]

Basket = tuple[str, ...]


class RecentBaskets:
    """The last ``per_product`` baskets holding each product, the last ``per_customer`` of each
    customer.

    Examples
    --------
    >>> from online_models.orders import Order
    >>> def o(customer=None):
    ...     return Order("k", "completed", customer, 0.0, 0, 0, ())
    >>> rb = RecentBaskets(per_product=2, per_customer=5, max_basket_items=3)
    >>> for basket in (("tea", "cup"), ("tea", "jam"), ("tea", "cup", "jam")):
    ...     rb.learn_order(o("ann"), basket, 1)
    >>> rb.of(["tea"], 5)
    [('tea', 'cup', 'jam'), ('tea', 'jam')]
    >>> rb.learn_order(o("ann"), ("tea", "jam"), -1)  # cancelled: its basket is forgotten
    >>> rb.of(["jam", "tea"], 5)
    [('tea', 'cup', 'jam'), ('tea', 'cup')]
    >>> rb.of_customer("ann")
    [('tea', 'cup', 'jam'), ('tea', 'cup')]
    >>> rb.learn_order(o("ann"), ("biscuit",), 1)
    >>> rb.learn_order(o("bob"), ("scone", "cup"), 1)
    >>> rb.peers(["cup"], 5, 3)  # what cups' buyers (bob, ann) bought in orders without one
    [{'biscuit'}]
    >>> rb.forget_customer("ann")
    >>> rb.of_customer("ann"), rb.basket_count(), rb.peers(["cup"], 5, 3)
    ([], 4, [])
    """

    def __init__(self, per_product: int, per_customer: int, max_basket_items: int) -> None:
        self.per_product = per_product
        self.per_customer = per_customer
        self.max_basket_items = max_basket_items
        self._next = 0
        #: serial -> basket, and how many rows hold it
        self._baskets: dict[int, Basket] = {}
        self._holders: dict[int, int] = {}
        self._products: dict[str, list[int]] = {}
        self._customers: dict[str, list[int]] = {}
        #: serial -> its customer, while the customer's row holds it (derived from the rows)
        self._owner: dict[int, str] = {}

    # ------------------------------------------------------------------ learning

    def learn_order(self, order: Order, products: Basket, sign: int) -> None:
        basket = products[: self.max_basket_items]  # the same tuple when it is short enough
        if not basket:
            return
        customer = order.customer_id
        if sign > 0:
            serial = self._next
            self._next += 1
            self._baskets[serial] = basket
            self._holders[serial] = 0
            for product_id in basket:
                self._append(self._products, product_id, serial, self.per_product)
            if customer is not None:
                self._owner[serial] = customer
                self._append(self._customers, customer, serial, self.per_customer)
            return
        for product_id in basket:
            self._remove(self._products, product_id, basket)
        if customer is not None:
            self._remove(self._customers, customer, basket)

    def _append(self, rows: dict[str, list[int]], key: str, serial: int, keep: int) -> None:
        self._holders[serial] += 1
        row = rows.get(key)
        if row is None:
            rows[key] = [serial]
            return
        row.append(serial)
        if len(row) > 2 * keep:
            for old in row[:-keep]:
                self._release(old, rows is self._customers)
            del row[:-keep]

    def _remove(self, rows: dict[str, list[int]], key: str, basket: Basket) -> None:
        """Drop the most recent serial of a basket equal to ``basket`` (equal baskets are
        interchangeable)."""
        row = rows.get(key)
        if row is None:
            return
        for index in range(len(row) - 1, -1, -1):
            if self._baskets[row[index]] == basket:
                self._release(row.pop(index), rows is self._customers)
                break
        if not row:
            del rows[key]

    def _release(self, serial: int, owned: bool = False) -> None:
        """One row less holds ``serial``; ``owned``: that row was its customer's."""
        if owned:
            self._owner.pop(serial, None)
        left = self._holders[serial] - 1
        if left:
            self._holders[serial] = left
        else:
            del self._holders[serial], self._baskets[serial]

    def forget_customer(self, customer_id: str) -> None:
        for serial in self._customers.pop(customer_id, ()):
            self._release(serial, owned=True)

    # ------------------------------------------------------------------ queries

    def of(self, products: list[str], limit: int) -> list[Basket]:
        """Up to ``limit`` baskets in all, an equal share of them from each of ``products``
        (a cart's query costs what a product page's does), most recent first, each once."""
        if not products:
            return []
        share = min(-(-limit // len(products)), self.per_product)
        found: dict[int, None] = {}
        for product_id in products:
            row = self._products.get(product_id, ())
            found.update(dict.fromkeys(islice(reversed(row), share)))
        return list(map(self._baskets.__getitem__, found))

    def peers(self, products: list[str], limit: int, per_peer: int) -> list[set[str]]:
        """What the products' recent buyers bought without them, one set of items per
        buyer (so a product counts customers, not one wholesaler's repeated orders): from the
        last ``per_peer`` baskets of each customer behind the products' baskets that ``of``
        reads (up to ``limit``), the ones holding none of ``products``; the most recent buyers
        first, a buyer with no such basket left out."""
        if not products:
            return []
        share = min(-(-limit // len(products)), self.per_product)
        owners: dict[str, None] = {}
        for product_id in products:
            for serial in islice(reversed(self._products.get(product_id, ())), share):
                owner = self._owner.get(serial)
                if owner is not None:
                    owners[owner] = None
        anchors = set(products)
        found = []
        baskets = self._baskets
        for owner in owners:
            bought: set[str] = set()
            for serial in islice(reversed(self._customers[owner]), per_peer):
                basket = baskets[serial]
                if anchors.isdisjoint(basket):
                    bought.update(basket)
            if bought:
                found.append(bought)
        return found

    def of_customer(self, customer_id: str) -> list[Basket]:
        """The customer's last ``per_customer`` baskets, most recent first."""
        row = self._customers.get(customer_id, ())
        return list(map(self._baskets.__getitem__, islice(reversed(row), self.per_customer)))

    def basket_count(self) -> int:
        return len(self._baskets)

    # ------------------------------------------------------------------ snapshot

    def __getstate__(self) -> dict[str, Any]:
        return {
            "per_product": self.per_product,
            "per_customer": self.per_customer,
            "max_basket_items": self.max_basket_items,
            "next": self._next,
            "serials": array("Q", self._baskets).tobytes(),
            "baskets": pack_baskets(list(self._baskets.values())),
            "products": {k: array("Q", row).tobytes() for k, row in self._products.items()},
            "customers": {k: array("Q", row).tobytes() for k, row in self._customers.items()},
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.per_product = state["per_product"]
        self.per_customer = state["per_customer"]
        self.max_basket_items = state["max_basket_items"]
        self._next = state["next"]
        serials = _array("Q", state["serials"]).tolist()
        self._baskets = dict(zip(serials, unpack_baskets(state["baskets"]), strict=True))
        # every row holds the one int object of its serial, as rows learned live do
        same = {serial: serial for serial in serials}.__getitem__
        self._products = {
            k: list(map(same, _array("Q", raw))) for k, raw in state["products"].items()
        }
        self._customers = {
            k: list(map(same, _array("Q", raw))) for k, raw in state["customers"].items()
        }
        # how many rows hold each basket follows from the rows: counted, never stored
        self._owner = {s: k for k, row in self._customers.items() for s in row}
        self._holders = dict.fromkeys(serials, 0)
        self._holders.update(Counter(chain(*self._products.values(), *self._customers.values())))

    def __len__(self) -> int:
        return len(self._products)

    def __repr__(self) -> str:
        return (
            f"RecentBaskets(per_product={self.per_product}, per_customer={self.per_customer}, "
            f"products={len(self)})"
        )


def _array(typecode: str, raw: bytes) -> array:
    values = array(typecode)
    values.frombytes(raw)
    return values
