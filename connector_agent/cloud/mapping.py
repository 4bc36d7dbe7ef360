"""Map the cloud's top list onto this shop's own catalogue: GTIN, then category, then title.

Each list item is matched at most once and each product is used at most once:

1. an item with a GTIN takes the product with the same GTIN;
2. otherwise, among products in the item's category (when the shop has that category), the one
   whose title is most similar, if at least ``threshold`` similar;
3. otherwise the most similar title in the whole catalogue, if at least ``threshold``.

Items that match nothing are dropped. The result keeps the list's order and carries a reason
saying where the item comes from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from connector_agent.cloud.titles import dice, normalise_category, normalise_title, trigrams
from luxebrain.digits import only_digits

DEFAULT_THRESHOLD = 0.75


@dataclass(frozen=True, slots=True)
class Product:
    """What the mapping needs to know of one of the shop's products."""

    product_id: str
    title: str
    category_path: tuple[str, ...] = ()
    gtin: str | None = None


def gtin14(value: str | None) -> str | None:
    """Digits of a GTIN/EAN/UPC left-padded to 14 (no check-digit test: the cloud did it)."""
    if not value:
        return None
    digits = only_digits(value)
    return digits.zfill(14) if 8 <= len(digits) <= 14 else None


class CatalogueIndex:
    """The shop's products indexed by GTIN, category and title trigrams."""

    def __init__(self, products: Iterable[Product]) -> None:
        self._by_gtin: dict[str, str] = {}
        self._grams: dict[str, frozenset[str]] = {}
        self._by_gram: dict[str, list[str]] = defaultdict(list)
        self._by_category: dict[str, set[str]] = defaultdict(set)
        for product in products:
            code = gtin14(product.gtin)
            if code:
                self._by_gtin.setdefault(code, product.product_id)
            grams = trigrams(normalise_title(product.title))
            self._grams[product.product_id] = grams
            for gram in grams:
                self._by_gram[gram].append(product.product_id)
            category = normalise_category(list(product.category_path))
            if category:
                self._by_category[category].add(product.product_id)

    def by_gtin(self, gtin: str | None) -> str | None:
        code = gtin14(gtin)
        return self._by_gtin.get(code) if code else None

    def by_title(
        self, title: str, *, within: set[str] | None, taken: set[str], threshold: float
    ) -> str | None:
        """The most similar free product (ties: the smaller id), if similar enough."""
        grams = trigrams(normalise_title(title))
        candidates = {
            product_id
            for gram in grams
            for product_id in self._by_gram.get(gram, ())
            if product_id not in taken and (within is None or product_id in within)
        }
        scored = ((dice(grams, self._grams[p]), p) for p in candidates)
        best = min(((-score, p) for score, p in scored if score >= threshold), default=None)
        return best[1] if best else None

    def in_category(self, path: Sequence[str]) -> set[str] | None:
        category = normalise_category(list(path))
        return self._by_category.get(category) if category else None


def reason_for(item: dict[str, Any]) -> str:
    stores = item.get("stores")
    return f"popular in {stores} similar shops (LuxeBrain cloud)"


def map_top_list(
    items: Sequence[dict[str, Any]],
    index: CatalogueIndex,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[str, str]]:
    """``[(product_id, reason)]`` for the items of the cloud's list found in this shop."""
    taken: set[str] = set()
    mapped: list[tuple[str, str]] = []
    for item in items:
        title = str(item.get("title") or "")
        product_id = index.by_gtin(item.get("gtin"))
        if product_id in taken:
            product_id = None
        if product_id is None and title:
            same_category = index.in_category(item.get("category_path") or ())
            if same_category:
                product_id = index.by_title(
                    title, within=same_category, taken=taken, threshold=threshold
                )
            if product_id is None:
                product_id = index.by_title(title, within=None, taken=taken, threshold=threshold)
        if product_id is not None:
            taken.add(product_id)
            mapped.append((product_id, reason_for(item)))
    return mapped
