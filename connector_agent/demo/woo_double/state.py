"""The in-memory store and its writes, with the side effects a real store has.

Every write behaves like the REST API or wp-admin doing it: it bumps ``date_modified``, moves
stock, sets the paid/completed dates a status implies and queues the webhooks WooCommerce 7.8
fires for it (including the odd ones: trashing an order also fires ``product.deleted`` with the
order's id; restoring it fires ``product.restored``). One re-entrant lock guards all of it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from luxebrain.clock import Clock

from .errors import WooRestError, invalid_id
from .model import Category, Customer, Line, Order, Product, Refund, RefundLine
from .people import identity
from .render import money
from .seed import Seed, customer_billing, order_billing

ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)
PAID_STATUSES = ("processing", "completed")
PRODUCT_STATUSES = ("publish", "draft", "pending", "private")
CATALOG_VISIBILITIES = ("visible", "catalog", "search", "hidden")


class Notifier(Protocol):
    def notify(self, resource: str, event: str, resource_id: int) -> None: ...


def _bad(field: str, message: str) -> WooRestError:
    return WooRestError(
        400, "rest_invalid_param", f"Invalid parameter(s): {field}", params={field: message}
    )


def _price(field: str, value: object) -> str:
    """A price as WooCommerce stores it (two decimals), or the 400 for ``field``."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise _bad(field, f"{field} is not a decimal number.")
    return money(amount)


class StoreState:
    """Orders, products, customers and categories of one store, and the writes on them."""

    def __init__(self, seed: Seed, clock: Clock, notifier: Notifier) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.notifier = notifier
        self.currency = seed.currency
        self.categories: dict[int, Category] = seed.categories
        self.products: dict[int, Product] = seed.products
        self.customers: dict[int, Customer] = seed.customers
        self.orders: dict[int, Order] = seed.orders
        self.next_post = seed.next_post_id
        self.next_item = seed.next_item_id
        self.next_user = max(self.customers, default=0) + 1
        self.version = 0

    def now(self) -> int:
        return int(self.clock.time())

    def _notify(self, resource: str, event: str, resource_id: int) -> None:
        """Record a change: bump ``version`` (it keys cached queries) and queue webhooks."""
        self.version += 1
        self.notifier.notify(resource, event, resource_id)

    def _post_id(self) -> int:
        self.next_post += 1
        return self.next_post - 1

    def _item_id(self) -> int:
        self.next_item += 1
        return self.next_item - 1

    # lookups ------------------------------------------------------------------------------
    def order(self, order_id: int) -> Order:
        found = self.orders.get(order_id)
        if found is None:
            raise invalid_id("order")
        return found

    def product(self, product_id: int) -> Product:
        found = self.products.get(product_id)
        if found is None:
            raise invalid_id("product")
        return found

    def customer(self, customer_id: int) -> Customer:
        found = self.customers.get(customer_id)
        if found is None:
            raise invalid_id("customer")
        return found

    # orders -------------------------------------------------------------------------------
    def create_order(
        self,
        customer_id: int,
        lines: Iterable[tuple[int, int]],
        status: str = "processing",
        created_via: str = "rest-api",
    ) -> Order:
        """A new order for existing products; reduces managed stock like checkout does."""
        with self.lock:
            if status not in ORDER_STATUSES:
                raise _bad("status", f"status is not one of {', '.join(ORDER_STATUSES)}.")
            customer = self.customer(customer_id) if customer_id else None
            asked = [(int(pid), int(qty)) for pid, qty in lines]
            if any(pid not in self.products for pid, _ in asked):
                raise WooRestError(
                    400, "woocommerce_rest_invalid_product_id", "Product ID provided is invalid."
                )
            wanted = [(self.products[pid], qty) for pid, qty in asked]
            if not wanted or any(qty <= 0 for _, qty in wanted):
                raise _bad("line_items", "line_items needs products with positive quantities.")
            now = self.now()
            order_id = self._post_id()
            items = [
                Line(
                    self._item_id(),
                    p.id,
                    0,
                    p.name,
                    p.sku,
                    qty,
                    money(Decimal(p.price or "0") * qty),
                )
                for p, qty in wanted
            ]
            person = (
                identity(customer_id)
                if customer is None
                else {
                    **customer.billing,
                    "first_name": customer.first_name,
                    "last_name": customer.last_name,
                    "email": customer.email,
                }
            )
            key = hashlib.sha256(f"order:{order_id}:{now}".encode()).hexdigest()[:13]
            order = Order(
                order_id,
                status,
                customer_id,
                now,
                now,
                money(sum((Decimal(i.total) for i in items), Decimal(0))),
                order_billing(person),
                f"wc_order_{key}",
                items,
                created_via=created_via,
            )
            self._stamp_status(order, now)
            self.orders[order_id] = order
            self._notify("order", "created", order_id)
            self._notify("order", "updated", order_id)
            if status in PAID_STATUSES:
                self._reduce_stock(order, now)
            return order

    def _reduce_stock(self, order: Order, now: int) -> None:
        for line in order.lines:
            product = self.products.get(line.product_id)
            if product is None:
                continue
            product.total_sales += line.quantity
            if product.manage_stock and product.stock_quantity is not None:
                product.stock_quantity -= line.quantity
                product.modified = now
                line.reduced_stock = line.quantity
                self._notify("product", "updated", product.id)

    @staticmethod
    def _stamp_status(order: Order, now: int) -> None:
        if order.status in PAID_STATUSES and order.paid is None:
            order.paid = now
        if order.status == "completed" and order.completed is None:
            order.completed = now

    def update_order(self, order_id: int, **fields: Any) -> Order:
        """Change ``status``, ``customer_note`` or ``billing``; a new status untrashes."""
        with self.lock:
            order = self.order(order_id)
            unknown = set(fields) - {"status", "customer_note", "billing"}
            if unknown:
                raise _bad(sorted(unknown)[0], "this field cannot be changed in the double.")
            if not isinstance(fields.get("billing", {}), dict):
                raise _bad("billing", "billing is not of type object.")
            if fields.get("status", ORDER_STATUSES[0]) not in ORDER_STATUSES:
                raise _bad("status", f"status is not one of {', '.join(ORDER_STATUSES)}.")
            if "status" in fields:
                status = fields["status"]
                if status not in ORDER_STATUSES:
                    raise _bad("status", f"status is not one of {', '.join(ORDER_STATUSES)}.")
                was_unpaid = order.status not in PAID_STATUSES
                order.status, order.trashed_from = status, None
                now = self.now()
                self._stamp_status(order, now)
                if (
                    was_unpaid
                    and status in PAID_STATUSES
                    and not any(line.reduced_stock for line in order.lines)
                ):
                    self._reduce_stock(order, now)
            if "customer_note" in fields:
                order.customer_note = str(fields["customer_note"])
            if "billing" in fields:
                order.billing = {
                    **order.billing,
                    **{k: str(v) for k, v in fields["billing"].items() if k in order.billing},
                }
            order.modified = self.now()
            self._notify("order", "updated", order_id)
            return order

    def trash_order(self, order_id: int) -> Order:
        with self.lock:
            order = self.order(order_id)
            if order.status != "trash":
                order.trashed_from, order.status = order.status, "trash"
                order.modified = self.now()
                self._notify("order", "deleted", order_id)
                self._notify("product", "deleted", order_id)
            return order

    def restore_order(self, order_id: int) -> Order:
        """wp-admin "Restore": back to the pre-trash status."""
        with self.lock:
            order = self.order(order_id)
            if order.status == "trash":
                order.status, order.trashed_from = order.trashed_from or "pending", None
                order.modified = self.now()
                self._notify("order", "restored", order_id)
                self._notify("product", "restored", order_id)
            return order

    def force_delete_order(self, order_id: int) -> Order:
        """Gone for good; fires no webhook (only the trash step does)."""
        with self.lock:
            self.version += 1
            return self.orders.pop(self.order(order_id).id)

    def refund_order(
        self,
        order_id: int,
        amount: str,
        reason: str = "",
        lines: Iterable[tuple[int, int]] = (),
    ) -> Refund:
        """A refund, of money and optionally of units: ``lines`` are (order line item id,
        quantity) given back. The order becomes ``refunded`` once refunds add up to its total;
        its own line items never change."""
        with self.lock:
            order = self.order(order_id)
            returned = self._refund_lines(order, lines)
            try:
                value = Decimal(str(amount))
            except InvalidOperation:
                value = Decimal("NaN")
            if not value.is_finite():
                raise _bad("amount", "amount is not a decimal number.")
            refunded = sum((Decimal(r.amount) for r in order.refunds), Decimal(0))
            if value <= 0 or refunded + value > Decimal(order.total):
                raise WooRestError(
                    500, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount."
                )
            now = self.now()
            refund = Refund(self._post_id(), now, money(value), str(reason), returned)
            order.refunds.append(refund)
            if refunded + value == Decimal(order.total):
                order.status = "refunded"
            order.modified = now
            self._notify("order", "updated", order_id)
            return refund

    def _refund_lines(
        self, order: Order, lines: Iterable[tuple[int, int]]
    ) -> tuple[RefundLine, ...]:
        """Validated refund lines: each an existing line of ``order``, at most the units it
        still has that were not given back before."""
        by_id = {line.id: line for line in order.lines}
        given_back: dict[int, int] = {}
        for refund in order.refunds:
            for old in refund.lines:
                given_back[old.line.id] = given_back.get(old.line.id, 0) + old.quantity
        made = []
        for line_id, quantity in lines:
            line = by_id.get(line_id) if isinstance(line_id, int) else None
            if line is None:
                raise _bad("line_items", f"{line_id!r} is not a line item of this order.")
            left = line.quantity - given_back.get(line.id, 0)
            whole = isinstance(quantity, int) and not isinstance(quantity, bool)
            if not whole or not 0 < quantity <= left:
                raise _bad("line_items", f"quantity of line item {line_id} must be 1 to {left}.")
            given_back[line.id] = given_back.get(line.id, 0) + quantity
            made.append(RefundLine(self._item_id(), line, quantity))
        return tuple(made)

    def bulk_touch_orders(self, order_ids: Iterable[int], at: datetime) -> list[Order]:
        """Give many orders the same ``date_modified`` second, as a bulk edit does."""
        with self.lock:
            orders = [self.order(i) for i in order_ids]
            stamp = int(at.timestamp())
            for order in orders:
                order.modified = stamp
                self._notify("order", "updated", order.id)
            return orders

    # products -----------------------------------------------------------------------------
    def create_product(
        self,
        name: str,
        regular_price: str,
        sku: str = "",
        stock_quantity: int | None = None,
        categories: Iterable[int] = (),
        product_type: str = "simple",
    ) -> Product:
        """A new simple product (stock managed when a quantity is given), or a variable one
        (its price is its variations' lowest: ``""`` until it has some)."""
        with self.lock:
            if not isinstance(name, str) or not name.strip():
                raise _bad("name", "name must be a non-empty string.")
            if product_type not in ("simple", "variable"):
                raise _bad("type", "type is not one of simple, variable.")
            # WooCommerce ignores a variable parent's own price
            variable = product_type == "variable"
            price = "" if variable else _price("regular_price", regular_price)
            if stock_quantity is not None and not isinstance(stock_quantity, int):
                raise _bad("stock_quantity", "stock_quantity is not of type integer.")
            wanted = [int(c) for c in categories]
            if any(c not in self.categories for c in wanted):
                raise WooRestError(
                    400, "woocommerce_rest_invalid_term_id", "Invalid product category ID."
                )
            if sku and any(p.sku == sku for p in self.products.values()):
                raise WooRestError(400, "product_invalid_sku", "Invalid or duplicated SKU.")
            now, product_id = self.now(), self._post_id()
            slug = "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())
            product = Product(
                product_id,
                name,
                slug or str(product_id),
                sku,
                price,
                now,
                now,
                wanted or [min(self.categories)],
                type=product_type,
                manage_stock=stock_quantity is not None,
                stock_quantity=stock_quantity,
            )
            self.products[product_id] = product
            self._notify("product", "created", product_id)
            return product

    def update_product(self, product_id: int, **fields: Any) -> Product:
        """Change ``name``, ``regular_price``/``price``, ``stock_quantity``, ``manage_stock``,
        ``status`` or ``catalog_visibility``; every value is checked before anything changes."""
        with self.lock:
            product = self.product(product_id)
            allowed = {
                "name",
                "regular_price",
                "price",
                "stock_quantity",
                "manage_stock",
                "status",
                "catalog_visibility",
            }
            unknown = set(fields) - allowed
            if unknown:
                raise _bad(sorted(unknown)[0], "this field cannot be changed in the double.")
            changes = dict(fields)
            for key in ("regular_price", "price"):
                if key in changes:
                    changes["price"] = _price(key, changes.pop(key))
            stock = changes.get("stock_quantity")
            if stock is not None and (not isinstance(stock, int) or isinstance(stock, bool)):
                raise _bad("stock_quantity", "stock_quantity is not of type integer.")
            if "status" in changes and changes["status"] not in PRODUCT_STATUSES:
                raise _bad("status", f"status is not one of {', '.join(PRODUCT_STATUSES)}.")
            visibility = changes.get("catalog_visibility")
            if "catalog_visibility" in changes and visibility not in CATALOG_VISIBILITIES:
                raise _bad(
                    "catalog_visibility",
                    f"catalog_visibility is not one of {', '.join(CATALOG_VISIBILITIES)}.",
                )
            for key, value in changes.items():
                setattr(product, key, bool(value) if key == "manage_stock" else value)
            if "status" in changes:
                product.trashed_from = None
            product.modified = self.now()
            self._notify("product", "updated", product_id)
            return product

    def trash_product(self, product_id: int) -> Product:
        with self.lock:
            product = self.product(product_id)
            if product.status != "trash":
                product.trashed_from, product.status = product.status, "trash"
                product.modified = self.now()
                self._notify("product", "deleted", product_id)
            return product

    def restore_product(self, product_id: int) -> Product:
        with self.lock:
            product = self.product(product_id)
            if product.status == "trash":
                product.status, product.trashed_from = product.trashed_from or "draft", None
                product.modified = self.now()
                self._notify("product", "restored", product_id)
            return product

    def force_delete_product(self, product_id: int) -> Product:
        with self.lock:
            self.version += 1
            return self.products.pop(self.product(product_id).id)

    # variations ---------------------------------------------------------------------------
    def create_variation(
        self,
        parent_id: int,
        regular_price: str,
        options: dict[str, str],
        stock_quantity: int | None = None,
    ) -> Product:
        """A new variation of a variable product, as ``POST /products/{id}/variations`` makes
        it: named "Parent - Red, S" after its options (local attributes), ``product.created``
        with the variation, and the parent's price re-synced to its lowest variation price
        without a webhook of its own (what the recorded store delivered)."""
        with self.lock:
            parent = self.product(parent_id)
            if parent.type != "variable":
                raise _bad("id", "variations belong to a variable product.")
            price = _price("regular_price", regular_price)
            if not options or not all(
                isinstance(k, str) and k and isinstance(v, str) and v for k, v in options.items()
            ):
                raise _bad("attributes", "attributes need a name and an option each.")
            if stock_quantity is not None and not isinstance(stock_quantity, int):
                raise _bad("stock_quantity", "stock_quantity is not of type integer.")
            now, variation_id = self.now(), self._post_id()
            attributes = [{"id": 0, "name": k, "option": v} for k, v in options.items()]
            variation = Product(
                variation_id,
                f"{parent.name} - {', '.join(options.values())}",
                parent.slug,
                "",
                price,
                now,
                now,
                list(parent.categories),
                type="variation",
                parent_id=parent.id,
                manage_stock=stock_quantity is not None,
                stock_quantity=stock_quantity,
                extra={"attributes": attributes},
            )
            self.products[variation_id] = variation
            parent.variations.insert(0, variation_id)
            self._sync_parent_price(parent)
            self._notify("product", "created", variation_id)
            return variation

    def delete_variation(self, parent_id: int, variation_id: int, force: bool) -> Product:
        """``DELETE /products/{id}/variations/{vid}``: variations have no trash, so only
        ``force=true`` deletes (501 otherwise), and a force delete fires no webhook."""
        with self.lock:
            parent = self.product(parent_id)
            variation = self.products.get(variation_id)
            if variation is None or variation.parent_id != parent.id:
                raise invalid_id("product")
            if not force:
                raise WooRestError(
                    501,
                    "woocommerce_rest_trash_not_supported",
                    "Variations do not support trashing.",
                )
            del self.products[variation_id]
            parent.variations.remove(variation_id)
            self._sync_parent_price(parent)
            self.version += 1
            return variation

    def _sync_parent_price(self, parent: Product) -> None:
        prices = [
            Decimal(self.products[v].price)
            for v in parent.variations
            if v in self.products and self.products[v].price
        ]
        parent.price = money(min(prices)) if prices else ""

    # customers ----------------------------------------------------------------------------
    def create_customer(
        self, email: str, first_name: str = "", last_name: str = "", username: str | None = None
    ) -> Customer:
        """A new customer: fires both ``customer.created`` and ``customer.updated``."""
        with self.lock:
            if not isinstance(email, str) or "@" not in email:
                raise _bad("email", "email is not a valid email address.")
            if any(c.email == email for c in self.customers.values()):
                raise WooRestError(
                    400,
                    "registration-error-email-exists",
                    "An account is already registered with your email address.",
                )
            now = self.now()
            customer_id = self.next_user
            self.next_user += 1
            person = {
                "first_name": first_name,
                "last_name": last_name,
                "email": email,
                "address_1": "",
                "city": "",
                "postcode": "",
                "phone": "",
            }
            customer = Customer(
                customer_id,
                email,
                first_name,
                last_name,
                username or email.split("@")[0],
                now,
                now,
                customer_billing(person),
            )
            self.customers[customer_id] = customer
            self._notify("customer", "created", customer_id)
            self._notify("customer", "updated", customer_id)
            return customer

    def update_customer(self, customer_id: int, **fields: Any) -> Customer:
        """Change ``first_name``, ``last_name``, ``email`` or ``billing``."""
        with self.lock:
            customer = self.customer(customer_id)
            unknown = set(fields) - {"first_name", "last_name", "email", "billing"}
            if unknown:
                raise _bad(sorted(unknown)[0], "this field cannot be changed in the double.")
            billing = fields.get("billing", {})
            if not isinstance(billing, dict):
                raise _bad("billing", "billing is not of type object.")
            for key in ("first_name", "last_name", "email"):
                if key in fields:
                    setattr(customer, key, str(fields[key]))
            customer.billing = {
                **customer.billing,
                **{k: str(v) for k, v in billing.items() if k in customer.billing},
            }
            customer.modified = self.now()
            self._notify("customer", "updated", customer_id)
            return customer

    def delete_customer(self, customer_id: int) -> Customer:
        """Customers cannot be trashed: this is ``DELETE …?force=true``."""
        with self.lock:
            customer = self.customers.pop(self.customer(customer_id).id)
            self._notify("customer", "deleted", customer_id)
            return customer
