"""A bundle's contents (``bundled: true`` lines) leave stock but were not chosen one by one: they
teach demand, not the recommenders, the pricer or the currency rates."""

from __future__ import annotations

from online_models import Brain
from online_models.events import Event
from online_models.orders import order_of, pack, unpack


def line(product: str, units: int, price: str, *, bundled: bool = False) -> dict:
    item = {"product_id": product, "name": product, "quantity": units, "unit_price": price}
    if bundled:
        item["bundled"] = True
    return item


def sale(key: str, day: int, *lines: dict, customer: str = "ann") -> Event:
    at = f"2026-03-{day:02d}T10:00:00Z"
    payload = {"id": key, "status": "completed", "customer_id": customer, "created_at": at,
               "paid_at": at, "line_items": list(lines)}
    return Event(0, "order.upserted", key, f"{key}-v1", at, payload)


def gift_set_order(key: str, day: int, customer: str = "ann") -> Event:
    """A gift set (the bundle) with a mug and tea in it (priced per item, as a bundle may
    be), and a card bought beside it."""
    return sale(key, day, line("gift-set", 1, "30.00"), line("mug", 1, "4.00", bundled=True),
                line("tea", 2, "2.50", bundled=True), line("card", 1, "3.00"), customer=customer)


def test_contents_are_not_products_the_customer_chose():
    order = order_of(gift_set_order("1", 2))
    assert order.products == ("gift-set", "card")
    assert [ln.bundled for ln in order.lines] == [False, True, True, False]
    # remembered (for a later refund) with the flag; a line without it packs as before
    assert unpack(pack(order)).lines == tuple(
        type(ln)(ln.product_id, "", ln.category, ln.quantity, ln.unit_price, ln.bundled)
        for ln in order.lines
    )
    assert len(pack(order)[6][0]) == 4 and len(pack(order)[6][1]) == 5


def test_contents_teach_demand_but_not_co_purchase_or_prices():
    brain = Brain(seed=3)
    for day in range(1, 21):
        brain.learn(gift_set_order(str(day), day, customer=f"c{day % 4}"))
    together = [rec.product_id for rec in brain.recommend_for_product("card", limit=5)
                if rec.source == "co_purchase"]
    assert together == ["gift-set"]  # the mug and the tea were never picked beside the card
    mug = brain.forecast("mug", 7)
    assert mug["method"] == "weekday_median" and mug["total"] > 0  # their units left stock
    assert brain.forecast("tea", 1)["days"][0]["units"] == 2.0
    assert brain.stats()["pricer_products"] == 2  # the gift set and the card
    assert brain.stats()["copurchase_items"] == 2
