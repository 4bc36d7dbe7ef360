"""The Brain's behaviour: order lifecycle, business filters, fallbacks, erasure, answer shapes."""

from __future__ import annotations

import pytest

from online_models import Brain, BrainConfig, Recommendation, SnapshotError
from online_models import snapshot as snapshot_format
from online_models.events import Event


def order(key: str, customer: str | None, *products: str, status: str = "completed",
          at: str = "2026-03-02T10:00:00Z", qty: int = 1, price: str = "2.50") -> Event:
    lines = [{"product_id": p, "name": p.title(), "quantity": qty, "unit_price": price}
             for p in products]
    payload = {"id": key, "status": status, "customer_id": customer, "line_items": lines}
    return Event(0, "order.upserted", key, f"{key}-{status}", at, payload)


def product(pid: str, **fields) -> Event:
    payload = {"id": pid, "name": pid.title(), "status": "publish", "stock_status": "instock",
               "categories": [{"id": 1, "name": "kitchen"}], "price": "3.00", **fields}
    return Event(0, "product.upserted", pid, f"v-{pid}-{sorted(fields.items())}",
                 "2026-03-01T00:00:00Z", payload)


@pytest.fixture
def brain() -> Brain:
    b = Brain(seed=1)
    for i in range(4):
        b.learn(order(f"o{i}", "ann", "tea", "cup", "saucer"))
    b.learn(order("o9", "bob", "tea", "scone"))
    return b


def ids(recs: list[Recommendation]) -> list[str]:
    return [r.product_id for r in recs]


def test_cold_brain_returns_fallback_or_nothing():
    brain = Brain()
    assert brain.recommend_for_customer("x") == []
    assert brain.recommend_for_product("p") == []
    assert brain.popular() == [] and brain.trending() == []
    brain.set_fallback([("f1", "popular in gift shops"), ("f2", "popular in gift shops")])
    recs = brain.recommend_for_product("p", limit=5)
    assert [(r.product_id, r.source, r.reason) for r in recs] == [
        ("f1", "fallback", "popular in gift shops"),
        ("f2", "fallback", "popular in gift shops"),
    ]
    assert brain.last_event_at is None and brain.segment_of("x") is None


def test_every_recommendation_has_a_known_source_and_a_reason(brain):
    for recs in (brain.recommend_for_customer("ann"), brain.recommend_for_product("tea"),
                 brain.recommend_for_cart(["tea", "cup"]), brain.popular(), brain.trending()):
        assert recs
        for r in recs:
            assert r.source in {"personal", "buy_again", "co_purchase", "similar",
                                "category_popular", "popular", "trending", "fallback"}
            assert r.reason


def test_business_filters(brain):
    brain.learn(product("cup", stock_status="outofstock"))
    brain.learn(product("saucer", status="draft"))
    assert ids(brain.recommend_for_product("tea")) == ["scone"]
    assert "tea" not in ids(brain.recommend_for_cart(["tea"]))
    assert ids(brain.recommend_for_product("tea", exclude=["scone"])) == []


def test_item_answers_leave_out_what_the_customer_bought_only_when_asked(brain):
    # bob bought tea and scone; his own picks (buy again) fill a long list after co-purchase
    asked = brain.recommend_for_product("cup", limit=10, customer_id="bob")
    assert {"tea", "scone"} <= set(ids(asked))
    excluded = brain.recommend_for_product(
        "cup", limit=10, customer_id="bob", exclude_purchased=True
    )
    assert excluded and not {"tea", "scone"} & set(ids(excluded))
    cart = brain.recommend_for_cart(["cup"], limit=10, customer_id="bob", exclude_purchased=True)
    assert ids(cart) == ids(excluded)
    # no customer, nothing to leave out
    assert ids(brain.recommend_for_product("cup", limit=10, exclude_purchased=True)) == ids(
        brain.recommend_for_product("cup", limit=10)
    )


def test_non_product_lines_are_never_recommended():
    brain = Brain()
    for i in range(3):
        brain.learn(order(f"o{i}", "ann", "tea", "cup"))
        ev = order(f"p{i}", "ann", "POST")
        ev.payload["line_items"][0]["category"] = "non_product"
        brain.learn(ev)
    assert "POST" not in ids(brain.popular()) + ids(brain.recommend_for_customer("ann"))


def test_cancellation_after_payment_is_compensated(brain):
    before = brain.recommend_for_product("tea")[0]
    brain.learn(order("o9", "bob", "tea", "scone", status="cancelled"))
    assert "scone" not in ids(brain.recommend_for_product("tea"))
    assert brain.recommend_for_product("tea")[0].product_id == before.product_id


def test_an_order_teaches_once(brain):
    stats = brain.stats()
    brain.learn(order("o1", "ann", "tea", "cup", "saucer"))  # same order again (a re-sync)
    snapshot = brain.snapshot()
    brain.learn(order("o1", "ann", "tea", "cup", "saucer"))
    assert brain.snapshot() == snapshot and brain.stats() == stats


def test_erased_customer_is_forgotten_everywhere(brain):
    assert brain.segment_of("ann") is not None
    assert b"ann" in snapshot_format.pickled(brain.snapshot())  # the state, uncompressed
    brain.learn(Event(0, "customer.erased", "ann", "e1", "2026-03-03T00:00:00Z", {"id": "ann"}))
    assert brain.segment_of("ann") is None
    assert all(r.source != "buy_again" for r in brain.recommend_for_customer("ann"))
    assert b"ann" not in snapshot_format.pickled(brain.snapshot())


def test_product_catalogue_shape(brain):
    brain.learn(product("tea", stock_quantity=5, permalink="https://s/tea"))
    entry = brain.product("tea")
    assert set(entry) == {"id", "name", "permalink", "image", "price", "price_html",
                          "categories", "status", "stock_status", "stock_quantity"}
    assert entry["categories"] == ["kitchen"] and entry["stock_quantity"] == 5
    assert brain.product("scone")["status"] == "publish"  # known from orders only
    assert brain.product("nope") is None


def test_forecast_shape_and_stockout():
    brain = Brain()
    for day in range(1, 29):
        brain.learn(order(f"o{day}", "ann", "tea", at=f"2026-02-{day:02d}T10:00:00Z", qty=4))
    answer = brain.forecast("tea", 7, stock=10)
    assert set(answer) == {"product_id", "days", "total", "days_until_stockout", "method"}
    assert [d["date"] for d in answer["days"]][:2] == ["2026-03-01", "2026-03-02"]
    assert all(d["low"] <= d["units"] <= d["high"] for d in answer["days"])
    assert answer["total"] == pytest.approx(28.0)
    assert answer["days_until_stockout"] == pytest.approx(2.5)
    with pytest.raises(ValueError, match="horizon"):
        brain.forecast("tea", 31)


def four_weeks_of_tea() -> Brain:
    brain = Brain()
    for day in range(1, 29):
        brain.learn(order(f"o{day}", "ann", "tea", at=f"2026-02-{day:02d}T10:00:00Z", qty=4))
    return brain


@pytest.mark.parametrize("status", ["failed", "cancelled", "refunded"])
def test_a_shop_order_first_seen_reversed_takes_nothing_back(status):
    """A failed checkout, an unpaid order cancelled on time-out, or one paid and refunded before
    the agent saw it: none ever counted, so demand and spend stay as they were."""
    brain = four_weeks_of_tea()
    forecast, segment = brain.forecast("tea", 7), brain.segment_of("ann")
    brain.learn(order("777", "ann", "tea", status=status, at="2026-02-28T12:00:00Z", qty=40))
    assert brain.forecast("tea", 7) == forecast and brain.segment_of("ann") == segment
    # paid after all (a retried payment): taught once, like any order
    brain.learn(order("777", "ann", "tea", status="processing", at="2026-02-28T13:00:00Z", qty=40))
    assert brain.forecast("tea", 7)["total"] > forecast["total"]


def test_a_return_record_of_its_own_takes_back_demand():
    """Imported histories record a return as its own order: that one is learned as a return."""
    for key, qty in (("import:C1", 40), ("R-1", -40)):
        brain = four_weeks_of_tea()
        before = brain.forecast("tea", 7)["total"]
        brain.learn(order(key, "ann", "tea", status="cancelled", at="2026-02-28T12:00:00Z",
                          qty=qty))
        assert brain.forecast("tea", 7)["total"] < before, key


def test_running_out_uses_catalogue_stock():
    brain = Brain()
    brain.learn(product("tea", stock_quantity=6))
    brain.learn(product("cup", stock_quantity=1000))
    for day in range(1, 29):
        brain.learn(order(f"o{day}", "ann", "tea", "cup", at=f"2026-02-{day:02d}T10:00:00Z"))
    assert [r["product_id"] for r in brain.running_out(within_days=14)] == ["tea"]


def test_limits_are_checked(brain):
    with pytest.raises(ValueError, match="limit"):
        brain.recommend_for_customer("ann", limit=0)
    assert len(brain.recommend_for_customer("ann", limit=2)) == 2


def test_garbage_snapshots_are_refused():
    for data in (b"", b"nonsense", Brain().snapshot()[:-5]):
        with pytest.raises(SnapshotError):
            Brain.restore(data)


def test_config_is_validated():
    with pytest.raises(ValueError, match="max_neighbours"):
        BrainConfig(max_neighbours=-1)
    assert Brain(BrainConfig(max_neighbours=5)).config.max_neighbours == 5


def test_unknown_ids_and_odd_payloads_never_raise(brain):
    brain.learn(Event(0, "order.upserted", "odd", "v", "2026-03-04T00:00:00Z",
                      {"line_items": [{"quantity": "x"}, "junk", {"product_id": "p"}]}))
    brain.learn(Event(0, "view", "u1", "1", "2026-03-04T00:00:00Z", {}))
    brain.learn(Event(0, "product.deleted", "nope", "d", "2026-03-04T00:00:00Z", {}))
    assert brain.recommend_for_customer("nobody") and brain.suggest_price("nope") is None


def test_a_config_is_restored_by_field_name_and_refused_when_its_fields_differ():
    import pickle

    import pytest

    from online_models import BrainConfig
    from online_models.snapshot import SnapshotError

    config = BrainConfig(history_candidates=7, anomaly_quantile=0.95)
    assert pickle.loads(pickle.dumps(config)) == config
    older = config.as_dict()
    del older["together_candidates"]  # a snapshot from before a field was added
    blank = BrainConfig.__new__(BrainConfig)
    with pytest.raises(SnapshotError, match="another version"):
        blank.__setstate__(older)
    with pytest.raises(SnapshotError, match="another version"):
        blank.__setstate__(list(config.as_dict().values()))  # the old positional form
