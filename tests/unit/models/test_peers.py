"""``peers``: what a product's recent buyers buy in their other orders (``RecentBaskets.peers``)."""

from __future__ import annotations

from online_models import Brain
from online_models.events import Event
from online_models.orders import Order
from online_models.recommend import RecentBaskets
from tests.unit.models.test_brain import order


def _shop() -> Brain:
    brain = Brain(seed=1)
    brain.learn(order("o1", "ann", "cup", "saucer"))
    brain.learn(order("o2", "ann", "biscuit", "napkin"))
    brain.learn(order("o3", "bob", "cup", "teapot"))
    brain.learn(order("o4", "bob", "biscuit", "tray"))
    brain.learn(order("o5", "cy", "kettle", "tray"))
    return brain


def _rows(brain: Brain, *anchors: str) -> dict[str, dict[str, float]]:
    return brain._ranker.candidates.build_items(list(anchors), brain._last_ts or 0.0).rows


def test_a_product_page_weighs_what_its_buyers_buy_in_their_other_orders():
    rows = _rows(_shop(), "cup")
    peers = {p: row["peers"] for p, row in rows.items() if "peers" in row}
    # both cup buyers bought biscuits without a cup, one a napkin, one a tray; the kettle was
    # bought by neither
    assert peers == {"biscuit": 1.0, "napkin": 0.5, "tray": 0.5}


def test_an_erased_buyer_no_longer_speaks_for_a_product_and_a_restore_keeps_the_owners():
    brain = _shop()
    restored = Brain.restore(brain.snapshot())
    assert _rows(restored, "cup")["biscuit"]["peers"] == 1.0
    brain.learn(Event(0, "customer.erased", "bob", "e1", "2026-03-03T00:00:00Z", {"id": "bob"}))
    peers = {p: row["peers"] for p, row in _rows(brain, "cup").items() if "peers" in row}
    assert peers == {"biscuit": 1.0, "napkin": 1.0}


def test_a_basket_gone_from_its_customers_row_has_no_owner_left():
    """A customer's row keeps their last baskets; an older one that products still hold must
    not keep their id (it would outlive an erasure)."""
    baskets = RecentBaskets(per_product=10, per_customer=1, max_basket_items=5)

    def sold(customer: str, *products: str) -> None:
        baskets.learn_order(Order("k", "completed", customer, 0.0, 0, 0, ()), products, 1)

    sold("ann", "cup", "saucer")
    sold("ann", "biscuit")
    assert baskets.peers(["cup"], 10, 3) == [{"biscuit"}]
    sold("ann", "jam")
    sold("ann", "tea")  # the row trims to her last basket: the cup's basket is not hers now
    assert baskets.of(["cup"], 10) == [("cup", "saucer")]
    assert baskets.peers(["cup"], 10, 3) == []
    # owners only for the serials her row holds (its last two, until it trims again)
    assert baskets._owner == dict.fromkeys(baskets._customers["ann"], "ann")


def test_an_item_chosen_for_its_buyers_says_so():
    brain = _shop()
    blend = brain._learned_items
    blend.trained = blend.warmup
    blend._model._weights["peers"] = 5.0  # a ranker that learned to weigh peers
    reasons = {r.product_id: (r.source, r.reason) for r in brain.recommend_for_product("cup")}
    assert reasons["biscuit"] == ("co_purchase", "customers who bought Cup also buy this")
    cart = {r.product_id: r.reason for r in brain.recommend_for_cart(["cup", "kettle"])}
    assert cart["biscuit"] == "customers who bought these also buy this"


def test_a_buyer_counts_once_however_many_orders_they_placed():
    """"Customers who bought": one wholesaler's three orders of biscuits are one customer."""
    baskets = RecentBaskets(per_product=10, per_customer=5, max_basket_items=5)

    def sold(customer: str, *products: str) -> None:
        baskets.learn_order(Order("k", "completed", customer, 0.0, 0, 0, ()), products, 1)

    for _ in range(3):
        sold("ann", "biscuit", "napkin")
    sold("ann", "cup")
    sold("bob", "cup")
    sold("bob", "tray")
    sold("bob", "biscuit")
    # most recent buyers first: bob, then ann; each buyer's items once
    assert baskets.peers(["cup"], 10, 3) == [{"biscuit", "tray"}, {"biscuit", "napkin"}]
