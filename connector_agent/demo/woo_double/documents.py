"""Load recorded WooCommerce objects (REST responses) into a double's store.

For objects the seed data cannot produce (variable products, coupon/fee/shipping lines, a real
store's refunds), a recorded document becomes a record: the fields the double models stay live
(status, dates, totals, refunds, stock, …) and everything else is served as recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from .model import Category, Customer, Line, Order, Product, Refund, Webhook
from .state import StoreState
from .webhooks import WebhookHub

ORDER_LIVE = {
    "id",
    "status",
    "customer_id",
    "date_created",
    "date_created_gmt",
    "date_modified",
    "date_modified_gmt",
    "date_paid",
    "date_paid_gmt",
    "date_completed",
    "date_completed_gmt",
    "total",
    "billing",
    "order_key",
    "number",
    "refunds",
    "_links",
    "payment_url",
    "customer_note",
    "created_via",
}
PRODUCT_LIVE = {
    "id",
    "name",
    "slug",
    "permalink",
    "date_created",
    "date_created_gmt",
    "date_modified",
    "date_modified_gmt",
    "type",
    "status",
    "sku",
    "price",
    "categories",
    "parent_id",
    "manage_stock",
    "stock_quantity",
    "stock_status",
    "total_sales",
    "variations",
    "_links",
}
CUSTOMER_LIVE = {
    "id",
    "date_created",
    "date_created_gmt",
    "date_modified",
    "date_modified_gmt",
    "email",
    "first_name",
    "last_name",
    "role",
    "username",
    "billing",
    "is_paying_customer",
    "_links",
}


def _epoch(value: str | None) -> int | None:
    if not value:
        return None
    return int(datetime.fromisoformat(value).replace(tzinfo=UTC).timestamp())


def _when(doc: dict[str, Any], name: str) -> int:
    return _epoch(doc.get(f"{name}_gmt")) or 0


def _rest(doc: dict[str, Any], live: set[str]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in live}


def import_order(
    state: StoreState, doc: dict[str, Any], refunds: Iterable[dict[str, Any]] = ()
) -> Order:
    """An order document (and its ``/refunds`` documents, for their dates) as a record."""
    dated = {r["id"]: r for r in refunds}
    lines = [
        Line(
            i["id"],
            i["product_id"],
            i["variation_id"],
            i["name"],
            i.get("sku") or "",
            i["quantity"],
            i["total"],
        )
        for i in doc.get("line_items", [])
    ]
    order = Order(
        doc["id"],
        doc["status"],
        doc["customer_id"],
        _when(doc, "date_created"),
        _when(doc, "date_modified"),
        doc["total"],
        doc["billing"],
        doc["order_key"],
        lines,
        refunds=[
            Refund(
                r["id"],
                _when(dated.get(r["id"], doc), "date_created"),
                r["total"].lstrip("-"),
                r["reason"] or "",
            )
            for r in reversed(doc.get("refunds", []))
        ],
        paid=_epoch(doc.get("date_paid_gmt")),
        completed=_epoch(doc.get("date_completed_gmt")),
        created_via=doc.get("created_via", "rest-api"),
        customer_note=doc.get("customer_note", ""),
        trashed_from="processing" if doc["status"] == "trash" else None,
        extra=_rest(doc, ORDER_LIVE),
    )
    with state.lock:
        state.orders[order.id] = order
        state.version += 1
        state.next_post = max(state.next_post, order.id + 1)
    return order


def import_product(
    state: StoreState, doc: dict[str, Any], variations: Iterable[dict[str, Any]] = ()
) -> Product:
    """A product document, and the ``/variations`` documents of a variable product."""
    with state.lock:
        for c in doc.get("categories", []):
            state.categories.setdefault(c["id"], Category(c["id"], c["name"], c["slug"]))
        product = Product(
            doc["id"],
            doc["name"],
            doc["slug"],
            doc.get("sku", ""),
            doc.get("price", ""),
            _when(doc, "date_created"),
            _when(doc, "date_modified"),
            [c["id"] for c in doc.get("categories", [])],
            status=doc["status"],
            type=doc.get("type", "simple"),
            parent_id=doc.get("parent_id", 0),
            manage_stock=bool(doc.get("manage_stock")),
            stock_quantity=doc.get("stock_quantity"),
            total_sales=doc.get("total_sales", 0),
            variations=list(doc.get("variations", [])),
            extra=_rest(doc, PRODUCT_LIVE),
        )
        state.products[product.id] = product
        state.version += 1
        for v in variations:
            state.products[v["id"]] = Product(
                v["id"],
                f"{product.name} - {v['id']}",
                product.slug,
                v.get("sku", ""),
                v.get("price", ""),
                _when(v, "date_created"),
                _when(v, "date_modified"),
                list(product.categories),
                status=v.get("status", "publish"),
                type="variation",
                parent_id=product.id,
                manage_stock=v.get("manage_stock") is True,
                stock_quantity=v.get("stock_quantity"),
                extra=_rest(v, PRODUCT_LIVE),
            )
        state.next_post = max(state.next_post, product.id + 1, *(v + 1 for v in product.variations))
    return product


def import_customer(state: StoreState, doc: dict[str, Any]) -> Customer:
    customer = Customer(
        doc["id"],
        doc["email"],
        doc["first_name"],
        doc["last_name"],
        doc["username"],
        _when(doc, "date_created"),
        _when(doc, "date_modified"),
        doc["billing"],
        role=doc.get("role", "customer"),
        is_paying_customer=doc.get("is_paying_customer", False),
        extra=_rest(doc, CUSTOMER_LIVE),
    )
    with state.lock:
        state.customers[customer.id] = customer
        state.version += 1
        state.next_user = max(state.next_user, customer.id + 1)
    return customer


def import_webhook(hub: WebhookHub, doc: dict[str, Any], secret: str) -> Webhook:
    """A webhook from a ``/webhooks`` listing (which has no secret: pass the one to sign with)."""
    hook = Webhook(
        doc["id"],
        doc["name"],
        doc["topic"],
        doc["delivery_url"],
        secret,
        _when(doc, "date_created"),
        _when(doc, "date_modified"),
        status=doc["status"],
        pending_delivery=False,
    )
    with hub.lock:
        hub.webhooks[hook.id] = hook
        hub.next_id = max(hub.next_id, hook.id + 1)
    return hook
