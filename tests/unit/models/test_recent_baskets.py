"""RecentBaskets: bounded rows, baskets freed when no row holds them, exact snapshots."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from online_models import snapshot
from online_models.orders import Order
from online_models.recommend import RecentBaskets


def _order(customer: str | None) -> Order:
    return Order("k", "completed", customer, 0.0, 0, 0, ())


def _replay(rb: RecentBaskets, steps) -> list[tuple[str | None, tuple[str, ...]]]:
    """Learn baskets, cancelling some learned earlier; returns what is still learned."""
    live: list[tuple[str | None, tuple[str, ...]]] = []
    for customer, basket, cancel in steps:
        if cancel and live:
            customer, basket = live.pop(cancel % len(live))
            rb.learn_order(_order(customer), basket, -1)
        else:
            rb.learn_order(_order(customer), basket, 1)
            live.append((customer, basket))
    return live


steps = st.lists(
    st.tuples(
        st.sampled_from([None, "ann", "bob"]),
        st.lists(st.sampled_from("abcdef"), min_size=1, max_size=4, unique=True).map(tuple),
        st.sampled_from([0, 0, 0, 1, 2, 5]),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_rows_are_bounded_and_every_held_basket_is_in_a_row(history):
    rb = RecentBaskets(per_product=3, per_customer=2, max_basket_items=3)
    _replay(rb, history)
    rows = [*rb._products.values(), *rb._customers.values()]
    assert all(len(row) <= 6 for row in rb._products.values())
    assert all(len(row) <= 4 for row in rb._customers.values())
    held = {serial for row in rows for serial in row}
    assert held == set(rb._baskets)
    counts = {serial: sum(row.count(serial) for row in rows) for serial in held}
    assert counts == rb._holders


@settings(max_examples=100, deadline=None)
@given(steps, steps)
def test_a_restored_copy_answers_and_goes_on_like_the_original(first, then):
    rb = RecentBaskets(per_product=3, per_customer=2, max_basket_items=3)
    _replay(rb, first)
    data = snapshot.dumps(rb)
    copy = snapshot.loads(data)
    assert snapshot.dumps(copy) == data

    def answers(model: RecentBaskets):
        return (
            [model.of([p], 3) for p in "abcdef"],
            model.of(list("abc"), 2),
            [model.of_customer(c) for c in ("ann", "bob")],
            model.basket_count(),
        )

    assert answers(copy) == answers(rb)
    assert copy._holders == rb._holders  # counted from the rows on restore, not stored
    _replay(rb, then)
    _replay(copy, then)
    assert answers(copy) == answers(rb)
    assert snapshot.dumps(copy) == snapshot.dumps(rb)


def test_a_product_reads_its_most_recent_baskets_and_a_cart_each_basket_once():
    rb = RecentBaskets(per_product=2, per_customer=2, max_basket_items=10)
    for basket in [("tea", "cup"), ("tea", "jam"), ("cup", "jam"), ("tea", "cup", "jam")]:
        rb.learn_order(_order(None), basket, 1)
    assert rb.of(["tea"], 10) == [("tea", "cup", "jam"), ("tea", "jam")]
    assert rb.of(["tea"], 1) == [("tea", "cup", "jam")]
    # a cart shares the limit among its products; the basket holding both is listed once
    assert rb.of(["tea", "cup"], 4) == [("tea", "cup", "jam"), ("tea", "jam"), ("cup", "jam")]
    assert rb.of(["tea", "cup"], 2) == [("tea", "cup", "jam")]
    assert rb.of([], 4) == []


def test_a_long_basket_is_held_as_its_first_items():
    rb = RecentBaskets(per_product=5, per_customer=5, max_basket_items=2)
    rb.learn_order(_order("ann"), ("tea", "cup", "jam"), 1)
    assert rb.of(["tea"], 5) == [("tea", "cup")]
    assert rb.of(["jam"], 5) == []  # not among the first two: as co-purchase, never paired
    rb.learn_order(_order("ann"), ("tea", "cup", "jam"), -1)
    assert rb.of(["tea"], 5) == [] and rb.of_customer("ann") == [] and rb.basket_count() == 0


def test_memory_stays_bounded_on_a_long_stream():
    rb = RecentBaskets(per_product=5, per_customer=3, max_basket_items=4)
    rng = random.Random(4)
    for i in range(5000):
        basket = tuple(rng.sample(range(40), 4))
        rb.learn_order(_order(f"c{i % 50}"), tuple(map(str, basket)), 1)
    # at most 2 x 5 per product (40 products) and 2 x 3 per customer (50) are held: far fewer
    # than the 5,000 learned
    assert rb.basket_count() <= 40 * 10 + 50 * 6
    assert all(len(row) <= 10 for row in rb._products.values())
