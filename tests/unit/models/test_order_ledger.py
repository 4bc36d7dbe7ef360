"""An order that left the brain's full order memory is still never taught twice (OrderLedger)."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from online_models import Brain, BrainConfig, Recommendation
from online_models.events import Event
from online_models.ledger import OrderLedger


def order(key: str, customer: str, *products: str, status: str = "completed",
          at: str = "2026-03-02T10:00:00Z") -> Event:
    """An order event as WooCommerce's give it: occurring when modified, made at 10:00."""
    lines = [{"product_id": p, "name": p, "quantity": 1, "unit_price": "2.50"} for p in products]
    payload = {"id": key, "status": status, "customer_id": customer, "line_items": lines,
               "created_at": "2026-03-02T10:00:00Z"}
    return Event(0, "order.upserted", key, f"{key}-{status}", at, payload)


def ids(recs: list[Recommendation]) -> list[str]:
    return [r.product_id for r in recs]


def small_memory(first_key: str) -> Brain:
    """A brain that remembers two orders in full, after ``first_key`` (bob: tea and scone,
    processing) and three more orders have pushed it out."""
    brain = Brain(BrainConfig(order_memory=2), seed=1)
    brain.learn(order(first_key, "bob", "tea", "scone", status="processing"))
    for key in ("102", "103", "104"):
        brain.learn(order(key, "ann", "tea", "cup"))
    assert brain.stats()["orders_remembered"] == 2
    return brain


def test_a_forgotten_order_moved_to_completed_is_not_taught_again():
    brain = small_memory("101")
    snapshot, stats = brain.snapshot(), brain.stats()
    brain.learn(order("101", "bob", "tea", "scone", status="completed"))
    assert brain.snapshot() == snapshot and brain.stats() == stats
    assert stats["orders_in_ledger"] == 4


def test_without_a_numeric_key_only_the_full_memory_knows_the_order():
    # the ledger's documented limit: an imported, non-numeric key is taught again once forgotten
    brain = small_memory("A-101")
    stats = brain.stats()
    brain.learn(order("A-101", "bob", "tea", "scone", status="completed"))
    assert brain.stats()["anomaly_orders_seen"] == stats["anomaly_orders_seen"] + 1
    assert stats["orders_in_ledger"] == 3


def test_a_refund_of_a_forgotten_order_is_taken_back_with_its_own_lines():
    brain = small_memory("101")
    assert "scone" in ids(brain.recommend_for_product("tea"))
    brain.learn(order("101", "bob", "tea", "scone", status="refunded"))
    assert "scone" not in ids(brain.recommend_for_product("tea"))
    assert "scone" not in ids(brain.popular())
    # and taken back once: a second refund event changes nothing
    snapshot = brain.snapshot()
    brain.learn(order("101", "bob", "tea", "scone", status="refunded"))
    assert brain.snapshot() == snapshot


def refunded_remembered_or_not(refund: Event) -> list[tuple[list, dict]]:
    """(popular with scores, scone's forecast) after bob's order 101 is refunded by
    ``refund``: once forgotten (memory of 2 orders), once remembered in full."""
    answers = []
    for memory in (2, 10_000):
        brain = Brain(BrainConfig(order_memory=memory), seed=1)
        brain.learn(order("101", "bob", "tea", "scone"))
        for key in ("102", "103", "104"):
            brain.learn(order(key, "ann", "tea", "cup"))
        brain.learn(refund)
        popular = [(r.product_id, round(r.score, 9)) for r in brain.popular()]
        answers.append((popular, brain.forecast("scone", 3)))
    return answers


def test_a_late_refund_takes_back_what_the_order_gave_remembered_or_not():
    """Refunded two months later: a forgotten order is taken back at the time it was made, so
    the decayed counts end as they do when the brain still remembers the order in full."""
    forgotten, remembered = refunded_remembered_or_not(
        order("101", "bob", "tea", "scone", status="refunded", at="2026-05-02T10:00:00Z"))
    assert forgotten == remembered
    assert [p for p, _ in forgotten[0]] == ["tea", "cup"]


def test_a_forgotten_order_refunded_with_its_units_takes_them_all_back():
    """The full refund names the units it gives back; none of them were learned as returned
    while the order was remembered, so all of its units come off the day it was made (the
    refund's own units were read as already taken back, and the scones stayed sold)."""
    refund = order("101", "bob", "tea", "scone", status="refunded")
    refund.payload["refunds"] = [{"id": "9", "amount": "5.00", "line_items": [
        {"product_id": p, "quantity": -1} for p in ("tea", "scone")]}]
    forgotten, remembered = refunded_remembered_or_not(refund)
    assert forgotten == remembered
    assert all(day["units"] == 0 for day in forgotten[1]["days"])


def test_a_forgotten_order_deleted_then_restored_is_not_taught_again():
    brain = small_memory("101")
    brain.learn(Event(0, "order.deleted", "101", "d", "2026-03-03T00:00:00Z", {"id": "101"}))
    stats = brain.stats()
    brain.learn(order("101", "bob", "tea", "scone", status="completed"))  # out of the trash
    assert brain.stats() == stats


keys = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.sampled_from(["0", "00", "042", "A-7", "１２", "9" * 19, "-5", ""]),
)


@given(st.lists(st.tuples(keys, st.integers(min_value=0, max_value=3)), max_size=60))
def test_the_ledger_holds_what_a_dict_would_for_plain_decimal_keys(writes):
    ledger, model = OrderLedger(), {}
    for key, state in writes:
        held = ledger.set(key, state)
        plain = key.isascii() and key.isdigit() and len(key) <= 18 and (key == "0" or key[0] != "0")
        assert held == plain
        if held:
            model[key] = state
    for key, _ in writes:
        assert ledger.get(key) == (model.get(key, 0) if key in model else None)
    assert len(ledger) == sum(1 for state in model.values() if state)
    copy = pickle.loads(pickle.dumps(ledger))
    assert all(copy.get(key) == ledger.get(key) for key, _ in writes)
    assert pickle.dumps(copy) == pickle.dumps(ledger)
