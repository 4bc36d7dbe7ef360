"""Products the shop keeps out of its catalogue pages are never recommended."""

from __future__ import annotations

import pytest

from online_models import Brain
from online_models.events import Event


def product(key: str, visibility: str | None, version: str = "v1") -> Event:
    payload = {"id": key, "name": key.title(), "status": "publish", "stock_status": "instock",
               "price": "3.00", "categories": [{"id": "1", "name": "Tea"}],
               "catalog_visibility": visibility}
    return Event(0, "product.upserted", key, version, "2026-03-01T00:00:00Z", payload)


def order(key: str, at: str) -> Event:
    lines = [{"product_id": p, "name": p, "quantity": 1, "unit_price": "3.00"}
             for p in ("tea", "cup", "wrap")]
    payload = {"id": key, "status": "completed", "customer_id": "ann", "line_items": lines}
    return Event(0, "order.upserted", key, key, at, payload)


def everywhere(brain: Brain) -> set[str]:
    """Every item any kind of query shows."""
    shown = set()
    for recs in (brain.popular(), brain.trending(), brain.recommend_for_product("tea"),
                 brain.recommend_for_cart(["tea", "cup"]), brain.recommend_for_customer("ann")):
        shown |= {r.product_id for r in recs}
    return shown


@pytest.mark.parametrize("visibility", ["hidden", "search"])
def test_a_product_out_of_the_catalogue_is_never_shown_until_it_is_back(visibility):
    brain = Brain(seed=6)
    for key in ("tea", "cup"):
        brain.learn(product(key, "visible"))
    brain.learn(product("wrap", visibility))
    for i in range(3):
        brain.learn(order(str(i), f"2026-03-0{2 + i}T10:00:00Z"))
    assert "wrap" not in everywhere(brain) and "cup" in everywhere(brain)
    restored = Brain.restore(brain.snapshot())
    assert "wrap" not in everywhere(restored)
    brain.learn(product("wrap", "catalog", version="v2"))  # back on the shop pages
    assert "wrap" in everywhere(brain)


def test_a_payload_without_a_visibility_is_shown():
    brain = Brain(seed=6)
    brain.learn(product("wrap", None))
    brain.learn(order("1", "2026-03-02T10:00:00Z"))
    assert "wrap" in everywhere(brain)
