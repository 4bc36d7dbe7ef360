"""The records the double stores: compact, so the whole shared dataset fits in memory.

Times are Unix seconds (UTC); money is kept as the decimal strings WooCommerce sends. ``extra``
holds keys of an imported recorded document (coupon lines, variation attributes, …) that the
double does not model itself; they are served as recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Line:
    """One order line item; ``total`` is ``quantity × unit price`` (no coupons in seeded orders)."""

    id: int
    product_id: int
    variation_id: int
    name: str
    sku: str
    quantity: int
    total: str
    reduced_stock: int | None = None


@dataclass(slots=True)
class Fee:
    """A fee line (postage, bank charges and other non-product lines of the source data)."""

    id: int
    name: str
    total: str


@dataclass(frozen=True, slots=True)
class RefundLine:
    """Units of one order line given back: WooCommerce makes it an item of its own on the
    refund, pointing at the order's line (``_refunded_item_id``)."""

    id: int
    line: Line
    quantity: int


@dataclass(slots=True)
class Refund:
    id: int
    created: int
    amount: str
    reason: str
    lines: tuple[RefundLine, ...] = ()


@dataclass(slots=True)
class Order:
    id: int
    status: str
    customer_id: int
    created: int
    modified: int
    total: str
    billing: dict[str, str]
    order_key: str
    lines: list[Line]
    fees: list[Fee] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    paid: int | None = None
    completed: int | None = None
    created_via: str = "checkout"
    customer_note: str = ""
    meta: list[dict[str, Any]] = field(default_factory=list)
    trashed_from: str | None = None
    extra: dict[str, Any] | None = None


@dataclass(slots=True)
class Product:
    id: int
    name: str
    slug: str
    sku: str
    price: str
    created: int
    modified: int
    categories: list[int]
    status: str = "publish"
    type: str = "simple"
    parent_id: int = 0
    manage_stock: bool = True
    stock_quantity: int | None = None
    total_sales: int = 0
    variations: list[int] = field(default_factory=list)
    trashed_from: str | None = None
    extra: dict[str, Any] | None = None
    catalog_visibility: str = "visible"

    @property
    def stock_status(self) -> str:
        if self.manage_stock and self.stock_quantity is not None and self.stock_quantity <= 0:
            return "outofstock"
        return "instock"


@dataclass(slots=True)
class Customer:
    id: int
    email: str
    first_name: str
    last_name: str
    username: str
    created: int
    modified: int
    billing: dict[str, str]
    role: str = "customer"
    is_paying_customer: bool = False
    extra: dict[str, Any] | None = None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username


@dataclass(frozen=True, slots=True)
class Category:
    id: int
    name: str
    slug: str


@dataclass(slots=True)
class Webhook:
    id: int
    name: str
    topic: str
    delivery_url: str
    secret: str
    created: int
    modified: int
    status: str = "active"
    failure_count: int = 0
    pending_delivery: bool = True

    @property
    def resource(self) -> str:
        return self.topic.split(".", 1)[0]

    @property
    def event(self) -> str:
        return self.topic.split(".", 1)[1]
