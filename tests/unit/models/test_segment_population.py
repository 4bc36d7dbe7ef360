"""RFM cuts describe the customers as they are now: each counts once, erased ones not at all."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from online_models.segment import Segmenter
from online_models.segment.population import Population
from online_models.segment.rfm import SEGMENTS

QUINTILES = (0.2, 0.4, 0.6, 0.8)
DAY = 86_400.0


def _batch_cuts(values: list[int]) -> list[float]:
    ordered = sorted(values)
    return [float(ordered[min(int(q * len(ordered)), len(ordered) - 1)]) for q in QUINTILES]


@given(
    st.lists(st.integers(0, 60), min_size=1, max_size=80),
    st.lists(st.tuples(st.integers(0, 79), st.integers(0, 60)), max_size=40),
)
def test_integer_cuts_equal_a_batch_over_the_current_values(values, moves) -> None:
    population = Population(1.0)
    for value in values:
        population.add(value)
    current = list(values)
    for index, new in moves:
        index %= len(current)
        population.move(current[index], new)
        current[index] = new
    assert population.cuts(QUINTILES) == _batch_cuts(current)
    assert len(population) == len(current)


def test_money_buckets_keep_order_and_sign() -> None:
    money = Population(0.01, log=True)
    for amount in (-50.0, 0.0, 9.99, 10.0, 250.0, 10_000.0):
        money.add(amount)
    cuts = money.cuts(QUINTILES)
    assert cuts == sorted(cuts)
    assert cuts[0] == 0.0 and 200 < cuts[-1] <= 250  # bucket lower edges, 1 % wide
    assert money.score(QUINTILES, -50.0) == 1
    assert money.score(QUINTILES, 9.99) == money.score(QUINTILES, 10.0)  # one bucket
    assert money.score(QUINTILES, 10_000.0) == 5


def test_removing_an_unknown_value_changes_nothing() -> None:
    population = Population(1.0)
    population.add(3)
    population.remove(7)
    assert len(population) == 1 and population.cuts((0.5,)) == [3.0]


def test_a_frequent_customer_counts_once() -> None:
    segments = Segmenter()
    for i in range(10):
        segments.learn(f"c{i}", ts=i * DAY, amount=10.0, orders=1)
    for day in range(10, 60):  # one customer orders fifty times
        segments.learn("c9", ts=day * DAY, amount=10.0, orders=1)
    # nine of ten customers ordered once: the F cuts are all 1, as in a batch RFM
    assert segments.scores("c0")[1] == 5 and segments.scores("c9")[1] == 5
    assert segments.segment_of("c0")["segment"] == "hibernating"  # one order, long ago
    assert segments.segment_of("c9")["segment"] == "champions"


def test_an_erased_customer_leaves_the_cuts() -> None:
    def shop(with_rich: bool) -> Segmenter:
        segments = Segmenter()
        for i in range(4):
            segments.learn(f"c{i}", ts=DAY, amount=10.0 * (i + 1), orders=1)
        if with_rich:
            segments.learn("rich", ts=DAY, amount=1_000_000.0, orders=1)
        return segments

    segments, never = shop(with_rich=True), shop(with_rich=False)
    before = [segments.scores(f"c{i}") for i in range(4)]
    segments.forget_customer("rich")
    after = [segments.scores(f"c{i}") for i in range(4)]
    assert segments.scores("rich") is None and len(segments) == 4
    assert after == [never.scores(f"c{i}") for i in range(4)]
    assert after != before


def _sizes_customer_by_customer(segmenter: Segmenter) -> dict[str, int]:
    """The definition: every customer's own segment, counted (what the cells must equal)."""
    sizes = dict.fromkeys(SEGMENTS, 0)
    for customer_id in segmenter.customers():
        found = segmenter.segment_of(customer_id)
        assert found is not None
        sizes[str(found["segment"])] += 1
    return sizes


_steps = st.lists(
    st.tuples(
        st.sampled_from(["learn", "learn", "learn", "cancel", "return", "forget"]),
        st.integers(0, 25),  # customer
        st.integers(0, 400),  # day
        st.integers(1, 500),  # amount
    ),
    min_size=1,
    max_size=150,
)


@given(_steps)
def test_segment_sizes_from_cells_equal_each_customers_segment_counted(steps) -> None:
    segmenter = Segmenter()
    for op, customer, day, amount in steps:
        customer_id = f"c{customer}"
        if op == "forget":
            segmenter.forget_customer(customer_id)
            continue
        orders = {"learn": 1, "cancel": -1, "return": 0}[op]
        sign = -1 if op != "learn" else 1
        segmenter.learn(customer_id, ts=day * DAY + 3600.0, amount=sign * amount, orders=orders)
    expected = _sizes_customer_by_customer(segmenter)
    assert segmenter.segment_sizes() == expected
    assert sum(expected.values()) == len(segmenter)
    restored = pickle.loads(pickle.dumps(segmenter))
    assert "_cells" not in restored.__getstate__()  # derived: never in a snapshot
    assert restored.segment_sizes() == expected
