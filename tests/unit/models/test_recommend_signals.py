"""The ranking signals: neighbours' neighbours, due again, first orders, the pairwise ranker."""

from __future__ import annotations

import gc
import math
import pickle
import random

import pytest

from online_models import Brain
from online_models.orders import Order
from online_models.packing import pack_rows
from online_models.recommend import (
    CoPurchase,
    LearnedBlend,
    PersonalMF,
    Popularity,
    RepeatPurchases,
)
from online_models.recommend.candidates import CandidateBuilder
from tests.unit.models.test_brain import order

DAY = 86_400.0


def test_a_rarely_bought_anchor_borrows_its_neighbours_neighbours():
    brain = Brain(seed=1)
    brain.learn(order("o1", None, "kettle", "tea"))
    for i in range(3):
        brain.learn(order(f"t{i}", None, "tea", "cup"))
    for i in range(5):
        brain.learn(order(f"p{i}", None, "towel", "soap"))
    recs = brain.recommend_for_product("kettle", limit=3)
    assert [r.product_id for r in recs][:2] == ["tea", "cup"]
    cup = recs[1]
    assert cup.source == "co_purchase"
    # never bought with a kettle: its reason names the neighbour it was reached through
    assert cup.reason == "often bought with Tea, which buyers of Kettle also buy"


def test_a_neighbours_neighbour_is_never_said_to_be_bought_with_the_anchor():
    brain = Brain(seed=1)
    for key, pair in [("o1", "scone"), ("o2", "cup"), ("o3", "cup"), ("o4", "jam")]:
        brain.learn(order(key, None, "tea", pair))
    reasons = {r.product_id: (r.source, r.reason) for r in brain.recommend_for_product("cup")}
    assert reasons == {
        "tea": ("co_purchase", "often bought together with Cup"),
        "scone": ("co_purchase", "often bought with Tea, which buyers of Cup also buy"),
        "jam": ("co_purchase", "often bought with Tea, which buyers of Cup also buy"),
    }
    # jam reached through cup's neighbour, then found bought with the cart's scone
    brain.learn(order("o5", None, "scone", "jam"))
    cart = {r.product_id: r.reason for r in brain.recommend_for_cart(["cup", "scone"])}
    assert cart["jam"] == "often bought together with Scone"


def test_a_product_page_weighs_what_its_recent_baskets_hold():
    """``together_recent`` is the share of the anchor's last baskets holding a candidate, and
    those baskets are the ones the covering list reaches; a candidate that co-purchase pruned
    but the shop's lists reach gets the anchor it was bought with, for its reason."""
    from online_models import BrainConfig

    brain = Brain(BrainConfig(max_neighbours=1), seed=1)
    days = iter(range(1, 20))
    for i in range(6):
        brain.learn(order(f"c{i}", None, "tea", "cup", at=f"2026-03-{next(days):02d}T10:00:00Z"))
    for i in range(4):
        brain.learn(order(f"h{i}", None, "tea", "honey", at=f"2026-03-{next(days):02d}T10:00:00Z"))
    brain.learn(order("j", None, "tea", "jam", at="2026-03-12T10:00:00Z"))
    for i in range(30):  # honey is the shop's best seller: the popular list reaches it
        brain.learn(order(f"s{i}", None, "honey", at="2026-03-12T11:00:00Z"))
    assert brain._copurchase.row("tea").keys() == {"cup"}  # honey's pair was pruned
    builder = brain._ranker.candidates
    found = builder.build_items(["tea"], brain._ranker.now())
    assert len(found.baskets) == 11 and all("tea" in b for b in found.baskets)
    assert found.rows["cup"]["together_recent"] == 6 / 11
    assert found.rows["honey"]["together_recent"] == 4 / 11
    assert found.anchor == {"cup": "tea", "honey": "tea", "jam": "tea"}
    # without the recent baskets: the same candidates and features, less this one
    builder.recent_baskets = None
    bare = builder.build_items(["tea"], brain._ranker.now())
    assert {p: {k: v for k, v in row.items() if k != "together_recent"}
            for p, row in found.rows.items()} == bare.rows
    assert "honey" not in bare.anchor


def test_a_product_pages_reason_counts_the_anchors_recent_orders_holding_the_item():
    """"bought in k of the last n orders with X": n = the anchor's orders read (at most
    ``cover_baskets_per_product``), k = those holding the item, counted here from the orders."""
    rng = random.Random(3)
    brain = Brain(seed=1)
    orders = []
    for i in range(140):
        basket = ["tea", *rng.sample(["cup", "honey", "jam", "scone", "milk"], rng.randint(0, 3))]
        if i % 3 == 0:
            basket = rng.sample(["cup", "honey", "jam", "scone"], 2)  # orders without tea
        day = 1 + i // 10
        brain.learn(order(f"o{i}", None, *basket, at=f"2026-03-{day:02d}T{10 + i % 10}:00:00Z"))
        orders.append(basket)
    read = brain._cfg.cover_baskets_per_product
    last_with_tea = [b for b in orders if "tea" in b][-read:]
    assert len(last_with_tea) == read < sum("tea" in b for b in orders)
    recs = brain.recommend_for_product("tea", limit=5)
    counted = [r for r in recs if r.source == "co_purchase"]
    assert len(counted) >= 3
    for rec in counted:
        times = sum(rec.product_id in b for b in last_with_tea)
        assert times >= 3
        assert rec.reason == f"bought in {times} of the last {read} orders with Tea"
    # fewer than 3 such orders are not told (one customer's basket on a quiet shop)
    brain.learn(order("rare", None, "tea", "kettle", at="2026-03-20T10:00:00Z"))
    brain.learn(order("rare2", None, "kettle", "cup", at="2026-03-20T11:00:00Z"))
    kettle = brain.recommend_for_product("kettle", limit=5)
    assert [r.reason for r in kettle if r.product_id == "tea"] == [
        "often bought together with Kettle"
    ]
    # a cart's baskets are shared among its products: its reasons name the anchor only
    for rec in brain.recommend_for_cart(["tea", "cup"], limit=5):
        if rec.source == "co_purchase":
            assert rec.reason.startswith("often bought together with ")


def _builder(repeat: RepeatPurchases) -> CandidateBuilder:
    return CandidateBuilder(
        repeat,
        Popularity(30.0),
        Popularity(7.0),
        PersonalMF(4, 0.05, 2, 2, 100, 1),
        CoPurchase(60.0, 10, 10),
        lambda anchors: {},
        max_candidates=50,
        newcomers=Popularity(30.0),
    )


def _bought(repeat: RepeatPurchases, day: float, *products: str) -> None:
    repeat.learn_order(Order(f"o{day}", "completed", "c1", day * DAY, 0, 0, ()), products, 1)


def test_due_is_one_when_the_usual_interval_has_passed():
    repeat = RepeatPurchases(half_life_days=90.0, max_items=50)
    for day in (0, 10, 20):
        _bought(repeat, day, "coffee")
    _bought(repeat, 20, "filter")
    _, _, history = repeat.profile("c1")
    assert {p: (first / DAY, last / DAY) for p, _, _, last, first, _ in history} == {
        "coffee": (0.0, 20.0),
        "filter": (20.0, 20.0),
    }
    builder = _builder(repeat)
    due = {day: builder.build_columns("c1", day * DAY).row("coffee")["due"] for day in (25, 30, 50)}
    assert due == {25: 0.5, 30: 1.0, 50: 1 / 3}
    # bought once: no interval to be due after
    assert builder.build_columns("c1", 30 * DAY).rows()["filter"]["due"] == 0.0


def test_learned_blend_ranks_pairs_and_keeps_no_intercept():
    blend = LearnedBlend(learning_rate=0.1, warmup=1, positives=2, negatives=2, seed=3)
    for _ in range(100):
        blend.learn({"a": {"together": 0.9, "popular": 0.1}, "b": {"popular": 1.0}}, {"a"})
    weights, intercept = blend.coefficients()
    assert intercept == 0.0
    assert weights["together"] > 0 > weights["popular"]
    assert blend.score({"together": 0.9, "popular": 0.1}) > blend.score({"popular": 1.0})


def test_a_buy_again_history_from_an_older_snapshot_still_restores():
    repeat = RepeatPurchases(half_life_days=90.0, max_items=50)
    for day in (0, 10):
        _bought(repeat, day, "coffee")
    history = repeat._customers["c1"]
    _, baskets, orders, last_ts, *_ = history.__getstate__()
    three_wide = pack_rows({p: e[:3] for p, e in history.items.items()})
    history.__setstate__((three_wide, baskets, orders, last_ts))
    score = repeat.items("c1")[0][1]
    assert history.items == {"coffee": (score, 2.0, 10 * DAY, 10 * DAY, 0.0)}
    # four wide (before spend was kept): no spend known
    four_wide = pack_rows({"coffee": [score, 2.0, 10 * DAY, 0.0]})
    history.__setstate__((four_wide, baskets, orders, last_ts, 4, 0.0))
    assert history.items == {"coffee": (score, 2.0, 10 * DAY, 0.0, 0.0)}


def test_a_buy_again_history_leaves_the_cyclic_gc_nothing_to_rescan():
    """A customer's history holds only numbers and ids, so once collected the GC stops tracking
    it: a long-lived brain must not be rescanned by every older-generation collection."""
    repeat = RepeatPurchases(half_life_days=90.0, max_items=50)
    for day in (0, 10, 20):
        _bought(repeat, day, "coffee")
    _bought(repeat, 30, "tea")
    restored = pickle.loads(pickle.dumps(repeat))
    gc.collect()
    for model in (repeat, restored):
        items = model._customers["c1"].items
        assert set(items) == {"coffee", "tea"}
        assert not any(gc.is_tracked(entry) for entry in items.values())
        assert not gc.is_tracked(items)
    assert restored.items("c1") == repeat.items("c1")


def test_first_orders_are_counted_apart_and_a_cancelled_first_order_is_taken_back():
    brain = Brain(seed=1)
    for i in range(3):
        brain.learn(order(f"f{i}", f"c{i}", "starter"))
        for j in range(3):
            brain.learn(order(f"r{i}{j}", f"c{i}", "refill"))
    brain.learn(order("f9", "c9", "sampler"))
    rows = brain._ranker.candidates.build_columns("stranger", brain._ranker.now()).rows()
    firsts = {p: row["first_order"] for p, row in rows.items() if "first_order" in row}
    assert firsts.keys() == {"starter", "sampler"} and firsts["starter"] == 1.0
    brain.learn(order("f9", "c9", "sampler", status="cancelled"))
    rows = brain._ranker.candidates.build_columns("stranger", brain._ranker.now()).rows()
    assert {p for p, row in rows.items() if "first_order" in row} == {"starter"}


def test_a_brain_snapshot_from_before_first_orders_were_counted_restores():
    brain = Brain(seed=1)
    brain.learn(order("o1", "ann", "tea", "cup"))
    state = brain.__getstate__()
    del state["_newcomers"]
    old = Brain.__new__(Brain)
    old.__setstate__(state)
    assert old.recommend_for_customer("ann") == brain.recommend_for_customer("ann")
    old.learn(order("o2", "bob", "scone"))
    assert old._newcomers.top(5)[0][0] == "scone"


def test_rows_for_a_sample_are_the_rows_of_the_full_build_key_for_key():
    """Training builds features only for the candidates it samples: they must be exactly what
    a query builds (values and feature order), or the ranker learns one thing and scores another."""
    from online_models.checks import synthetic_events

    brain = Brain(seed=5)
    for event in synthetic_events(n_orders=300, seed=5):
        brain.learn(event)
    builder = brain._ranker.candidates
    now = brain._ranker.now()
    checked = 0
    for customer in ("c1", "c2", "c3", "nobody"):
        plan = builder.plan(customer, now)
        full = builder.rows(plan, plan.ids)
        assert plan.ids == list(full.rows)
        sample = plan.ids[::3]
        part = builder.rows(plan, sample)
        assert list(part.rows) == sample
        for product_id in sample:
            assert list(part.rows[product_id].items()) == list(full.rows[product_id].items())
            checked += 1
        assert part.orders == {p: n for p, n in full.orders.items() if p in part.rows}
    assert checked > 20


def test_a_query_scores_its_columns_as_a_dot_product_over_each_row():
    """A query scores feature columns, never making rows: each candidate's score must be the
    float a dot product over its row gives (same terms, same order), whatever the weights."""
    from operator import mul

    from online_models.checks import synthetic_events

    brain = Brain(seed=5)
    for event in synthetic_events(n_orders=300, seed=5):
        brain.learn(event)
    builder = brain._ranker.candidates
    now = brain._ranker.now()
    rng = random.Random(3)
    names = sorted({name for name, column in builder.build_columns("c1", now).columns if column})
    assert {"buy_again", "together", "personal", "again_trending"} <= set(names)
    checked = 0
    for customer in ("c1", "c2", "c3", "c4", "nobody"):
        columns = builder.build_columns(customer, now)
        # the training path (rows, then the MF feature added) makes the query's rows
        plan = builder.plan(customer, now)
        rows = builder.rows(plan, plan.ids).rows
        builder.add_personal(customer, rows)
        assert columns.rows() == rows and list(columns.rows()) == list(rows)
        for _ in range(5):
            weights = {name: rng.uniform(-2.0, 2.0) for name in names}
            bias = rng.uniform(-1.0, 1.0)
            expected = [
                (-(bias + sum(map(mul, (weights.get(f, 0.0) for f in row), row.values()))), p)
                for p, row in rows.items()
            ]
            assert columns.scores(weights, bias) == expected
            checked += len(expected)
        for product_id, row in rows.items():
            assert list(columns.row(product_id).items()) == list(row.items())
    assert checked > 500


def _trained(**config: float) -> tuple[int, int]:
    """(customer ranker, item ranker) orders learned over the synthetic shop."""
    from online_models import BrainConfig
    from online_models.checks import synthetic_events

    brain = Brain(BrainConfig(**config), seed=2)
    for event in synthetic_events(n_orders=300, seed=2):
        brain.learn(event)
    return brain._learned.trained, brain._learned_items.trained


def test_a_young_customer_ranker_trains_on_every_order_then_on_its_share():
    rare = {"customer_train_share": 1e-9}
    assert _trained(**rare, customer_train_all_until=0)[0] == 0
    assert _trained(**rare, customer_train_all_until=40)[0] == 40
    assert _trained(**rare, customer_train_all_until=10_000)[0] > 100


def test_the_item_ranker_trains_on_its_share_of_multi_product_orders():
    everything = _trained(item_train_share=1.0)[1]
    half = _trained(item_train_share=0.5)[1]
    assert everything > 100
    assert 0.3 * everything < half < 0.7 * everything


def test_customer_candidates_take_at_most_history_candidates_of_their_history():
    repeat = RepeatPurchases(half_life_days=90.0, max_items=50)
    for day, product in enumerate(["a", "b", "c", "d", "e"]):
        _bought(repeat, day, product)
    builder = _builder(repeat)
    everything = builder.build_columns("c1", 10 * DAY).rows()
    assert {p for p, row in everything.items() if "buy_again" in row} == set("abcde")
    builder.history_candidates = 2
    assert (
        len(dict(builder.build_columns("c1", 10 * DAY).columns)["buy_again"]) == 2
    )


def test_customer_candidates_take_only_the_strongest_together_candidates():
    repeat = RepeatPurchases(half_life_days=90.0, max_items=50)
    _bought(repeat, 0, "tea")
    scores = {"cup": 0.9, "pot": 0.2, "mug": 0.7, "tray": 0.1, "tea": 0.5}
    builder = _builder(repeat)
    builder.neighbour_scores = lambda anchors: {p: (v, "tea") for p, v in scores.items()}
    builder.together_candidates = 2
    rows = builder.build_columns("c1", DAY).rows()
    together = {p for p, row in rows.items() if "together" in row}
    # the two strongest neighbours, and the history item keeps its together feature
    assert together == {"cup", "mug", "tea"}
    assert rows["mug"]["together"] == 0.7 / 0.9


@pytest.mark.parametrize("damping", [0.0, 0.5])
def test_neighbour_scores_sum_each_anchor_s_share_and_name_the_first_best_anchor(damping):
    """What a customer's co-purchase candidates are scored by, against its plain definition:
    Σ over anchors of P(i | anchor) / count(i) ** damping, and the first anchor that reaches the
    highest share."""
    from online_models import BrainConfig
    from online_models.checks import synthetic_events
    from online_models.recommend.candidates import NEIGHBOURS_PER_ANCHOR

    brain = Brain(BrainConfig(copurchase_popularity_damping=damping), seed=4)
    for event in synthetic_events(n_orders=300, seed=4):
        brain.learn(event)
    cp = brain._copurchase
    products = sorted(cp._pairs)
    rng = random.Random(damping)
    checked = 0
    for _ in range(30):
        anchors = rng.sample(products, 3) + ["never-bought"]
        shares: dict[str, list[tuple[float, str]]] = {}
        for anchor in anchors:
            base = cp.count(anchor)
            if base <= 0:
                continue
            for product_id, raw in cp.neighbours(anchor, NEIGHBOURS_PER_ANCHOR, tie_break=False):
                value = raw / base / max(cp.count(product_id), 1e-12) ** damping
                shares.setdefault(product_id, []).append((value, anchor))
        expected = {}
        for product_id, found in shares.items():
            top = max(value for value, _ in found)
            first_best = next(anchor for value, anchor in found if value == top)
            total = 0.0
            for value, _ in found:
                total += value
            expected[product_id] = (total, first_best)
        scores = brain._ranker._neighbour_scores(anchors)
        assert scores == expected and list(scores) == list(expected)
        checked += len(scores)
    assert checked > 100


def test_the_first_of_equally_strong_anchors_is_the_one_named():
    brain = Brain(seed=1)
    brain.learn(order("o1", None, "tea", "cup"))
    brain.learn(order("o2", None, "jam", "cup"))
    assert brain._ranker._neighbour_scores(["tea", "jam"])["cup"] == (2.0, "tea")
    assert brain._ranker._neighbour_scores(["jam", "tea"])["cup"] == (2.0, "jam")


def test_spend_weighs_what_the_customer_spends_most_on_and_a_take_back_returns_it():
    """``spend``: money spent on an item (quantity x unit price of the lines chosen, bundle
    contents left out), log-scaled to the customer's biggest item."""
    from online_models.orders import Line

    repeat = RepeatPurchases(half_life_days=90.0, max_items=50)

    def sold(key: str, day: float, *lines: Line, sign: int = 1) -> Order:
        order = Order(key, "completed", "c1", day * DAY, 0, 0, lines)
        repeat.learn_order(order, order.products, sign)
        return order

    sold("o1", 0, Line("flour", "Flour", None, 100, 0.99), Line("jam", "Jam", None, 2, 3.0))
    big = sold("o2", 1, Line("jam", "Jam", None, 1, 3.0), Line("box", "Box", None, 1, 50.0),
               Line("spoon", "Spoon", None, 3, 1.0, bundled=True))
    row = _builder(repeat).build_columns("c1", 2 * DAY).rows()
    assert row["flour"]["spend"] == 1.0
    assert row["jam"]["spend"] == pytest.approx(math.log1p(9.0) / math.log1p(99.0))
    assert row["box"]["spend"] == pytest.approx(math.log1p(50.0) / math.log1p(99.0))
    assert "spoon" not in row  # bundled: not the customer's choice
    sold("o2", 1, *big.lines, sign=-1)  # the big order taken back
    row = _builder(repeat).build_columns("c1", 2 * DAY).rows()
    assert set(row) == {"flour", "jam"}
    assert row["jam"]["spend"] == pytest.approx(math.log1p(6.0) / math.log1p(99.0))


def test_a_take_back_dearer_than_the_sale_leaves_no_negative_spend():
    """A forgotten order is taken back as it is now (today's exchange rate): it may take back
    more than it added, and spend stops at nothing."""
    from online_models.orders import Line

    repeat = RepeatPurchases(half_life_days=90.0, max_items=50)
    for key, price in (("o1", 10.0), ("o2", 1.0)):
        order = Order(key, "completed", "c1", DAY, 0, 0, (Line("mug", "Mug", None, 1, price),))
        repeat.learn_order(order, order.products, 1)
    dearer = Order("o1", "completed", "c1", DAY, 0, 0, (Line("mug", "Mug", None, 1, 19.35),))
    repeat.learn_order(dearer, dearer.products, -1)
    (_, _, orders, _, _, spend), = repeat.profile("c1")[2]
    assert (orders, spend) == (1, 0.0)
