"""The anomaly detector flags what is unusual for this shop and little else."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from online_models.anomaly import AnomalyDetector
from online_models.anomaly.reference import QuantityReference
from online_models.orders import Line, Order


def _normal_order(rng: random.Random, i: int) -> Order:
    """A shop whose products each sell in their own typical quantities, by day."""
    lines = []
    for product in rng.sample(range(40), rng.randint(2, 8)):
        usual = 1 + product % 6 * 4
        lines.append(Line(f"p{product}", "", None, max(1, usual + rng.randint(-1, 2)), 3.0))
    return Order(
        f"o{i}", "completed", f"c{i % 300}", i * 600.0, i // 100, rng.randint(8, 19), tuple(lines)
    )


@pytest.fixture
def trained() -> tuple[AnomalyDetector, random.Random, int]:
    rng = random.Random(7)
    detector = AnomalyDetector(10, 6, 100, 0.8, 50, seed=3, quantile=0.99)
    for i in range(1500):
        detector.learn(_normal_order(rng, i), returning=i >= 300)
    return detector, rng, 1500


def test_normal_orders_are_seldom_flagged(trained) -> None:
    detector, rng, start = trained
    flags = [detector.learn(_normal_order(rng, start + i), returning=True) for i in range(1000)]
    # each channel flags about its top 1 % of scores: together a few percent at most
    assert sum(flags) <= 40


def test_a_quantity_spike_on_one_line_is_flagged_with_its_reason(trained) -> None:
    detector, rng, start = trained
    order = _normal_order(rng, start)
    lines = list(order.lines)
    lines[0] = replace(lines[0], quantity=lines[0].quantity * 50)
    spiked = replace(order, key="spiked", lines=tuple(lines))
    assert detector.score(spiked, returning=True) > detector.score(order, returning=True)
    assert detector.learn(spiked, returning=True) is True
    flagged = {f["order_id"]: f for f in detector.flagged(50)}
    assert "spiked" in flagged
    # scores say how far past each channel's flag line: the spike sorts among the first
    assert "spiked" in [f["order_id"] for f in detector.flagged(3)]
    assert 0.0 <= flagged["spiked"]["score"] <= 1.0
    assert any("quantity" in reason for reason in flagged["spiked"]["reasons"])


def test_the_same_products_on_many_lines_are_flagged(trained) -> None:
    detector, rng, start = trained
    order = _normal_order(rng, start)
    repeated = replace(order, key="repeated", lines=order.lines * 6)
    assert detector.learn(repeated, returning=True) is True
    reasons = {f["order_id"]: f["reasons"] for f in detector.flagged(50)}["repeated"]
    assert "the same products on many lines" in reasons


def test_a_big_night_order_by_a_new_customer_scores_above_normal_ones(trained) -> None:
    detector, rng, start = trained
    order = _normal_order(rng, start)
    night = replace(
        order,
        hour=3,
        customer_id=None,
        lines=tuple(replace(line, quantity=line.quantity * 10) for line in order.lines),
    )
    normal_scores = sorted(
        detector.score(_normal_order(rng, start + i), returning=True) for i in range(200)
    )
    assert detector.score(night, returning=False) > normal_scores[-5]


def test_nothing_is_flagged_before_two_windows() -> None:
    rng = random.Random(1)
    detector = AnomalyDetector(10, 6, 100, 0.8, 50, seed=3)
    order = _normal_order(rng, 0)
    huge = replace(order, lines=tuple(replace(ln, quantity=10_000) for ln in order.lines))
    assert detector.learn(huge, returning=False) is False
    assert detector.flagged(5) == []


def test_quantity_reference_uses_the_store_until_a_product_has_a_history() -> None:
    ref = QuantityReference()
    ref.learn([(f"p{i}", 2) for i in range(50)])  # the store sells in twos
    assert ref.largest_excess([("new", 2)]) == 0.0
    assert ref.largest_excess([("new", 200)]) > 3.0  # judged against the store's lines
    ref.learn([("crate", 500)] * 10)  # this product sells by the crate
    assert ref.largest_excess([("crate", 500), ("crate", 0)]) == 0.0
    assert ref.largest_excess([("crate", 500), ("new", 2000)]) > 3.0
    assert len(ref) == 51
