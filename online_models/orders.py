"""The models' view of an ``order.upserted`` payload: tolerant parsing into plain values.

Bad or partial payloads never raise: a line without a product id or with an unreadable quantity
is skipped, an unreadable price counts as 0. Every model reads orders through this one view.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from online_models.events import (
    GUEST_PREFIX,
    MAX_UTC_OFFSET_MINUTES,
    MIN_UTC_OFFSET_MINUTES,
    RENEWAL_CREATED_VIA,
    Event,
    EventError,
    is_paid,
    parse_time,
)

__all__ = ["NON_PRODUCT", "Line", "Order", "buyer_of", "order_of", "pack", "unpack"]

#: the category of lines that are not merchandise (postage, fees, vouchers)
NON_PRODUCT = "non_product"


@dataclass(frozen=True, slots=True)
class Line:
    product_id: str
    name: str
    category: str | None
    quantity: int
    unit_price: float
    #: part of a bundle the customer bought (WooCommerce Product Bundles' ``bundled_by``): its
    #: units leave stock, but the customer chose the bundle, not it, at the bundle's price
    bundled: bool = False

    @property
    def is_product(self) -> bool:
        return self.category != NON_PRODUCT

    @property
    def is_choice(self) -> bool:
        """A product the customer picked at its own price: what teaches the recommenders,
        the pricer and the currency rates."""
        return self.is_product and not self.bundled


@dataclass(frozen=True, slots=True)
class Order:
    key: str
    status: str
    customer_id: str | None
    #: when it was made (UTC seconds): what decays and recency count from
    timestamp: float
    #: the shop's own calendar day (a date ordinal) and hour when it was made: a shop's demand
    #: follows its opening days and hours, not UTC's
    day: int
    hour: int
    lines: tuple[Line, ...]
    #: money refunded so far on an order that stays paid (WooCommerce's partial refunds)
    refunded: float = 0.0
    #: a guest checkout's key (a hash of its billing email); None when a customer id is known
    guest_key: str | None = None
    #: a sale (``events.is_paid``): what teaches the purchase models
    paid: bool = False
    #: the shop's clock less UTC when it was made, in minutes (None: unknown, so UTC days)
    utc_offset: int | None = None
    #: units given back through its refunds so far, (product id, units) by product id
    returned: tuple[tuple[str, int], ...] = ()
    #: placed by a subscription plugin (a renewal), not chosen by the customer
    renewal: bool = False
    #: the currency its money is in (upper case; None when not said): see ``currency.py``
    currency: str | None = None

    @property
    def products(self) -> tuple[str, ...]:
        """Distinct product ids of the lines the customer chose (products, not bundled in
        another) with a positive quantity, in line order."""
        return tuple(
            dict.fromkeys(ln.product_id for ln in self.lines if ln.is_choice and ln.quantity > 0)
        )

    @property
    def buyer(self) -> str | None:
        """Who the segments count this order for: the customer, else ``guest:<guest_key>``
        (WooCommerce shops take many guest checkouts, and a guest who orders again is a
        returning customer all the same), else None."""
        if self.customer_id is not None:
            return self.customer_id
        if self.guest_key is not None:
            return GUEST_PREFIX + self.guest_key
        return None

    @property
    def total(self) -> float:
        return sum(ln.quantity * ln.unit_price for ln in self.lines)

    @property
    def spend(self) -> float:
        """What the customer kept paying for: the lines' total less refunds (never below 0)."""
        total = self.total
        if total <= 0:
            return total
        return total - min(self.refunded, total)


def _line(item: Any) -> Line | None:
    """One line item, or None when it names no product or its quantity is unreadable.

    Product ids and categories are interned: the models key their maps by them (half a
    million co-purchase pairs on the UCI year), and one shared object per id instead of one
    per order that brought it takes ~18 MB off the brain's peak RSS."""
    if not isinstance(item, dict):
        return None
    product_id = item.get("product_id")
    if product_id is None or product_id == "":
        return None
    try:
        quantity = int(item.get("quantity", 0))
    except (TypeError, ValueError):
        return None
    try:
        price = float(item.get("unit_price") or 0)
    except (TypeError, ValueError):
        price = 0.0
    category = item.get("category")
    return Line(
        sys.intern(str(product_id)),
        str(item.get("name") or ""),
        sys.intern(str(category)) if category else None,
        quantity,
        price if price == price else 0.0,
        item.get("bundled") is True,
    )


def _refunded(refunds: Any) -> float:
    """The sum of the refunds' amounts; unreadable or negative amounts count as 0."""
    total = 0.0
    for refund in refunds if isinstance(refunds, list) else []:
        if not isinstance(refund, dict):
            continue
        try:
            amount = float(refund.get("amount") or 0)
        except (TypeError, ValueError):
            continue
        if math.isfinite(amount) and amount > 0:
            total += amount
    return total


def _returned(refunds: Any) -> tuple[tuple[str, int], ...]:
    """Units given back per product, summed over the refunds' ``line_items`` (a refund of money
    alone has none); unreadable items are skipped, quantities count by their size."""
    units: dict[str, int] = {}
    for refund in refunds if isinstance(refunds, list) else []:
        items = refund.get("line_items") if isinstance(refund, dict) else None
        for item in items if isinstance(items, list) else []:
            line = _line(item)
            if line is not None and line.quantity:
                units[line.product_id] = units.get(line.product_id, 0) + abs(line.quantity)
    return tuple(sorted(units.items()))


def _currency(value: Any) -> str | None:
    return sys.intern(value.strip().upper()) if isinstance(value, str) and value.strip() else None


def _guest_key(payload: dict[str, Any]) -> str | None:
    key = payload.get("guest_key")
    return key if isinstance(key, str) and key else None


def _made_at(payload: dict[str, Any], event: Event) -> datetime:
    """When the order was made: its ``created_at``, never after the event that carries it (the
    event's own time when ``created_at`` is missing, unreadable or later).

    An event occurs when the order was last modified. A live order is first seen paid minutes
    after it was made, but a backfilled one may have been modified long after: completed days
    later, refunded months later, or touched by a bulk edit or a storage migration. Its sale
    belongs to the day it was made (demand, trends, recency), not to the day it was edited.
    """
    when = event.when
    try:
        made = parse_time(payload.get("created_at"))
    except EventError:
        return when
    return made if made < when else when


def _utc_offset(payload: dict[str, Any]) -> int | None:
    """The payload's ``utc_offset_minutes`` when it is a whole number of minutes that a real
    timezone has, else None."""
    offset = payload.get("utc_offset_minutes")
    if isinstance(offset, bool) or not isinstance(offset, int):
        return None
    return offset if MIN_UTC_OFFSET_MINUTES <= offset <= MAX_UTC_OFFSET_MINUTES else None


def order_of(event: Event) -> Order:
    """The order carried by an ``order.upserted`` event (status lower-cased), at the time it was
    made (see ``_made_at``)."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    items = payload.get("line_items")
    lines = tuple(ln for ln in map(_line, items if isinstance(items, list) else []) if ln)
    customer = payload.get("customer_id")
    when = _made_at(payload, event)
    offset = _utc_offset(payload)
    local = when + timedelta(minutes=offset or 0)
    status = str(payload.get("status") or "").lower()
    return Order(
        key=event.key,
        status=status,
        customer_id=str(customer) if customer not in (None, "") else None,
        timestamp=when.timestamp(),
        day=local.toordinal(),
        hour=local.hour,
        lines=lines,
        refunded=_refunded(payload.get("refunds")),
        guest_key=_guest_key(payload) if customer in (None, "") else None,
        paid=is_paid(status, payload.get("paid_at")),
        utc_offset=offset,
        returned=_returned(payload.get("refunds")),
        renewal=payload.get("created_via") == RENEWAL_CREATED_VIA,
        currency=_currency(payload.get("currency")),
    )


#: (product, category, quantity, unit price[, bundled]): the flag only when set, so an order
#: without bundles packs as it did before bundles were known
PackedLine = tuple[str, str | None, int, float] | tuple[str, str | None, int, float, bool]
Packed = tuple[
    str,
    str,
    str | None,
    float,
    int,
    int,
    tuple[PackedLine, ...],
    float,
    str | None,
    int | None,
    tuple[tuple[str, int], ...],
    bool,
]


def pack(order: Order) -> Packed:
    """An order as plain tuples: what the brain remembers to compensate it later (small and
    fast to snapshot: no names, only what the models learn from)."""
    lines = tuple(
        (ln.product_id, ln.category, ln.quantity, ln.unit_price, True)
        if ln.bundled
        else (ln.product_id, ln.category, ln.quantity, ln.unit_price)
        for ln in order.lines
    )
    return (
        order.key,
        order.status,
        order.customer_id,
        order.timestamp,
        order.day,
        order.hour,
        lines,
        order.refunded,
        order.guest_key,
        order.utc_offset,
        order.returned,
        order.renewal,
    )


def buyer_of(packed: Packed) -> str | None:
    """``unpack(packed).buyer``, without unpacking."""
    if packed[2] is not None:
        return packed[2]
    return None if packed[8] is None else GUEST_PREFIX + packed[8]


def has_refunds(packed: Packed) -> bool:
    """Whether refunds of the order were learned (money or units), without unpacking."""
    return bool(packed[7] or packed[10])


def unpack(packed: Packed) -> Order:
    """The order :func:`pack` remembered (only orders that were taught, so paid, are packed)."""
    key, status, customer, ts, day, hour, lines, refunded, guest_key, offset, returned, renewal = (
        packed
    )
    return Order(
        key,
        status,
        customer,
        ts,
        day,
        hour,
        tuple(Line(line[0], "", line[1], line[2], line[3], len(line) > 4) for line in lines),
        refunded,
        guest_key,
        paid=True,
        utc_offset=offset,
        returned=returned,
        renewal=renewal,
    )
