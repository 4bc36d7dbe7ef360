"""DecayedCounter's cached top list: always what a full sort gives, before and after restore."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from online_models.decay import DecayedCounter

DAY = 86_400.0
KEYS = list("abcdefghij")

operations = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "add", "remove", "forget", "ask", "batch"]),
        st.sampled_from(KEYS),
        # whole days so ties happen; jumps of 300 days rebase the decay (2 ** 200 is exceeded)
        st.sampled_from([0, 0, 1, 2, 300]),
    ),
    max_size=60,
)


def _sorted_top(counter: DecayedCounter, n: int) -> list[tuple[str, float]]:
    """The definition: the top list fully sorted by value, ties in the list's order."""
    counts = counter._counts
    ranked = sorted(counter._top, key=counts.__getitem__, reverse=True)
    return [(key, counts[key]) for key in ranked[:n]]


@settings(max_examples=150, deadline=None)
@given(operations)
def test_the_cached_ranking_equals_a_full_sort_after_any_updates(ops):
    counter = DecayedCounter(half_life_days=1.0, keep=3)
    day = 0
    for op, key, days in ops:
        day += days
        if op == "add":
            counter.add(key, 1.0, day * DAY)
        elif op == "remove" and key in counter:
            counter.add(key, -0.5, day * DAY)
        elif op == "batch":
            # an order's products added in one call equal the same adds one by one
            keys = KEYS[KEYS.index(key) :][:4]
            sign = -0.5 if days == 2 else 1.0
            one_by_one = pickle.loads(pickle.dumps(counter))
            for each in keys:
                if sign > 0 or each in one_by_one:
                    one_by_one.add(each, sign, day * DAY)
            counter.add_many([k for k in keys if sign > 0 or k in counter], sign, day * DAY)
            assert counter._counts == one_by_one._counts
            assert list(counter._top) == list(one_by_one._top)
        elif op == "forget":
            counter.forget(key)
        else:
            counter.top(2)
        restored = pickle.loads(pickle.dumps(counter))
        for n in (1, 3, 10):
            assert counter.top(n) == _sorted_top(counter, n)
            assert restored.top(n) == counter.top(n)


def test_a_gap_of_thousands_of_half_lives_rebases_instead_of_overflowing():
    counter = DecayedCounter(half_life_days=1.0, keep=3)
    counter.add("old", 5.0, 0.0)
    counter.add("new", 1.0, 2_000 * DAY)  # exp(2000 * ln 2) is past the largest float
    assert [key for key, _ in counter.top(2)] == ["new", "old"]
    assert counter.value("new", 2_000 * DAY) == 1.0
    assert counter.value("old", 2_000 * DAY) < 1e-300


def test_adding_no_keys_changes_nothing_even_when_a_rebase_is_due():
    # found by the property above: an empty batch long after the last add rebased the values
    counter = DecayedCounter(half_life_days=1.0, keep=3)
    counter.add("a", 1.0, 0.0)
    before = pickle.dumps(counter)
    counter.add_many([], -0.5, 302 * DAY)
    assert pickle.dumps(counter) == before
