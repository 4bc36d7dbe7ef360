"""The shop's latest first orders: the index a new customer's list covers, and that list."""

from __future__ import annotations

import pickle
from collections import Counter
from itertools import islice

from hypothesis import given, settings
from hypothesis import strategies as st

from online_models import Brain
from online_models.events import Event
from online_models.orders import Order
from online_models.recommend import FirstBaskets
from online_models.recommend.coverage import cover_held
from tests.unit.models.test_brain import order

PRODUCTS = ["tea", "cup", "jam", "saw", "nail"]
CUSTOMERS = ["ann", "bob", "cy", "dee"]


def first(customer: str | None) -> Order:
    return Order("k", "completed", customer, 0.0, 0, 0, ())


operations = st.lists(
    st.tuples(
        st.sampled_from(["first", "reverse", "forget"]),
        st.sampled_from(CUSTOMERS),
        st.lists(st.sampled_from(PRODUCTS), min_size=1, max_size=4, unique=True).map(tuple),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(operations, st.integers(min_value=1, max_value=5))
def test_the_index_holds_the_latest_first_orders_of_customers_still_known(ops, keep):
    """Against the plain definition: each customer's latest first order, the ``keep`` most
    recent of them, less reversed ones and forgotten customers; through a snapshot too."""
    model = FirstBaskets(keep=keep, max_basket_items=3)
    held: dict[str, tuple[str, ...]] = {}  # customer -> basket, oldest first
    for op, customer, basket in ops:
        basket = basket[:3]
        if op == "first":
            model.learn_order(first(customer), basket, 1)
            held.pop(customer, None)
            held[customer] = basket
            while len(held) > keep:
                del held[next(iter(held))]
        elif op == "reverse":
            model.learn_order(first(customer), basket, -1)
            if held.get(customer) == basket:
                del held[customer]
        else:
            model.forget_customer(customer)
            held.pop(customer, None)
        expected = Counter(p for b in held.values() for p in b)
        index = {p: list(serials) for p, serials in model.holding(PRODUCTS).items()}
        assert {p: len(serials) for p, serials in index.items()} == expected
        assert all(serials == sorted(set(serials)) for serials in index.values())
        assert len(model) == len(held)
    restored = pickle.loads(pickle.dumps(model))
    assert {p: list(s) for p, s in restored.holding(PRODUCTS).items()} == {
        p: list(s) for p, s in model.holding(PRODUCTS).items()
    }
    assert repr(restored) == repr(model)


def test_guests_and_empty_baskets_are_not_first_orders():
    model = FirstBaskets(keep=3, max_basket_items=3)
    model.learn_order(first(None), ("tea",), 1)
    model.learn_order(first("ann"), (), 1)
    assert len(model) == 0 and model.holding(["tea"]) == {}


def test_covering_the_first_orders_reaches_more_kinds_of_them():
    """First orders come in two kinds: a set of six bought together (the best sellers) and a
    single saw, a little less often. Ranked one by one, the top five is from the set and misses
    every saw order; covering the first orders puts the saw in the five."""
    model = FirstBaskets(keep=100, max_basket_items=10)
    kit = ("tea", "cup", "jam", "mug", "pot", "lid")
    for i in range(50):
        model.learn_order(first(f"c{i}"), ("saw",) if i % 5 in (1, 3) else kit, 1)
    ranked = [(1.0 - 0.01 * n, p) for n, p in enumerate(kit)] + [(0.9, "saw")]
    plain = [p for _, p in ranked[:5]]
    covered = cover_held(ranked, model.holding(p for _, p in ranked), weight=1.0, discount=0.3)
    top5 = [p for _, p in islice(covered, 5)]
    assert "saw" not in plain and top5[:2] == ["tea", "saw"]


def test_the_brain_keeps_first_orders_only_and_forgets_them_with_the_customer():
    brain = Brain(seed=1)
    brain.learn(order("o1", "ann", "tea", "cup"))
    brain.learn(order("o2", "ann", "saw"))  # ann's second order: not a first one
    brain.learn(order("o3", "bob", "jam", at="2026-03-02T11:00:00Z"))
    brain.learn(order("o4", None, "nail"))  # a guest's
    held = brain._first_baskets
    assert held.holding(["tea", "cup", "saw", "jam", "nail"]).keys() == {"tea", "cup", "jam"}
    assert brain.stats()["first_baskets_held"] == 2
    brain.learn(order("o3", "bob", "jam", status="cancelled", at="2026-03-02T11:00:00Z"))
    assert held.holding(["jam"]) == {}
    brain.learn(Event(0, "customer.erased", "ann", "e1", "2026-03-03T00:00:00Z", {"id": "ann"}))
    assert len(held) == 0
    assert Brain.restore(brain.snapshot())._first_baskets.holding(["tea"]) == {}
