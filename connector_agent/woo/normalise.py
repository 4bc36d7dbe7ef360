"""WooCommerce JSON → contract events (see ``online_models/events.py`` for the payload keys).

Pure functions: no store, no HTTP. What a payload needs from the local store (a product's category
for an order line, the last version held for a delete) is passed in by the caller.

* ids are strings, money is a decimal string (parsed with ``Decimal``, never compared as text),
  times are UTC ISO 8601 with ``Z`` built from the ``*_gmt`` fields (WooCommerce sends them naive);
* an order carries ``utc_offset_minutes``, the shop's clock less UTC when it was made (from its
  ``date_created``/``date_created_gmt`` pair, so daylight saving is followed), for the models'
  shop-local days and hours; ``None`` when the pair is incomplete or out of any real offset;
* an order line's ``unit_price`` is ``subtotal / quantity`` (the price before coupons); refunds
  are positive amounts, with the units they gave back (``line_items``) once the sync has read
  them from ``/orders/{id}/refunds`` (an order names only its refunds' money); guests get
  ``customer_id None`` and a ``guest_key`` (a hash of the billing email, never the email
  itself);
* variations come in two shapes (``/products/{id}/variations`` without ``name``/``type``/
  ``parent_id``, and ``/products/{id}`` or a webhook with them); both give the same payload, so
  the same variation seen both ways is one version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from connector_agent.errors import WooCommerceError
from online_models import events as ev
from online_models.events import Event, delete_version, parse_time, version_of

CENT = Decimal("0.01")
GUEST_KEY_CHARS = 24

#: ``category_of(product_id) -> category name or None`` for order lines.
CategoryOf = Callable[[str], "str | None"]


def _no_category(_product_id: str) -> str | None:
    return None


# ---------------------------------------------------------------- field helpers


def utc(value: Any) -> str | None:
    """A WooCommerce ``*_gmt`` time (naive UTC) as the contract's ``...Z`` form; ``None`` stays."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) < 19 or value[10] != "T":
        raise WooCommerceError(f"not a WooCommerce GMT time: {value!r}")
    return value[:19] + "Z"


def utc_offset_minutes(local: Any, gmt: Any) -> int | None:
    """The shop's offset from UTC in minutes, from a WooCommerce local/GMT date pair.

    ``None`` (the models then use UTC days) when either is missing or unreadable or the two
    are further apart than any timezone (UTC-12 to UTC+14): the offset only places a sale on
    the shop's own calendar, so an odd pair must not cost the sale itself.

    >>> utc_offset_minutes("2026-11-25T18:42:53", "2026-11-25T23:42:53")  # New York, winter
    -300
    >>> utc_offset_minutes("2026-11-25T18:42:53", None) is None
    True
    """
    try:
        offset = datetime.fromisoformat(str(local)[:19]) - datetime.fromisoformat(str(gmt)[:19])
    except ValueError:
        return None
    minutes = round(offset.total_seconds() / 60)
    return minutes if ev.MIN_UTC_OFFSET_MINUTES <= minutes <= ev.MAX_UTC_OFFSET_MINUTES else None


def money(value: Any) -> str | None:
    """A WooCommerce amount (string or number) as a canonical decimal string; ``""`` is ``None``."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise WooCommerceError(f"not a decimal amount: {value!r}") from None
    if not amount.is_finite():
        raise WooCommerceError(f"not a finite amount: {value!r}")
    return str(amount)


def _id(value: Any) -> str | None:
    """A WooCommerce id as a string; ``0``, ``None`` and ``""`` mean "none"."""
    if value in (None, "", 0, "0"):
        return None
    return str(value)


def _required_id(record: Mapping[str, Any], what: str) -> str:
    key = _id(record.get("id")) if isinstance(record, Mapping) else None
    if key is None:
        raise WooCommerceError(f"{what} without an id")
    return key


def _modified(record: Mapping[str, Any]) -> str:
    stamp = utc(record.get("date_modified_gmt")) or utc(record.get("date_created_gmt"))
    if stamp is None:
        raise WooCommerceError(f"record {record.get('id')!r} has no date_modified_gmt")
    return stamp


def guest_key(email: Any) -> str | None:
    """A stable pseudonymous key for a guest: a hash of the normalised billing email; None
    for no email, or one in the reserved ``.invalid`` domain.

    WordPress anonymises personal data (an erasure that removes it from orders, or
    WooCommerce's "anonymise completed orders after N months") by writing the email as
    ``deleted@site.invalid`` (``wp_privacy_anonymize_data``): keyed by it, every anonymised
    guest order became one made-up customer, a champion of the segments."""
    if not isinstance(email, str) or not email.strip():
        return None
    email = email.strip().lower()
    if email.rpartition("@")[2].endswith(".invalid") or email.endswith("@invalid"):
        return None
    digest = hashlib.sha256(b"luxebrain-guest:" + email.encode()).hexdigest()
    return digest[:GUEST_KEY_CHARS]


@contextmanager
def _about(what: str, record: Any) -> Iterator[None]:
    """Name the record in any error, and turn a wrongly shaped record into a clear error."""
    key = record.get("id") if isinstance(record, Mapping) else None
    try:
        yield
    except WooCommerceError as exc:
        raise WooCommerceError(f"{what} {key}: {exc.message}") from None
    except (AttributeError, TypeError, ValueError) as exc:
        raise WooCommerceError(f"{what} {key}: unexpected shape ({exc})") from None


def _event(kind: str, key: str, modified: str, payload: dict[str, Any]) -> Event:
    return Event(0, kind, key, version_of(modified, payload), modified, payload)


# ---------------------------------------------------------------- orders


def _unit_price(line: Mapping[str, Any], quantity: int) -> str | None:
    subtotal = money(line.get("subtotal"))
    if subtotal is None or quantity == 0:
        return money(line.get("price"))
    unit = Decimal(subtotal) / abs(quantity)
    return str(unit.quantize(CENT, rounding=ROUND_HALF_UP))


def _order_line(line: Mapping[str, Any], category_of: CategoryOf) -> dict[str, Any]:
    product_id = _id(line.get("product_id"))
    try:
        quantity = int(line.get("quantity") or 0)
    except (TypeError, ValueError):
        raise WooCommerceError(f"line item {line.get('id')!r}: bad quantity") from None
    normalised = {
        "product_id": product_id,
        "variation_id": _id(line.get("variation_id")),
        "name": line.get("name"),
        "category": category_of(product_id) if product_id else None,
        "quantity": quantity,
        "unit_price": _unit_price(line, quantity),
    }
    # WooCommerce Product Bundles names the bundle's own line item in ``bundled_by`` on each of
    # its contents (documented in its REST API reference). The key is set only on such lines:
    # other orders normalise (and hash, so version) exactly as before.
    if line.get("bundled_by") not in (None, "", 0, "0", False):
        normalised["bundled"] = True
    return normalised


#: ``{refund id: its line items as the payload carries them}`` for the refunds whose units are
#: known (an order's ``refunds`` name only the money; the units are on the refunds themselves)
RefundLines = Mapping[str, list[dict[str, Any]]]


def refund_lines(refunds: Any) -> dict[str, list[dict[str, Any]]]:
    """What ``GET /orders/{id}/refunds`` says each refund gave back: ``{refund id: [{product_id,
    variation_id, quantity}]}`` with positive quantities (WooCommerce lists them negative); a
    refund of money alone maps to ``[]``."""
    if not isinstance(refunds, list):
        raise WooCommerceError("the refunds of an order are not a list")
    found: dict[str, list[dict[str, Any]]] = {}
    for refund in refunds:
        with _about("refund", refund):
            key = _required_id(refund, "refund")
            lines = []
            for item in refund.get("line_items") or []:
                quantity = int(item.get("quantity") or 0)
                product_id = _id(item.get("product_id"))
                if product_id is not None and quantity:
                    lines.append({"product_id": product_id,
                                  "variation_id": _id(item.get("variation_id")),
                                  "quantity": abs(quantity)})
            found[key] = lines
    return found


def known_refund_lines(payload: Any) -> dict[str, list[dict[str, Any]]]:
    """The refund lines an earlier payload of the same order carried (see ``order_payload``)."""
    refunds = payload.get("refunds") if isinstance(payload, Mapping) else None
    known: dict[str, list[dict[str, Any]]] = {}
    for refund in refunds if isinstance(refunds, list) else []:
        if isinstance(refund, Mapping) and isinstance(refund.get("line_items"), list):
            known[str(refund.get("id"))] = refund["line_items"]
    return known


def order_payload(
    order: Mapping[str, Any],
    category_of: CategoryOf = _no_category,
    lines_of_refunds: RefundLines | None = None,
) -> dict[str, Any]:
    """The contract payload of an ``order.upserted``; a refund whose units are known from
    ``lines_of_refunds`` carries them as ``line_items``."""
    key = _required_id(order, "order")
    customer_id = _id(order.get("customer_id"))
    billing = order.get("billing") or {}
    refunds = []
    for refund in order.get("refunds") or []:
        amount = money(refund.get("total") if "total" in refund else refund.get("amount"))
        refund_id = _required_id(refund, "refund")
        entry: dict[str, Any] = {"id": refund_id, "amount": str(abs(Decimal(amount or "0")))}
        if lines_of_refunds and refund_id in lines_of_refunds:
            entry["line_items"] = lines_of_refunds[refund_id]
        refunds.append(entry)
    return {
        "id": key,
        "status": order.get("status"),
        "customer_id": customer_id,
        "guest_key": None if customer_id else guest_key(billing.get("email")),
        "currency": order.get("currency"),
        "created_via": order.get("created_via") or None,
        "created_at": utc(order.get("date_created_gmt")),
        "paid_at": utc(order.get("date_paid_gmt")),
        "utc_offset_minutes": utc_offset_minutes(
            order.get("date_created"), order.get("date_created_gmt")
        ),
        "total": money(order.get("total")),
        "line_items": [_order_line(line, category_of) for line in order.get("line_items") or []],
        "refunds": refunds,
    }


def order_event(
    order: Mapping[str, Any],
    category_of: CategoryOf = _no_category,
    lines_of_refunds: RefundLines | None = None,
) -> Event:
    with _about("order", order):
        payload = order_payload(order, category_of, lines_of_refunds)
        return _event(ev.ORDER_UPSERTED, payload["id"], _modified(order), payload)


# ---------------------------------------------------------------- products and variations


def _image(product: Mapping[str, Any]) -> str | None:
    image = product.get("image")
    if isinstance(image, Mapping) and image.get("src"):
        return str(image["src"])
    images = product.get("images") or []
    if images and isinstance(images[0], Mapping) and images[0].get("src"):
        return str(images[0]["src"])
    return None


def _stock_quantity(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise WooCommerceError(f"bad stock_quantity {value!r}") from None


def product_payload(
    product: Mapping[str, Any], parent: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The contract payload of a ``product.upserted`` (a product, or a variation of ``parent``).

    A variation's name is derived from its parent's name and its options (as WooCommerce names
    it), and its ``categories`` and ``price_html`` are left empty in both shapes, so the
    ``/variations`` shape and the webhook shape give the same payload.
    """
    key = _required_id(product, "product")
    parent_id = _id(product.get("parent_id")) or (_id(parent.get("id")) if parent else None)
    is_variation = product.get("type") == "variation" or parent is not None
    if is_variation:
        name = product.get("name")
        if not name and parent is not None:
            options = ", ".join(str(a.get("option")) for a in product.get("attributes") or [])
            name = f"{parent.get('name')} - {options}" if options else parent.get("name")
        categories: list[dict[str, Any]] = []
        price_html = None
    else:
        name = product.get("name")
        categories = [
            {"id": str(c.get("id")), "name": c.get("name")}
            for c in product.get("categories") or []
        ]
        price_html = product.get("price_html") or None
    return {
        "id": key,
        "parent_id": parent_id,
        "type": "variation" if is_variation else product.get("type"),
        "name": name,
        "status": product.get("status"),
        "sku": product.get("sku") or None,
        "categories": categories,
        "price": money(product.get("price")),
        "regular_price": money(product.get("regular_price")),
        "sale_price": money(product.get("sale_price")),
        "stock_status": product.get("stock_status"),
        "stock_quantity": _stock_quantity(product.get("stock_quantity")),
        "permalink": product.get("permalink"),
        "image": _image(product),
        "price_html": price_html,
        "gtin": product.get("global_unique_id") or None,
        # a variation shows where its parent does
        "catalog_visibility": None if is_variation else product.get("catalog_visibility"),
    }


def product_event(product: Mapping[str, Any], parent: Mapping[str, Any] | None = None) -> Event:
    with _about("product", product):
        payload = product_payload(product, parent)
        return _event(ev.PRODUCT_UPSERTED, payload["id"], _modified(product), payload)


# ---------------------------------------------------------------- customers


def customer_payload(customer: Mapping[str, Any]) -> dict[str, Any]:
    """The contract payload of a ``customer.upserted`` (only the contract's personal fields)."""
    return {
        "id": _required_id(customer, "customer"),
        "email": customer.get("email") or None,
        "first_name": customer.get("first_name") or None,
        "last_name": customer.get("last_name") or None,
        "created_at": utc(customer.get("date_created_gmt")),
        "role": customer.get("role"),
    }


def customer_event(customer: Mapping[str, Any]) -> Event:
    with _about("customer", customer):
        payload = customer_payload(customer)
        return _event(ev.CUSTOMER_UPSERTED, payload["id"], _modified(customer), payload)


# ---------------------------------------------------------------- deletes


def delete_event(
    resource: str, key: str, last_version: str | None, at: str, *, trashed_at: str | None = None
) -> Event | None:
    """A ``<resource>.deleted`` for a key held locally, or ``None`` for an unknown key.

    A key whose newest version is already a delete gets that same version, so a repeated delete
    notice dedupes; a delete after a restore is new. ``trashed_at``: the shop's time of the
    trash (the trashed record's ``date_modified_gmt``), when known; the payload carries it so
    that an older update arriving later is known to be stale (``EventLog``).
    """
    if last_version is None:
        return None
    version = last_version if last_version.startswith("deleted:") else delete_version(last_version)
    payload = {"id": key} if trashed_at is None else {"id": key, "trashed_at": trashed_at}
    return Event(0, f"{resource}.deleted", key, version, at, payload)


def held_since(last_version: str | None, shop_time: str) -> bool:
    """Whether the newest version held is an upsert modified at or after ``shop_time``.

    A trash listing read before a restore that a webhook already delivered lists a delete older
    than what is held: that delete is stale and must not be applied. A tie (same second) also
    counts as stale: a delete wrongly skipped is repaired by reconciliation, a restore wrongly
    deleted is not.
    """
    if not last_version or last_version.startswith("deleted:"):
        return False
    held, sep, _ = last_version.partition("#")
    return bool(sep) and parse_time(held) >= parse_time(shop_time)


def is_error_object(body: Any) -> bool:
    """A REST error object (``{"code", "message", "data"}``) sent where a record was expected."""
    return isinstance(body, Mapping) and "id" not in body and "code" in body
