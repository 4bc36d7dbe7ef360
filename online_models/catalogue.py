"""What the brain knows about products: learned from ``product.upserted`` and from order lines.

Products only known from orders count as published and in stock. The catalogue answers the
business filters every recommendation passes through.
"""

from __future__ import annotations

from typing import Any

from online_models.orders import NON_PRODUCT, Line

__all__ = ["Catalogue"]

FIELDS = (
    "id",
    "name",
    "permalink",
    "image",
    "price",
    "price_html",
    "categories",
    "status",
    "stock_status",
    "stock_quantity",
)


#: catalogue visibilities of products that WooCommerce leaves out of its shop pages and its own
#: related products (a B2B or bundle-only item, a gift-wrap fee product): never recommended
HIDDEN_FROM_CATALOGUE = frozenset({"hidden", "search"})


def _stock_quantity(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _category_names(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    names = []
    for entry in value:
        name = entry.get("name") if isinstance(entry, dict) else entry
        if name:
            names.append(str(name))
    return names


def _known_from_order(product_id: str, line: Line | None) -> dict[str, Any]:
    """The entry of a product known only from an order ``line`` (published and in stock), or
    with no line, only by id."""
    return {
        "id": product_id,
        "name": line.name if line else "",
        "permalink": None,
        "image": None,
        "price": f"{line.unit_price:.2f}" if line else None,
        "price_html": None,
        "categories": [line.category] if line and line.category else [],
        "status": "publish",
        "stock_status": "instock",
        "stock_quantity": None,
    }


class Catalogue:
    """Product entries in the public shape (see ``Brain.product``), plus cost when known."""

    def __init__(self) -> None:
        self._products: dict[str, dict[str, Any]] = {}
        self._cost: dict[str, float] = {}
        #: published products the shop keeps out of its catalogue pages (a dict, not a set:
        #: its order, and so the snapshot's bytes, is deterministic)
        self._hidden: dict[str, None] = {}

    def __len__(self) -> int:
        return len(self._products)

    def upsert(self, payload: dict[str, Any]) -> None:
        product_id = payload.get("id")
        if product_id in (None, ""):
            return
        entry = {name: payload.get(name) for name in FIELDS}
        entry["id"] = str(product_id)
        entry["categories"] = _category_names(payload.get("categories"))
        entry["stock_quantity"] = _stock_quantity(payload.get("stock_quantity"))
        entry["status"] = str(payload.get("status") or "publish")
        entry["stock_status"] = str(payload.get("stock_status") or "instock")
        entry["name"] = str(payload.get("name") or "")
        self._products[entry["id"]] = entry
        if payload.get("catalog_visibility") in HIDDEN_FROM_CATALOGUE:
            self._hidden[entry["id"]] = None
        else:
            self._hidden.pop(entry["id"], None)
        try:
            self._cost[entry["id"]] = float(payload["cost"])
        except (KeyError, TypeError, ValueError):
            self._cost.pop(entry["id"], None)

    def delete(self, product_id: str) -> None:
        """Mark it trashed; a product not known yet is remembered as trashed all the same, so
        that orders naming it (a backfill reads orders after products) never bring it back as
        published."""
        entry = self._products.get(product_id)
        if entry is None:
            entry = self._products[product_id] = _known_from_order(product_id, None)
        entry["status"] = "trash"

    def learn_line(self, line: Line) -> None:
        """Remember a product first seen in an order (name, category, price of that line); of a
        product known only as deleted, the name and category the line gives."""
        entry = self._products.get(line.product_id)
        if entry is None:
            self._products[line.product_id] = _known_from_order(line.product_id, line)
        elif entry["status"] == "trash" and not entry["name"] and not entry["categories"]:
            entry["name"] = line.name
            entry["categories"] = [line.category] if line.category else []

    def get(self, product_id: str) -> dict[str, Any] | None:
        entry = self._products.get(product_id)
        return None if entry is None else {**entry, "categories": list(entry["categories"])}

    def in_category(self, product_id: str, category: str) -> bool:
        entry = self._products.get(product_id)
        return entry is not None and category in entry["categories"]

    def name(self, product_id: str) -> str:
        entry = self._products.get(product_id)
        return entry["name"] if entry and entry["name"] else product_id

    def category(self, product_id: str) -> str | None:
        """Its category: the first category name."""
        entry = self._products.get(product_id)
        return entry["categories"][0] if entry and entry["categories"] else None

    def price(self, product_id: str) -> float | None:
        entry = self._products.get(product_id)
        try:
            return float(entry["price"]) if entry and entry["price"] is not None else None
        except (TypeError, ValueError):
            return None

    def cost(self, product_id: str) -> float | None:
        return self._cost.get(product_id)

    def stock(self, product_id: str) -> int | None:
        entry = self._products.get(product_id)
        return entry["stock_quantity"] if entry else None

    def out_of_stock(self, product_id: str) -> bool:
        """Its stock status is ``outofstock`` (``onbackorder`` can still be bought)."""
        entry = self._products.get(product_id)
        return entry is not None and entry["stock_status"] == "outofstock"

    def listed(self, product_id: str) -> bool:
        """Published, shown in the catalogue and merchandise (in stock or not); products known
        only from orders qualify."""
        entry = self._products.get(product_id)
        if entry is None:
            return True
        return (
            entry["status"] == "publish"
            and product_id not in self._hidden
            and NON_PRODUCT not in entry["categories"]
        )

    def recommendable(self, product_id: str) -> bool:
        """Listed and in stock."""
        return self.listed(product_id) and not self.out_of_stock(product_id)

    def with_stock(self) -> list[tuple[str, int]]:
        return [
            (pid, e["stock_quantity"])
            for pid, e in self._products.items()
            if e["stock_quantity"] is not None and e["status"] == "publish"
        ]

    def __repr__(self) -> str:
        return f"Catalogue(products={len(self._products)})"
