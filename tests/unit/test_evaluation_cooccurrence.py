"""The co-occurrence baseline's sparse counts: the rankings of a plain count, in little memory."""

from __future__ import annotations

import tracemalloc
from collections import Counter
from itertools import permutations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from connector_agent.evaluation.baselines import Baselines

#: (customer, products) per order: few products, so pairs and ties are common
ORDERS = st.lists(
    st.tuples(
        st.sampled_from(["c1", "c2", "c3", None]),
        st.lists(st.integers(0, 14).map(lambda i: f"p{i}"), min_size=1, max_size=6),
    ),
    min_size=1,
    max_size=30,
)


def _brute_force(orders: list[tuple[str | None, tuple[str, ...]]]) -> Counter[tuple[str, str]]:
    """Orders containing both a and b, for every ordered pair of distinct items."""
    pairs: Counter[tuple[str, str]] = Counter()
    for _, products in orders:
        pairs.update(permutations(set(products), 2))
    return pairs


def _scores(base: Baselines, pairs: Counter[tuple[str, str]], rows: list[str]) -> np.ndarray:
    """The protocol's score from the plain count: summed counts, popularity below 1 to break
    ties (what ``Baselines`` ranks with ``_rank``: ties then go to the item seen first)."""
    ids = base.index.ids
    counts = np.array([sum(pairs[(r, item)] for r in rows) for item in ids], dtype=float)
    return counts + base._pad()


@settings(max_examples=150, deadline=None)
@given(ORDERS)
def test_rankings_are_those_of_a_plain_count(orders):
    base = Baselines()
    learned: list[tuple[str | None, tuple[str, ...]]] = []
    last: dict[str, list[tuple[str, ...]]] = {}
    for step, (customer, items) in enumerate(orders):
        products = tuple(dict.fromkeys(items))  # distinct, in line order, as Order.products
        base.learn(customer, products, step * 3600.0)
        learned.append((customer, products))
        if customer is not None:
            last.setdefault(customer, []).append(products)
        pairs = _brute_force(learned)
        for anchor in base.index.ids:
            expected = base._rank(_scores(base, pairs, [anchor]), 10, base._excluded({anchor}))
            assert base.cooccurrence_for_item(anchor, 10) == expected
        for customer_id, history in last.items():
            rows = [p for products in history[-3:] for p in products]
            exclude = set(history[0])
            expected = base._rank(_scores(base, pairs, rows), 20, base._excluded(exclude))
            assert base.cooccurrence_for_customer(customer_id, 20, exclude) == expected
            assert base.cooccurrence_for_customer(customer_id, 20, exclude) == expected  # memo


def test_counts_match_the_plain_count_exactly():
    base = Baselines()
    orders = [("c1", ("a", "b", "c")), ("c2", ("b", "c")), ("c1", ("c", "d", "a")), (None, ("d",))]
    for step, (customer, products) in enumerate(orders):
        base.learn(customer, products, float(step))
    pairs = _brute_force(orders)
    size = len(base.index.ids)
    for item, i in base.index.of.items():
        row = base.co.rows([i], size)
        assert row.tolist() == [pairs[(item, other)] for other in base.index.ids]
    assert base.cooccurrence_for_item("c", 3) == ["a", "b", "d"]  # 2, 2 (a first seen), 1


def test_memory_grows_with_pairs_not_with_the_catalogue_squared():
    """A dense int32 matrix of 6,000 product ids (capacity 8,192) took 268 MB; a shop with
    20,000 took gigabytes. 3,000 two-item orders hold 6,000 pairs (each way)."""
    tracemalloc.start()
    try:
        base = Baselines()
        for n in range(3000):
            base.learn(f"c{n % 50}", (f"p{2 * n}", f"p{2 * n + 1}"), float(n))
        assert base.cooccurrence_for_item("p0", 10)[0] == "p1"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20e6
