"""Every order names a product with the same object: the models' maps hold one key per id."""

from __future__ import annotations

from online_models.events import Event
from online_models.orders import order_of


def order(key: str, product: str, category: str) -> Event:
    # ids built at run time, as a parser builds them: equal strings, distinct objects
    line = {"product_id": "".join(product), "name": "x", "category": "".join(category),
            "quantity": 1, "unit_price": "2.00"}
    when = "2026-03-02T10:00:00Z"
    return Event(0, "order.upserted", key, when, when,
                 {"id": key, "status": "completed", "line_items": [line]})


def test_two_orders_of_one_product_share_its_id_and_category():
    first = order_of(order("1", ["sku", "-", "85123A"], ["home", "ware"])).lines[0]
    second = order_of(order("2", ["sku", "-", "85123A"], ["home", "ware"])).lines[0]
    assert first.product_id == "sku-85123A"
    assert first.product_id is second.product_id
    assert first.category is second.category == "homeware"
