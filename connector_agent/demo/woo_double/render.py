"""Records → the JSON objects WooCommerce 7.8 serves (key order and types as recorded).

Money is a decimal string except ``line_items[].price`` (a float: total / quantity, computed in
floating point as PHP does); dates come in local/GMT pairs without offsets; unset dates are null.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .dates import StoreTime
from .model import Category, Customer, Line, Order, Product, Refund, RefundLine, Webhook

CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€"}
HTML_SYMBOLS = {"USD": "&#36;", "GBP": "&pound;", "EUR": "&euro;"}
EMPTY_ADDRESS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
)
WEBHOOK_HOOKS = {
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post"],
    "order.restored": ["untrashed_post"],
    "product.created": [
        "woocommerce_process_product_meta",
        "woocommerce_new_product",
        "woocommerce_new_product_variation",
    ],
    "product.updated": [
        "woocommerce_process_product_meta",
        "woocommerce_update_product",
        "woocommerce_update_product_variation",
    ],
    "product.deleted": ["wp_trash_post"],
    "product.restored": ["untrashed_post"],
    "customer.created": [
        "user_register",
        "woocommerce_created_customer",
        "woocommerce_new_customer",
    ],
    "customer.updated": ["profile_update", "woocommerce_update_customer"],
    "customer.deleted": ["delete_user"],
}


def money(value: Decimal) -> str:
    """Two-decimal string, as ``wc_format_decimal(..., 2)`` gives."""
    return str(value.quantize(Decimal("0.01")))


def _overlay(out: dict[str, Any], extra: dict[str, Any] | None) -> None:
    """Serve recorded values of keys the double does not model (imported documents)."""
    if extra:
        out.update((k, v) for k, v in extra.items() if k in out)


class Renderer:
    """Builds response objects; ``base_url`` is the site root without a trailing slash."""

    def __init__(
        self,
        base_url: str,
        time: StoreTime,
        currency: str,
        wc_version: str,
        categories: Mapping[int, Category],
    ) -> None:
        self.base_url = base_url
        self.time = time
        self.currency = currency
        self.wc_version = wc_version
        self.categories = categories

    def links(self, collection: str, item_id: int, up: str | None = None) -> dict[str, Any]:
        rest = f"{self.base_url}/wp-json/wc/v3/{collection}"
        links: dict[str, Any] = {
            "self": [{"href": f"{rest}/{item_id}"}],
            "collection": [{"href": rest}],
        }
        if up:
            links["up"] = [{"href": f"{self.base_url}/wp-json/wc/v3/{up}"}]
        return links

    def _dates(self, out: dict[str, Any], name: str, epoch: int | None) -> None:
        out[name], out[f"{name}_gmt"] = self.time.pair(epoch)

    def price_html(self, price: str) -> str:
        symbol = HTML_SYMBOLS.get(self.currency, self.currency)
        return (
            '<span class="woocommerce-Price-amount amount"><bdi><span class="woocommerce-'
            f'Price-currencySymbol">{symbol}</span>{price}</bdi></span>'
        )

    # orders -------------------------------------------------------------------------------
    def order(self, o: Order, with_lines: bool = True) -> dict[str, Any]:
        local = self.time.local
        paid = o.paid is not None
        out: dict[str, Any] = {
            "id": o.id,
            "parent_id": 0,
            "status": o.status,
            "currency": self.currency,
            "version": self.wc_version,
            "prices_include_tax": False,
            "date_created": local(o.created),
            "date_modified": local(o.modified),
            "discount_total": "0.00",
            "discount_tax": "0.00",
            "shipping_total": "0.00",
            "shipping_tax": "0.00",
            "cart_tax": "0.00",
            "total": o.total,
            "total_tax": "0.00",
            "customer_id": o.customer_id,
            "order_key": o.order_key,
            "billing": o.billing,
            "shipping": {k: "" for k in (*EMPTY_ADDRESS, "phone")},
            "payment_method": "bacs",
            "payment_method_title": "Direct bank transfer",
            "transaction_id": "",
            "customer_ip_address": "",
            "customer_user_agent": "",
            "created_via": o.created_via,
            "customer_note": o.customer_note,
            "date_completed": local(o.completed) if o.completed is not None else None,
            "date_paid": local(o.paid) if paid else None,
            "cart_hash": "",
            "number": str(o.id),
            "meta_data": o.meta,
            "line_items": [self._line(line) for line in o.lines] if with_lines else [],
            "tax_lines": [],
            "shipping_lines": [],
            "fee_lines": [
                {
                    "id": f.id,
                    "name": f.name,
                    "tax_class": "",
                    "tax_status": "taxable",
                    "amount": f.total,
                    "total": f.total,
                    "total_tax": "0.00",
                    "taxes": [],
                    "meta_data": [],
                }
                for f in o.fees
            ],
            "coupon_lines": [],
            "refunds": [
                {"id": r.id, "reason": r.reason, "total": f"-{r.amount}"}
                for r in reversed(o.refunds)
            ],
            "payment_url": f"{self.base_url}/checkout/order-pay/{o.id}/?pay_for_order=true&key="
            f"{o.order_key}",
            "is_editable": o.status in ("pending", "on-hold", "auto-draft"),
            "needs_payment": o.status in ("pending", "failed"),
            "needs_processing": True,
            "date_created_gmt": self.time.gmt(o.created),
            "date_modified_gmt": self.time.gmt(o.modified),
            "date_completed_gmt": self.time.gmt(o.completed) if o.completed is not None else None,
            "date_paid_gmt": self.time.gmt(o.paid) if paid else None,
            "currency_symbol": CURRENCY_SYMBOLS.get(self.currency, self.currency),
            "_links": self.links("orders", o.id),
        }
        if o.customer_id:
            out["_links"]["customer"] = [
                {"href": f"{self.base_url}/wp-json/wc/v3/customers/{o.customer_id}"}
            ]
        _overlay(out, o.extra)
        return out

    @staticmethod
    def _line(line: Line) -> dict[str, Any]:
        meta = (
            []
            if line.reduced_stock is None
            else [
                {
                    "id": line.id * 10,
                    "key": "_reduced_stock",
                    "value": str(line.reduced_stock),
                    "display_key": "_reduced_stock",
                    "display_value": str(line.reduced_stock),
                }
            ]
        )
        return {
            "id": line.id,
            "name": line.name,
            "product_id": line.product_id,
            "variation_id": line.variation_id,
            "quantity": line.quantity,
            "tax_class": "",
            "subtotal": line.total,
            "subtotal_tax": "0.00",
            "total": line.total,
            "total_tax": "0.00",
            "taxes": [],
            "meta_data": meta,
            "sku": line.sku,
            "price": float(line.total) / line.quantity if line.quantity else 0.0,
            "image": {"id": "", "src": ""},
            "parent_name": None,
        }

    @staticmethod
    def _refund_line(returned: RefundLine) -> dict[str, Any]:
        """An item of a refund, as WooCommerce shows it: the order line's product with negative
        quantity and totals, pointing at that line through ``_refunded_item_id``."""
        line = returned.line
        unit = Decimal(line.total) / line.quantity if line.quantity else Decimal(0)
        total = money(-unit * returned.quantity)
        return {
            "id": returned.id,
            "name": line.name,
            "product_id": line.product_id,
            "variation_id": line.variation_id,
            "quantity": -returned.quantity,
            "tax_class": "",
            "subtotal": total,
            "subtotal_tax": "0.00",
            "total": total,
            "total_tax": "0.00",
            "taxes": [],
            "meta_data": [
                {
                    "id": returned.id * 10,
                    "key": "_refunded_item_id",
                    "value": str(line.id),
                    "display_key": "_refunded_item_id",
                    "display_value": str(line.id),
                }
            ],
            "sku": line.sku,
            "price": -float(unit),
            "image": {"id": "", "src": ""},
            "parent_name": None,
        }

    def refund(self, order_id: int, r: Refund) -> dict[str, Any]:
        out: dict[str, Any] = {"id": r.id}
        self._dates(out, "date_created", r.created)
        out.update(
            {
                "amount": r.amount,
                "reason": r.reason,
                "refunded_by": 1,
                "refunded_payment": False,
                "meta_data": [],
                "line_items": [self._refund_line(line) for line in r.lines],
                "shipping_lines": [],
                "tax_lines": [],
                "fee_lines": [],
                "_links": self.links(f"orders/{order_id}/refunds", r.id, up=f"orders/{order_id}"),
            }
        )
        return out

    # products -----------------------------------------------------------------------------
    def product(
        self,
        p: Product,
        edit: bool = False,
    ) -> dict[str, Any]:
        """A product; ``edit`` adds what the ``edit`` context shows (DELETE answers use it)."""
        out: dict[str, Any] = {
            "id": p.id,
            "name": p.name,
            "slug": p.slug,
            "permalink": f"{self.base_url}/product/{p.slug}/",
        }
        self._dates(out, "date_created", p.created)
        self._dates(out, "date_modified", p.modified)
        variable = p.type == "variable"
        out.update(
            {
                "type": p.type,
                "status": p.status,
                "featured": False,
                "catalog_visibility": p.catalog_visibility,
                "description": f"<p>{p.name}</p>\n",
                "short_description": "",
                "sku": p.sku,
                "price": p.price,
                "regular_price": "" if variable else p.price,
                "sale_price": "",
                "date_on_sale_from": None,
                "date_on_sale_from_gmt": None,
                "date_on_sale_to": None,
                "date_on_sale_to_gmt": None,
                "on_sale": False,
                "purchasable": bool(p.price),
                "total_sales": p.total_sales,
                "virtual": False,
                "downloadable": False,
                "downloads": [],
                "download_limit": -1,
                "download_expiry": -1,
                "external_url": "",
                "button_text": "",
                "tax_status": "taxable",
                "tax_class": "",
                "manage_stock": p.manage_stock,
                "stock_quantity": p.stock_quantity,
                "backorders": "no",
                "backorders_allowed": False,
                "backordered": False,
                "low_stock_amount": None,
                "sold_individually": False,
                "weight": "",
                "dimensions": {"length": "", "width": "", "height": ""},
                "shipping_required": True,
                "shipping_taxable": True,
                "shipping_class": "",
                "shipping_class_id": 0,
                "reviews_allowed": True,
                "average_rating": "0.00",
                "rating_count": 0,
                "upsell_ids": [],
                "cross_sell_ids": [],
                "parent_id": p.parent_id,
                "purchase_note": "",
                "categories": [
                    {"id": c.id, "name": c.name, "slug": c.slug}
                    for c in (self.categories[i] for i in p.categories)
                ],
                "tags": [],
                "images": [],
                "attributes": [],
                "default_attributes": [],
                "variations": list(p.variations),
                "grouped_products": [],
                "menu_order": 0,
                "price_html": self.price_html(p.price) if p.price else "",
                "related_ids": [],
                "meta_data": [],
                "stock_status": p.stock_status,
                "has_options": variable,
            }
        )
        if edit:
            out["permalink_template"] = f"{self.base_url}/product/%pagename%/"
            out["generated_slug"] = p.slug
        out["_links"] = self.links("products", p.id)
        if p.parent_id:
            out["_links"]["up"] = [
                {"href": f"{self.base_url}/wp-json/wc/v3/products/{p.parent_id}"}
            ]
        _overlay(out, p.extra)
        return out

    def variation(self, p: Product) -> dict[str, Any]:
        """A variation as ``/products/{id}/variations`` lists it (no name, type, parent_id)."""
        out: dict[str, Any] = {"id": p.id}
        self._dates(out, "date_created", p.created)
        self._dates(out, "date_modified", p.modified)
        out.update(
            {
                "description": "",
                "permalink": f"{self.base_url}/product/{p.slug}/",
                "sku": p.sku,
                "price": p.price,
                "regular_price": p.price,
                "sale_price": "",
                "date_on_sale_from": None,
                "date_on_sale_from_gmt": None,
                "date_on_sale_to": None,
                "date_on_sale_to_gmt": None,
                "on_sale": False,
                "status": p.status,
                "purchasable": bool(p.price),
                "virtual": False,
                "downloadable": False,
                "downloads": [],
                "download_limit": -1,
                "download_expiry": -1,
                "tax_status": "taxable",
                "tax_class": "",
                "manage_stock": p.manage_stock,
                "stock_quantity": p.stock_quantity,
                "stock_status": p.stock_status,
                "backorders": "no",
                "backorders_allowed": False,
                "backordered": False,
                "low_stock_amount": None,
                "weight": "",
                "dimensions": {"length": "", "width": "", "height": ""},
                "shipping_class": "",
                "shipping_class_id": 0,
                "image": None,
                "attributes": [],
                "menu_order": 0,
                "meta_data": [],
                "_links": self.links(
                    f"products/{p.parent_id}/variations", p.id, up=f"products/{p.parent_id}"
                ),
            }
        )
        _overlay(out, p.extra)
        return out

    # customers ----------------------------------------------------------------------------
    def customer(self, c: Customer) -> dict[str, Any]:
        out: dict[str, Any] = {"id": c.id}
        self._dates(out, "date_created", c.created)
        self._dates(out, "date_modified", c.modified)
        digest = hashlib.md5(c.email.lower().encode(), usedforsecurity=False).hexdigest()
        out.update(
            {
                "email": c.email,
                "first_name": c.first_name,
                "last_name": c.last_name,
                "role": c.role,
                "username": c.username,
                "billing": c.billing,
                "shipping": {**{k: "" for k in EMPTY_ADDRESS}, "phone": ""},
                "is_paying_customer": c.is_paying_customer,
                "avatar_url": f"http://2.gravatar.com/avatar/{digest}?s=96&d=mm&r=g",
                "meta_data": [],
                "_links": self.links("customers", c.id),
            }
        )
        _overlay(out, c.extra)
        return out

    # webhooks -----------------------------------------------------------------------------
    def webhook(self, w: Webhook) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": w.id,
            "name": w.name,
            "status": w.status,
            "topic": w.topic,
            "resource": w.resource,
            "event": w.event,
            "hooks": WEBHOOK_HOOKS.get(w.topic, []),
            "delivery_url": w.delivery_url,
        }
        self._dates(out, "date_created", w.created)
        self._dates(out, "date_modified", w.modified)
        out["_links"] = self.links("webhooks", w.id)
        return out
