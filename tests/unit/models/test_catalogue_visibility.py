"""Products the shop keeps out of its catalogue pages are never recommended."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from online_models import Brain
from online_models.catalogue import Catalogue
from online_models.events import Event
from online_models.orders import Line


def product(key: str, visibility: str | None, version: str = "v1") -> Event:
    payload = {"id": key, "name": key.title(), "status": "publish", "stock_status": "instock",
               "price": "3.00", "categories": [{"id": "1", "name": "Tea"}],
               "catalog_visibility": visibility}
    return Event(0, "product.upserted", key, version, "2026-03-01T00:00:00Z", payload)


def order(key: str, at: str) -> Event:
    lines = [{"product_id": p, "name": p, "quantity": 1, "unit_price": "3.00"}
             for p in ("tea", "cup", "wrap")]
    payload = {"id": key, "status": "completed", "customer_id": "ann", "line_items": lines}
    return Event(0, "order.upserted", key, key, at, payload)


def everywhere(brain: Brain) -> set[str]:
    """Every item any kind of query shows."""
    shown = set()
    for recs in (brain.popular(), brain.trending(), brain.recommend_for_product("tea"),
                 brain.recommend_for_cart(["tea", "cup"]), brain.recommend_for_customer("ann")):
        shown |= {r.product_id for r in recs}
    return shown


@pytest.mark.parametrize("visibility", ["hidden", "search"])
def test_a_product_out_of_the_catalogue_is_never_shown_until_it_is_back(visibility):
    brain = Brain(seed=6)
    for key in ("tea", "cup"):
        brain.learn(product(key, "visible"))
    brain.learn(product("wrap", visibility))
    for i in range(3):
        brain.learn(order(str(i), f"2026-03-0{2 + i}T10:00:00Z"))
    assert "wrap" not in everywhere(brain) and "cup" in everywhere(brain)
    restored = Brain.restore(brain.snapshot())
    assert "wrap" not in everywhere(restored)
    brain.learn(product("wrap", "catalog", version="v2"))  # back on the shop pages
    assert "wrap" in everywhere(brain)


def test_a_payload_without_a_visibility_is_shown():
    brain = Brain(seed=6)
    brain.learn(product("wrap", None))
    brain.learn(order("1", "2026-03-02T10:00:00Z"))
    assert "wrap" in everywhere(brain)


_PRODUCT_CHANGES = st.lists(
    st.tuples(
        st.sampled_from(["upsert", "delete", "line", "pickle"]),
        st.sampled_from(["p1", "p2", "p3"]),
        st.sampled_from(["publish", "draft", "private", "trash"]),
        st.sampled_from(["instock", "outofstock", "onbackorder"]),
        st.sampled_from([None, "visible", "hidden", "search", "catalog"]),
        st.sampled_from(["Tea", "non_product"]),
    ),
    max_size=30,
)


def _passes_the_filters(catalogue: Catalogue, product_id: str) -> bool:
    """The business filters as stated: published, in the catalogue, in stock, merchandise."""
    entry = catalogue.get(product_id)
    if entry is None:
        return True
    return (
        entry["status"] == "publish"
        and product_id not in catalogue._hidden
        and entry["stock_status"] != "outofstock"
        and "non_product" not in entry["categories"]
    )


@settings(max_examples=150, deadline=None)
@given(changes=_PRODUCT_CHANGES)
def test_the_remembered_filter_answers_what_the_filters_say_through_any_changes(changes):
    """After any upserts, deletes, products first seen on order lines and snapshot round
    trips, ``recommendable`` says what the filters say of the product as it now is."""
    catalogue = Catalogue()
    for action, pid, status, stock, visibility, category in changes:
        if action == "upsert":
            catalogue.upsert({"id": pid, "name": pid, "status": status, "stock_status": stock,
                              "catalog_visibility": visibility,
                              "categories": [{"id": 1, "name": category}]})
        elif action == "delete":
            catalogue.delete(pid)
        elif action == "line":
            catalogue.learn_line(Line(pid, pid, category, 1, 2.0))
        else:
            catalogue = pickle.loads(pickle.dumps(catalogue))
        for product_id in ("p1", "p2", "p3", "never-seen"):
            assert catalogue.recommendable(product_id) == _passes_the_filters(catalogue, product_id)


def test_a_product_deleted_before_any_order_named_it_stays_deleted():
    """A backfill reads products before orders: a product trashed before the brain saw it,
    then named by old orders, must not come back as published and be recommended."""
    brain = Brain(seed=1)
    brain.learn(Event(0, "product.deleted", "wrap", "d", "2026-03-01T00:00:00Z", {"id": "wrap"}))
    for day in range(2, 6):
        brain.learn(order(f"o{day}", f"2026-03-0{day}T10:00:00Z"))
    assert "wrap" not in everywhere(brain)
    assert {"tea", "cup"} <= everywhere(brain)
    wrap = brain.product("wrap")
    assert wrap is not None and (wrap["status"], wrap["name"]) == ("trash", "wrap")
    brain.learn(product("wrap", None))  # restored from the trash
    assert "wrap" in everywhere(brain)
