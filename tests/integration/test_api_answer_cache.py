"""The answer cache: a product page's answer outlives the browsing its own widget reports, an
answer about a customer does not, and orders, a new fallback list and a config reload drop both;
the paid fallback list is served only under a licence with ``cloud_fallback``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from test_api_support import Api, order, product

from connector_agent.config import update_secrets
from luxebrain.clock import FrozenClock
from online_models import Brain
from online_models.checks import synthetic_events
from online_models.events import Event


@pytest.fixture
def shop(config_path: Path, frozen_clock: FrozenClock) -> Iterator[Api]:
    api = Api(config_path, frozen_clock)
    api.license()
    api.learn(
        [
            product("tea", "Tea"),
            product("cup", "Cup"),
            product("scone", "Scone"),
            product("jam", "Jam"),
            product("mug", "Mug"),  # never ordered: only a fallback list shows it
            order("o1", "ann", "tea", "cup"),
            order("o2", "bob", "tea", "cup"),
            order("o3", "cat", "tea", "scone"),
        ]
    )
    yield api
    api.close()


def counted(api: Api, monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Count the brain's ``name`` queries (what a cached answer does not ask)."""
    calls: list[int] = []
    query: Callable[..., Any] = getattr(api.agent.brain, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return query(*args, **kwargs)

    monkeypatch.setattr(api.agent.brain, name, counting)
    return calls


async def browse(api: Api, customer: str = "ann") -> None:
    """What a product page's widget reports (a view and an impression), then learned."""
    events = [
        {"id": str(uuid.uuid4()), "type": "view", "product_id": "tea"},
        {"id": str(uuid.uuid4()), "type": "rec_impression", "product_id": "tea",
         "placement": "product", "recommended_ids": ["cup", "scone"]},
    ]
    body = {"session_id": "sess-0001", "customer_id": customer, "events": events}
    assert (await api.ok("POST", "/v1/events", json=body))["accepted"] == 2
    assert api.agent.applier.apply_pending() == 2


async def test_a_product_answer_outlives_browsing_but_not_an_order(shop, monkeypatch) -> None:
    calls = counted(shop, monkeypatch, "recommend_for_product")
    first = await shop.ok("GET", "/v1/recommendations/product/tea")
    await browse(shop)
    assert await shop.ok("GET", "/v1/recommendations/product/tea") == first
    assert len(calls) == 1
    shop.learn([order(f"x{i}", f"c{i}", "tea", "jam") for i in range(5)])
    after = await shop.ok("GET", "/v1/recommendations/product/tea")
    assert len(calls) == 2 and after["items"][0]["id"] == "jam"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/v1/recommendations/product/tea?customer_id=ann", "recommend_for_product"),
        ("/v1/recommendations/customer/ann", "recommend_for_customer"),
        ("/v1/widgets/thankyou?customer_id=ann", "recommend_for_customer"),
    ],
)
async def test_an_answer_about_a_customer_is_asked_again_after_browsing(
    shop, monkeypatch, path: str, query: str
) -> None:
    calls = counted(shop, monkeypatch, query)
    await shop.ok("GET", path)
    await shop.ok("GET", path)
    assert len(calls) == 1
    await browse(shop)
    await shop.ok("GET", path)
    assert len(calls) == 2


async def test_a_guests_widget_answer_outlives_other_shoppers_browsing(shop, monkeypatch) -> None:
    """The plugin sends ``customer_id=`` empty for a guest: that answer is the shop's, not one
    about a customer, so another shopper's views must not drop it (they dropped every guest's
    widget answers, a brain query per page view)."""
    calls = counted(shop, monkeypatch, "recommend_for_product")
    guest = "/v1/widgets/product?product_id=tea&cart=&customer_id=&limit=4"
    first = await shop.ok("GET", guest)
    await browse(shop, customer="zed")
    assert await shop.ok("GET", guest) == first
    assert len(calls) == 1


async def test_a_new_fallback_list_drops_the_cached_answers(shop, monkeypatch) -> None:
    calls = counted(shop, monkeypatch, "recommend_for_product")
    before = await shop.ok("GET", "/v1/recommendations/product/jam?limit=4")
    assert "mug" not in [item["id"] for item in before["items"]]
    shop.agent.set_fallback([("mug", "popular in tea rooms")])
    after = await shop.ok("GET", "/v1/recommendations/product/jam?limit=4")
    assert len(calls) == 2
    assert ("mug", "fallback") in [(item["id"], item["source"]) for item in after["items"]]


def served_ids(answer: dict[str, Any]) -> list[str]:
    return [item["id"] for item in answer["items"]]


async def test_the_paid_fallback_list_is_served_only_under_a_licence_with_it(shop) -> None:
    path = "/v1/recommendations/product/jam?limit=4"
    shop.agent.set_fallback([("mug", "popular in tea rooms")])
    assert "mug" in served_ids(await shop.ok("GET", path))
    shop.license("personalised")  # a downgrade: no cloud_fallback
    assert "mug" not in served_ids(await shop.ok("GET", path))
    shop.agent.set_fallback([("mug", "popular in tea rooms")])  # the daily round, saved list
    assert "mug" not in served_ids(await shop.ok("GET", path))
    shop.license()  # paid again: the list comes back without a new round
    assert "mug" in served_ids(await shop.ok("GET", path))


async def test_a_restarted_agent_without_the_feature_drops_the_snapshots_fallback(
    shop, config_path: Path, frozen_clock: FrozenClock
) -> None:
    """The snapshot holds the list a paid licence was served; the saved file stays on disk."""
    fallback = [["mug", "popular in tea rooms"]]
    saved = Path(shop.agent.config.data_dir) / "cloud_fallback.json"
    saved.write_bytes(orjson.dumps({"fallback": fallback}))
    shop.agent.set_fallback([("mug", "popular in tea rooms")])
    shop.agent.applier.snapshot_now()
    shop.close()
    restarted = Api(config_path, frozen_clock)  # the licence on disk: free features only
    try:
        path = "/v1/recommendations/product/jam?limit=4"
        assert "mug" not in served_ids(await restarted.ok("GET", path))
        restarted.license()
        assert "mug" in served_ids(await restarted.ok("GET", path))
    finally:
        restarted.close()


async def test_a_config_reload_drops_the_cached_widget_answers(
    shop, config_path: Path, monkeypatch
) -> None:
    calls = counted(shop, monkeypatch, "recommend_for_cart")
    before = await shop.ok("GET", "/v1/widgets/cart?cart=tea")
    assert before["title"] == "You may also like" and len(before["items"]) > 1
    text = config_path.read_text().replace(
        '[widgets.cart]\ntitle = "You may also like"\nlimit = 4',
        '[widgets.cart]\ntitle = "Complete the set"\nlimit = 1',
    )
    config_path.write_text(text)
    update_secrets(config_path, metrics_token="m" * 40)  # a change the agent reloads on
    shop.clock.advance(5)
    after = await shop.ok("GET", "/v1/widgets/cart?cart=tea")
    assert after["title"] == "Complete the set" and len(after["items"]) == 1
    assert len(calls) == 2


def shop_answers(brain: Brain) -> tuple[Any, ...]:
    """Every answer that is about no customer (and the clock they are computed at)."""
    return (
        brain.recommend_for_product("p3"),
        brain.recommend_for_cart(["p1", "p2"]),
        brain.popular(),
        brain.trending(),
        brain.forecast("p3", 7),
        brain.last_event_at,
    )


def test_browsing_changes_only_answers_about_a_customer_and_impressions_nothing() -> None:
    """What the cache relies on: a view teaches the personal model alone and leaves the clock,
    so no answer without a customer moves; an impression changes nothing at all."""
    events = [e for e in synthetic_events(n_orders=60, seed=4) if e.kind != "view"]
    brain = Brain(seed=1)
    for event in events:
        brain.learn(event)
    snapshot, before = brain.snapshot(), shop_answers(brain)
    late = "2026-06-01T00:00:00Z"
    impression = {"customer_id": "c1", "product_id": "p3", "recommended_ids": ["p1"]}
    brain.learn(Event(0, "rec_impression", "i1", "1", late, impression))
    assert brain.snapshot() == snapshot and Brain.answers_changed_by("rec_impression") == "none"
    view = {"customer_id": "c1", "product_id": "p9"}
    brain.learn(Event(0, "view", "v1", "1", late, view))
    assert brain.snapshot() != snapshot  # the personal model learned
    assert shop_answers(brain) == before
