"""Products with alike names (``NameIndex``) as candidates and a feature of item queries."""

from __future__ import annotations

from online_models import Brain
from online_models.events import Event
from online_models.recommend import NameIndex
from online_models.recommend.candidates import NAME_CANDIDATES
from tests.unit.models.test_brain import order, product


def test_a_product_page_offers_an_alike_named_product_never_bought_with_it():
    brain = Brain(seed=1)
    brain.learn(order("o1", None, "lunch bag red", "cup"))
    brain.learn(order("o2", None, "lunch bag pink", "saucer"))
    brain.learn(order("o3", None, "kettle", "saucer"))
    answer = brain.recommend_for_product("lunch bag red")
    recs = {r.product_id: (r.source, r.reason) for r in answer}
    assert recs["cup"] == ("co_purchase", "often bought together with Lunch Bag Red")
    assert recs["lunch bag pink"] == ("similar", "similar to Lunch Bag Red")
    ranked = [r.product_id for r in brain.recommend_for_product("lunch bag red")]
    # the alike name ranks above a product only as popular as it
    assert ranked.index("lunch bag pink") < ranked.index("kettle")


def test_a_renamed_product_is_indexed_under_its_new_name():
    brain = Brain(seed=1)
    brain.learn(order("o1", None, "lunch bag red", "cup"))
    brain.learn(order("o2", None, "lunch bag pink", "saucer"))
    assert "lunch bag pink" in _similar(brain, "lunch bag red")
    brain.learn(product("lunch bag pink", name="Garden gnome"))
    assert "lunch bag pink" not in _similar(brain, "lunch bag red")
    brain.learn(product("saucer", name="Lunch box red"))
    assert _similar(brain, "lunch bag red") == ["saucer"]
    # the index travels in the snapshot
    assert _similar(Brain.restore(brain.snapshot()), "lunch bag red") == ["saucer"]


def _similar(brain: Brain, anchor: str) -> list[str]:
    return [r.product_id for r in brain.recommend_for_product(anchor) if r.source == "similar"]


def test_a_word_most_products_share_tells_them_apart_no_more():
    index = NameIndex(max_share=0.5, min_common=1)
    for i in range(10):
        index.learn(f"p{i}", f"Mug number {chr(97 + i) * 3}")
    index.learn("x", "Mug red")
    index.learn("y", "Plate red")
    # "mug" is in 11 of 12 names: only "red" counts
    assert index.similar(["x"], 5) == [("y", 1.0)]
    assert index.closest("p1", ["x", "y"]) is None


def test_forgotten_and_renamed_products_leave_no_postings():
    index = NameIndex()
    index.learn("a", "Red mug")
    index.learn("b", "Red plate")
    index.learn("b", "Blue plate")
    index.forget("a")
    assert len(index) == 1
    assert index.scores(["b"]) == {}
    assert repr(index) == "NameIndex(products=1, words=2)"


def test_an_item_query_reaches_only_the_most_alike_names():
    index = NameIndex(max_share=1.0, min_common=1000)
    index.learn("anchor", "Regency teacup")
    for i in range(NAME_CANDIDATES + 10):
        index.learn(f"p{i:02}", "Regency teacup" if i < 5 else "Regency plate")
    best = index.similar(["anchor"], NAME_CANDIDATES)
    assert len(best) == NAME_CANDIDATES
    assert [p for p, _ in best[:5]] == ["p00", "p01", "p02", "p03", "p04"]
    assert best[0][1] == 1.0 and best[5][1] < 1.0


def test_a_deleted_product_leaves_the_index():
    brain = Brain(seed=1)
    brain.learn(order("o1", None, "lunch bag red", "lunch bag pink"))
    assert len(brain._names) == 2
    brain.learn(Event(0, "product.deleted", "lunch bag pink", "d1", "2026-03-03T00:00:00Z", {}))
    assert len(brain._names) == 1
    assert brain._names.scores(["lunch bag red"]) == {}


def test_a_deleted_product_stays_out_when_its_old_orders_come_again():
    """A backfill reads orders after products, and a status change resends an old order: the
    trashed product must not come back and take an alike slot from a live one."""
    brain = Brain(seed=1)
    brain.learn(order("o1", None, "lunch bag old", "cup"))
    brain.learn(order("o2", None, "lunch bag red", "saucer"))
    brain.learn(Event(0, "product.deleted", "lunch bag old", "d1", "2026-03-03T00:00:00Z", {}))
    brain.learn(order("o1", None, "lunch bag old", "cup", status="processing"))
    assert "lunch bag old" not in brain._names.scores(["lunch bag red"])
    brain.learn(product("lunch bag old"))  # published again
    assert "lunch bag old" in brain._names.scores(["lunch bag red"])


def test_an_orders_own_new_names_are_not_candidates_of_its_training_rows():
    """The item ranker learns from what a product page would have shown just before the order:
    a product this order makes known for the first time could not have been reached by name."""
    brain = Brain(seed=1)
    taught = []
    learn = brain._learned_items.learn
    brain._learned_items.learn = lambda rows, bought: taught.append(dict(rows)) or learn(
        rows, bought
    )
    brain._learned_items.choose_to_train = lambda share: True
    brain._learned_items.choose = lambda products: products[0]
    brain.learn(order("o1", None, "kettle", "cup"))
    brain.learn(order("o2", None, "lunch bag red", "lunch bag pink"))
    assert "lunch bag pink" not in taught[-1]
    assert "lunch bag pink" in brain._names.scores(["lunch bag red"])  # known from now on


def test_a_word_in_more_products_than_max_postings_is_left_out_of_queries():
    index = NameIndex(max_share=1.0, min_common=1000, max_postings=3)
    for i in range(4):
        index.learn(f"p{i}", f"Bag {'red' if i < 2 else 'blue'}")
    # "bag" is in 4 names, over the 3 allowed: only the colours count
    assert index.similar(["p0"], 5) == [("p1", 1.0)]
