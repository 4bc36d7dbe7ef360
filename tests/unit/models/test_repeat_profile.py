"""RepeatPurchases.profile: a limited profile is exactly the head of the full ranking."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from online_models.orders import Order
from online_models.recommend.repeat import RepeatPurchases

DAY = 86_400.0
PRODUCTS = [f"p{i}" for i in range(15)]

# few distinct days and products: many items tie on score, so the tie-break is exercised
purchases = st.lists(
    st.tuples(
        st.lists(st.sampled_from(PRODUCTS), min_size=1, max_size=4, unique=True), st.integers(0, 4)
    ),
    min_size=1,
    max_size=40,
)


def _history(baskets: list[tuple[list[str], int]]) -> RepeatPurchases:
    repeat = RepeatPurchases(half_life_days=90.0, max_items=50)
    for i, (products, day) in enumerate(sorted(baskets, key=lambda b: b[1])):
        order = Order(f"o{i}", "completed", "c1", day * DAY, 0, 0, ())
        repeat.learn_order(order, tuple(products), 1)
    return repeat


@given(purchases, st.integers(1, 16))
def test_a_limited_profile_is_the_head_of_the_full_one(baskets, limit):
    repeat = _history(baskets)
    orders, last_bought, full = repeat.profile("c1")
    assert repeat.profile("c1", limit) == (orders, last_bought, full[:limit])
    assert orders == len(baskets)
    assert full == sorted(full, key=lambda e: (-e[1], -e[3], e[0]))
    assert last_bought == max(e[3] for e in full) == max(day for _, day in baskets) * DAY
    assert [(p, n) for p, _, n, *_ in full] == [(p, n) for p, _, n in repeat.items("c1")]


def test_a_stranger_has_an_empty_profile():
    assert RepeatPurchases(half_life_days=90.0, max_items=50).profile("nobody", 5) == (0, 0.0, [])
