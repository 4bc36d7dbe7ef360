"""Co-purchase rankings are cached between orders: a cached answer must equal a fresh one."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from online_models.orders import Order
from online_models.recommend import CoPurchase

PRODUCTS = list("abcdefgh")
DAY = 86_400.0

baskets = st.lists(st.sampled_from(PRODUCTS), min_size=1, max_size=5, unique=True)
steps = st.lists(
    st.tuples(baskets, st.sampled_from([1, 1, 1, -1]), st.sampled_from(PRODUCTS)),
    min_size=1,
    max_size=40,
)


def _fresh(cp: CoPurchase) -> CoPurchase:
    """The same state without any cached ranking (a snapshot drops them)."""
    return pickle.loads(pickle.dumps(cp))


@settings(max_examples=60, deadline=None)
@given(steps)
def test_cached_neighbours_equal_freshly_ranked_ones_after_every_order(history):
    # few neighbours kept, so pruning happens too; a year-long span so decay rebases
    cp = CoPurchase(half_life_days=1.0, max_neighbours=3, max_basket_items=5)
    for i, (basket, sign, asked) in enumerate(history):
        # ask first (fills the cache), then learn an order, then compare with a fresh ranking
        cp.neighbours(asked, 3, tie_break=False)
        cp.neighbours(asked, 3)
        order = Order(f"o{i}", "completed", None, i * 30 * DAY, 0, 0, ())
        cp.learn_order(order, tuple(basket), sign)
        fresh = _fresh(cp)
        for product in PRODUCTS:
            assert cp.neighbours(product, 3, tie_break=False) == fresh.neighbours(
                product, 3, tie_break=False
            )
            assert cp.neighbours(product, 3) == fresh.neighbours(product, 3)
