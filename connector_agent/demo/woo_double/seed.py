"""Build a store from the normalised order-line CSV (gzip) of a real order history.

Each invoice becomes one order (a ``C`` invoice a ``cancelled`` order, with the source's negative
quantities); each stock code a simple, stock-managed product whose price is its most common unit
price; each customer number a customer with that number as id and a fake identity; lines of the
``non_product`` category (postage, fees, adjustments) become fee lines. Product ids and order ids
share one sequence, as posts do in WordPress. The file is streamed: one order at a time.
"""

from __future__ import annotations

import csv
import gc
import gzip
import hashlib
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from connector_agent.orders_csv import COLUMNS

from .categories import CATEGORIES, category_for
from .model import Category, Customer, Fee, Line, Order, Product
from .people import identity
from .render import money

FIRST_POST_ID = 10
FIRST_TERM_ID = 15
ADMIN_ID = 1
DAY = 86_400
WEEK = 7 * DAY
CENT = Decimal("0.01")


class SeedError(ValueError):
    """The file is not a normalised order CSV; the message names the line."""


@dataclass
class Seed:
    """Everything a store starts with, plus the next free ids of each sequence."""

    currency: str
    categories: dict[int, Category]
    products: dict[int, Product]
    customers: dict[int, Customer]
    orders: dict[int, Order]
    next_post_id: int
    next_item_id: int


@dataclass
class _Draft:
    source: str
    customer: int
    created: int
    cancelled: bool
    lines: list[tuple[str, str, int, str]]
    fees: list[tuple[str, str]]
    cents: int = 0


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        if next(reader, None) != list(COLUMNS):
            raise SeedError(f"{path}: line 1: header must be {','.join(COLUMNS)}")
        yield from enumerate(reader, start=2)


def _epoch(value: str, where: str) -> int:
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        raise SeedError(f"{where}: created_at is not an ISO 8601 time ({value!r})") from None


def _total(quantity: str, price: str, where: str) -> tuple[int, str, int]:
    """``(quantity, line total as money, line total in cents)``."""
    try:
        qty = int(quantity)
        total = (qty * Decimal(price)).quantize(CENT)
    except (ValueError, InvalidOperation):
        raise SeedError(f"{where}: bad quantity/unit_price ({quantity!r}, {price!r})") from None
    return qty, str(total), int(total * 100)


def _money_of_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


class _Builder:
    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.names: dict[str, str] = {}
        self.prices: dict[str, Counter[str]] = {}
        self.first_seen: dict[str, int] = {}
        self.sold: Counter[str] = Counter()
        self.drafts: list[_Draft] = []
        self.currency = "GBP"
        self.totals: dict[tuple[str, str], tuple[int, str, int]] = {}

    def add(self, number: int, row: list[str], draft: _Draft | None) -> _Draft:
        where = f"line {number}"
        if len(row) != len(COLUMNS):
            raise SeedError(f"{where}: expected {len(COLUMNS)} columns, got {len(row)}")
        source, customer, created, code, name, category, quantity, price, currency, status = row
        if draft is None or draft.source != source:
            if not customer.isdigit():
                raise SeedError(f"{where}: customer_id must be an integer ({customer!r})")
            draft = _Draft(
                source,
                int(customer),
                _epoch(created, where),
                status == "cancelled" or source.startswith("C"),
                [],
                [],
            )
            self.drafts.append(draft)
        self.currency = currency or self.currency
        known = self.totals.get((quantity, price))
        qty, total, cents = known or self.totals.setdefault(
            (quantity, price), _total(quantity, price, where)
        )
        draft.cents += cents
        label = self.names.setdefault(name, name) or code
        if category == "non_product":
            draft.fees.append((label, total))
            return draft
        if code not in self.codes:
            self.codes[code] = 0
            self.names[code] = label
            self.prices[code] = Counter()
            self.first_seen[code] = draft.created
        self.prices[code][price] += 1
        if not draft.cancelled:
            self.sold[code] += qty
        draft.lines.append((code, label, qty, total))
        return draft


def load(
    path: Path | str, limit_orders: int | None = None, *, ending_before: int | None = None
) -> Seed:
    """Read the CSV into a :class:`Seed` (at most ``limit_orders`` orders, in file order).

    With ``ending_before`` (epoch seconds) the history is moved forward by whole weeks so that
    its last order falls in the week before that time: a demo shop whose orders run up to today,
    so the new orders placed in it continue the history instead of following it by years (which
    event-time decay rightly reads as "everything before is forgotten"). Whole weeks keep every
    order's weekday and time of day, and so the shop's weekly rhythm.
    """
    path = Path(path)
    if not path.is_file():
        raise SeedError(f"{path}: no such file")
    gc.disable()  # building ~10^6 acyclic objects: collections would only walk them, many times
    try:
        builder = _read(path, limit_orders)
        if ending_before is not None:
            _move_forward(builder, ending_before)
        return _finish(builder)
    finally:
        gc.enable()


def _move_forward(b: _Builder, ending_before: int) -> None:
    """Shift every time of the history by the whole weeks that bring its last order into the
    week before ``ending_before`` (never backwards)."""
    last = max(d.created for d in b.drafts)
    weeks = max((ending_before - 1 - last) // WEEK, 0)
    shift = weeks * WEEK
    if not shift:
        return
    for draft in b.drafts:
        draft.created += shift
    for code in b.first_seen:
        b.first_seen[code] += shift


def _read(path: Path, limit_orders: int | None) -> _Builder:
    builder, draft = _Builder(), None
    try:
        for number, row in _rows(path):
            if (
                limit_orders is not None
                and (draft is None or draft.source != row[0])
                and len(builder.drafts) >= limit_orders
            ):
                break
            draft = builder.add(number, row, draft)
    except (OSError, EOFError, zlib.error, csv.Error, UnicodeDecodeError) as exc:
        raise SeedError(f"{path}: not a readable gzip CSV ({exc})") from None
    if not builder.drafts:
        raise SeedError(f"{path}: no orders")
    return builder


def _slug(name: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split())


def _finish(b: _Builder) -> Seed:
    categories = {
        FIRST_TERM_ID + i: Category(FIRST_TERM_ID + i, name, _slug(name))
        for i, name in enumerate(CATEGORIES)
    }
    category_ids = {c.name: c.id for c in categories.values()}
    products: dict[int, Product] = {}
    next_post = FIRST_POST_ID
    for code in b.codes:
        name = b.names[code]
        price = max(b.prices[code].items(), key=lambda item: item[1])[0]
        created = b.first_seen[code] - DAY
        products[next_post] = Product(
            id=next_post,
            name=name,
            slug=f"{_slug(name)}-{code.lower()}",
            sku=code,
            price=money(Decimal(price)),
            created=created,
            modified=created,
            categories=[category_ids[category_for(name)]],
            total_sales=b.sold[code],
            stock_quantity=20 + zlib.crc32(code.encode()) % 480,
        )
        b.codes[code] = next_post
        next_post += 1
    customers, order_billing = _customers(b)
    orders: dict[int, Order] = {}
    next_item = 1
    for d in b.drafts:
        lines = []
        for code, label, qty, total in d.lines:
            pid = b.codes[code]
            lines.append(Line(next_item, pid, 0, label, code, qty, total))
            next_item += 1
        fees = []
        for label, total in d.fees:
            fees.append(Fee(next_item, label, total))
            next_item += 1
        paid = None if d.cancelled else d.created
        key = hashlib.sha256(f"order:{d.source}".encode()).hexdigest()[:13]
        orders[next_post] = Order(
            id=next_post,
            status="cancelled" if d.cancelled else "completed",
            customer_id=d.customer,
            created=d.created,
            modified=d.created,
            total=_money_of_cents(d.cents),
            billing=order_billing[d.customer],
            order_key=f"wc_order_{key}",
            lines=lines,
            fees=fees,
            paid=paid,
            completed=paid,
            meta=[{"id": next_post * 10, "key": "source_invoice", "value": d.source}],
        )
        next_post += 1
    return Seed(
        currency=b.currency,
        categories=categories,
        products=products,
        customers=customers,
        orders=orders,
        next_post_id=next_post,
        next_item_id=next_item,
    )


def customer_billing(person: dict[str, str]) -> dict[str, str]:
    """A customer's ``billing`` object (key order of ``/customers``)."""
    return {
        "first_name": person["first_name"],
        "last_name": person["last_name"],
        "company": "",
        "address_1": person["address_1"],
        "address_2": "",
        "city": person["city"],
        "postcode": person["postcode"],
        "country": "GB",
        "state": "",
        "email": person["email"],
        "phone": person["phone"],
    }


def order_billing(person: dict[str, str]) -> dict[str, str]:
    """An order's ``billing`` object (key order of ``/orders``): a copy made at checkout."""
    return {
        "first_name": person["first_name"],
        "last_name": person["last_name"],
        "company": "",
        "address_1": person["address_1"],
        "address_2": "",
        "city": person["city"],
        "state": "",
        "postcode": person["postcode"],
        "country": "GB",
        "email": person["email"],
        "phone": person["phone"],
    }


def _customers(b: _Builder) -> tuple[dict[int, Customer], dict[int, dict[str, str]]]:
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    paying: set[int] = set()
    for d in b.drafts:
        first.setdefault(d.customer, d.created)
        last[d.customer] = d.created
        if not d.cancelled:
            paying.add(d.customer)
    start = min(first.values()) - DAY
    admin = {
        "first_name": "",
        "last_name": "",
        "email": "admin@example.invalid",
        "username": "admin",
        "address_1": "",
        "city": "",
        "postcode": "",
        "phone": "",
    }
    customers = {
        ADMIN_ID: Customer(
            ADMIN_ID,
            admin["email"],
            "",
            "",
            "admin",
            start,
            start,
            customer_billing(admin),
            role="administrator",
        )
    }
    billing: dict[int, dict[str, str]] = {}
    for number in sorted(first):
        person = identity(number)
        customers[number] = Customer(
            number,
            person["email"],
            person["first_name"],
            person["last_name"],
            person["username"],
            first[number],
            last[number],
            customer_billing(person),
            is_paying_customer=number in paying,
        )
        billing[number] = order_billing(person)
    return customers, billing
