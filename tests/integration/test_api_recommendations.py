"""Recommendation and widget routes: values from the learned brain, filters, fallbacks, errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_api_support import Api, error_of, order, product

from connector_agent.cli import cli
from luxebrain.clock import FrozenClock

ITEM_KEYS = {"id", "name", "permalink", "image", "price", "price_html", "source", "reason"}


@pytest.fixture
def api(config_path: Path, frozen_clock: FrozenClock) -> Iterator[Api]:
    api = Api(config_path, frozen_clock)
    yield api
    api.close()


@pytest.fixture
def shop(api: Api) -> Api:
    """Tea is bought with Cup three times and with Scone once; Jam sells alone; ann buys tea."""
    api.learn(
        [
            product("tea", "Tea"),
            product("cup", "Cup", price="4.50"),
            product("scone", "Scone", category="Bakery"),
            product("jam", "Jam", category="Bakery"),
            order("o1", "ann", "tea", "cup"),
            order("o2", "bob", "tea", "cup"),
            order("o3", "cat", "tea", "cup"),
            order("o4", "dan", "tea", "scone"),
            order("o5", "eve", "jam"),
            order("o6", "eve", "jam"),
        ]
    )
    return api


def ids(answer: dict) -> list[str]:
    return [item["id"] for item in answer["items"]]


async def test_a_cold_agent_answers_every_list_with_no_error(api: Api) -> None:
    for path in (
        "/v1/recommendations/product/1",
        "/v1/recommendations/cart?ids=1,2",
        "/v1/recommendations/customer/7",
        "/v1/recommendations/popular",
        "/v1/recommendations/trending",
    ):
        assert await api.ok("GET", path) == {"items": []}


async def test_product_recommendations_carry_the_catalogue_and_the_reason(shop: Api) -> None:
    answer = await shop.ok("GET", "/v1/recommendations/product/tea")
    assert ids(answer)[:2] == ["cup", "scone"]
    cup = answer["items"][0]
    assert set(cup) == ITEM_KEYS
    assert cup["name"] == "Cup" and cup["price"] == "4.50"
    assert cup["permalink"] == "https://shop.example/p/cup"
    assert cup["image"] == "https://shop.example/i/cup.jpg"
    assert cup["price_html"] == "<span>4.50</span>"
    assert cup["source"] == "co_purchase"
    assert "Tea" in cup["reason"]


async def test_limit_exclude_and_category_filter_the_list(shop: Api) -> None:
    assert ids(await shop.ok("GET", "/v1/recommendations/product/tea?limit=1")) == ["cup"]
    assert ids(await shop.ok("GET", "/v1/recommendations/product/tea?exclude=cup"))[0] == "scone"
    bakery = await shop.ok("GET", "/v1/recommendations/product/tea?category=Bakery")
    assert ids(bakery)[0] == "scone" and "cup" not in ids(bakery)


async def test_learning_more_orders_changes_the_answer(shop: Api) -> None:
    shop.learn([order(f"x{i}", f"c{i}", "tea", "jam") for i in range(6)])
    assert ids(await shop.ok("GET", "/v1/recommendations/product/tea"))[0] == "jam"


async def test_cart_recommendations_leave_out_what_is_in_the_cart(shop: Api) -> None:
    answer = await shop.ok("GET", "/v1/recommendations/cart?ids=tea,cup")
    assert "tea" not in ids(answer) and "cup" not in ids(answer)
    assert ids(answer)[0] == "scone"


async def test_a_cart_listing_one_product_many_times_counts_it_once(shop: Api) -> None:
    """The 50-id limit counts distinct ids (a cart may list a product once per unit)."""
    many = ",".join(["tea"] * 51)
    answer = await shop.ok("GET", f"/v1/recommendations/cart?ids={many}")
    assert answer == await shop.ok("GET", "/v1/recommendations/cart?ids=tea")
    widget = await shop.ok("GET", f"/v1/widgets/cart?cart={many},cup")
    assert widget["items"] == (await shop.ok("GET", "/v1/widgets/cart?cart=tea,cup"))["items"]


async def test_popular_and_trending_rank_by_sales(shop: Api) -> None:
    popular = await shop.ok("GET", "/v1/recommendations/popular?limit=2")
    assert ids(popular) == ["tea", "cup"]
    assert {item["source"] for item in popular["items"]} == {"popular"}
    trending = await shop.ok("GET", "/v1/recommendations/trending?limit=1")
    assert trending["items"][0]["source"] == "trending"


async def test_customer_recommendations_fall_back_to_popular_without_the_feature(
    shop: Api,
) -> None:
    answer = await shop.ok("GET", "/v1/recommendations/customer/ann?limit=3")
    assert answer == await shop.ok("GET", "/v1/recommendations/popular?limit=3")


async def test_customer_recommendations_are_personal_with_the_feature(shop: Api) -> None:
    shop.license("personalised")
    answer = await shop.ok("GET", "/v1/recommendations/customer/ann?limit=3")
    assert answer["items"]
    assert {item["source"] for item in answer["items"]} != {"popular"}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/recommendations/popular?limit=0", "limit"),
        ("/v1/recommendations/popular?limit=51", "limit"),
        ("/v1/recommendations/popular?limit=ten", "limit"),
        ("/v1/recommendations/popular?exclude=1,,2", "exclude"),
        ("/v1/recommendations/trending?category=" + "x" * 201, "category"),
        ("/v1/recommendations/product/bad%20id", "product_id"),
        ("/v1/recommendations/product/1?customer_id=a%2Fb", "customer_id"),
        ("/v1/recommendations/cart", "ids"),
        ("/v1/recommendations/cart?ids=" + ",".join(str(i) for i in range(51)), "ids"),
        ("/v1/recommendations/customer/%3Cscript%3E", "customer_id"),
    ],
)
async def test_bad_parameters_are_400_naming_the_field(api: Api, path: str, field: str) -> None:
    response = await api.get(path)
    assert response.status_code == 400
    error = await error_of(response)
    assert error["code"] == "bad_request" and error["field"] == field


async def test_a_product_widget_uses_the_placement_config(shop: Api) -> None:
    answer = await shop.ok("GET", "/v1/widgets/product?product_id=tea")
    assert answer["placement"] == "product"
    assert answer["title"] == "Frequently bought together"
    assert answer["ttl"] == 300
    assert ids(answer)[:2] == ["cup", "scone"]


async def test_widgets_answer_from_their_context_or_fall_back_to_popular(shop: Api) -> None:
    cart = await shop.ok("GET", "/v1/widgets/cart?cart=tea,cup&limit=1")
    assert ids(cart) == ["scone"]
    no_context = await shop.ok("GET", "/v1/widgets/cart?limit=2")
    assert ids(no_context) == ["tea", "cup"]
    shortcode = await shop.ok("GET", "/v1/widgets/shortcode?limit=2")
    assert shortcode["title"] == "Popular right now" and ids(shortcode) == ["tea", "cup"]


async def test_the_cart_and_product_widgets_leave_out_what_the_customer_bought(
    shop: Api,
) -> None:
    """Their placements exclude bought items (the default): "you may also like" is no "buy
    again". The recommendation routes, which have no placement, keep them."""
    shop.license("personalised")
    cart = await shop.ok("GET", "/v1/widgets/cart?cart=tea&customer_id=dan")
    page = await shop.ok("GET", "/v1/widgets/product?product_id=tea&customer_id=dan")
    assert "cup" in ids(cart) and "scone" not in ids(cart)  # dan bought tea and scone
    assert "cup" in ids(page) and "scone" not in ids(page)
    route = await shop.ok("GET", "/v1/recommendations/cart?ids=tea&customer_id=dan")
    assert "scone" in ids(route)


async def test_the_thankyou_widget_is_personal_when_licensed(shop: Api) -> None:
    without = await shop.ok("GET", "/v1/widgets/thankyou?customer_id=eve&cart=jam")
    assert "jam" not in ids(without)  # no feature: the cart's answer
    shop.license("personalised")
    personal = await shop.ok("GET", "/v1/widgets/thankyou?customer_id=eve&cart=jam")
    assert personal["title"] == "Recommended for you"
    assert personal["items"] and personal != without


async def test_a_disabled_widget_has_no_items(config_path: Path, frozen_clock: FrozenClock) -> None:
    text = config_path.read_text().replace(
        '[widgets.cart]\ntitle = "You may also like"',
        '[widgets.cart]\nenabled = false\nttl_seconds = 60\ntitle = "Also"',
    )
    config_path.write_text(text)
    api = Api(config_path, frozen_clock)
    try:
        answer = await api.ok("GET", "/v1/widgets/cart?cart=1")
        assert answer == {"placement": "cart", "title": "Also", "ttl": 60, "items": []}
    finally:
        api.close()


async def test_an_unknown_placement_is_404(api: Api) -> None:
    response = await api.get("/v1/widgets/sidebar")
    assert response.status_code == 404
    assert (await error_of(response))["field"] == "placement"


async def test_answers_are_reused_until_the_models_learn_or_the_licence_changes(
    shop: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    original = shop.agent.brain.recommend_for_product

    def counting(product_id: str, **kwargs: object) -> list:
        asked.append(product_id)
        return original(product_id, **kwargs)

    monkeypatch.setattr(shop.agent.brain, "recommend_for_product", counting)
    first = await shop.ok("GET", "/v1/recommendations/product/tea")
    assert await shop.ok("GET", "/v1/recommendations/product/tea") == first
    assert await shop.ok("GET", "/v1/widgets/product?product_id=tea") is not None
    assert asked == ["tea", "tea"]  # the route and the widget: one computation each
    await shop.ok("GET", "/v1/recommendations/product/tea?limit=2")
    assert len(asked) == 3  # another query is another answer
    shop.learn([order("o9", "fay", "tea", "jam")])
    await shop.ok("GET", "/v1/recommendations/product/tea")
    assert len(asked) == 4
    shop.license("personalised")
    await shop.ok("GET", "/v1/recommendations/product/tea")
    assert len(asked) == 5


async def test_imported_orders_change_the_answers_of_a_running_agent(
    api: Api, config_path: Path, tmp_path: Path
) -> None:
    before = await api.ok("GET", "/v1/recommendations/product/85123A")
    assert before == {"items": []}
    rows = [
        "order_id,customer_id,created_at,product_id,product_name,category,quantity,"
        "unit_price,currency,status"
    ]
    for n in range(3):
        rows.append(
            f"{n},c{n},2026-11-0{n + 1}T10:00:00Z,85123A,Heart Holder,Decor,1,2.55,GBP,completed"
        )
        rows.append(
            f"{n},c{n},2026-11-0{n + 1}T10:00:00Z,22423,Cake Stand,Decor,1,12.75,GBP,completed"
        )
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(rows) + "\n")
    result = CliRunner().invoke(cli, ["import-orders", "--config", str(config_path), str(orders)])
    assert result.exit_code == 0, result.output
    api.agent.applier.apply_pending()  # what the background applier does when woken
    after = await api.ok("GET", "/v1/recommendations/product/85123A")
    assert ids(after) == ["22423"]
    assert after["items"][0]["name"] == "Cake Stand" and after["items"][0]["price"] == "12.75"
