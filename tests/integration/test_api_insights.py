"""``/v1/insights/*``: licence-gated owner insights read from the brain; 402 when not licensed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_api_support import Api, error_of, order, product, tea_and_cup_orders

from luxebrain.clock import FrozenClock
from online_models.events import Event, version_of

GATED = {
    "/v1/insights/forecasts?product_id=tea": "forecasts",
    "/v1/insights/forecasts?running_out=1": "forecasts",
    "/v1/insights/segments": "segments",
    "/v1/insights/segments/ann": "segments",
    "/v1/insights/prices": "pricing",
    "/v1/insights/anomalies": "anomalies",
}


@pytest.fixture
def api(config_path: Path, frozen_clock: FrozenClock) -> Iterator[Api]:
    api = Api(config_path, frozen_clock)
    api.learn(
        [product("tea", "Tea", stock=3), product("cup", "Cup", stock=500)] + tea_and_cup_orders(24)
    )
    yield api
    api.close()


@pytest.mark.parametrize(("path", "feature"), sorted(GATED.items()))
async def test_a_route_outside_the_licence_is_402(api: Api, path: str, feature: str) -> None:
    api.license(*(f for f in GATED.values() if f != feature))
    response = await api.get(path)
    assert response.status_code == 402
    error = await error_of(response)
    assert error["code"] == "feature_not_licensed" and error["field"] == feature


async def test_a_forecast_for_a_product(api: Api) -> None:
    api.license("forecasts")
    answer = await api.ok("GET", "/v1/insights/forecasts?product_id=tea&horizon=14")
    assert answer["product_id"] == "tea" and answer["horizon"] == 14
    forecast = answer["forecast"]
    assert len(forecast["days"]) == 14
    assert forecast["days"][0]["date"] == "2026-11-25"
    assert forecast["total"] > 0
    assert forecast["days_until_stockout"] is not None


async def test_products_running_out_soon(api: Api) -> None:
    api.license("forecasts")
    answer = await api.ok("GET", "/v1/insights/forecasts?running_out=1&within_days=30")
    assert answer["within_days"] == 30
    assert [p["product_id"] for p in answer["products"]] == ["tea"]
    assert answer["products"][0]["stock"] == 3


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/v1/insights/forecasts", 400, "product_id"),
        ("/v1/insights/forecasts?product_id=tea&horizon=31", 400, "horizon"),
        ("/v1/insights/forecasts?product_id=nope", 404, "product_id"),
        ("/v1/insights/forecasts?running_out=yes", 400, "running_out"),
        ("/v1/insights/forecasts?running_out=1&within_days=0", 400, "within_days"),
        ("/v1/insights/segments/nobody", 404, "customer_id"),
        ("/v1/insights/prices?product_id=nope", 404, "product_id"),
        ("/v1/insights/anomalies?limit=99", 400, "limit"),
    ],
)
async def test_bad_insight_queries(api: Api, path: str, status: int, field: str) -> None:
    api.license()
    response = await api.get(path)
    assert response.status_code == status
    assert (await error_of(response))["field"] == field


def mug_sold_at_two_prices() -> list[Event]:
    """Mug's posted price moves between 3.00 and 3.30 every two weeks, and demand with it:
    enough for a price suggestion."""
    start = datetime(2026, 7, 1, 10, tzinfo=UTC)
    events, day = [], 0
    for phase, (price, daily) in enumerate([("3.00", 20), ("3.30", 12)] * 3):
        events.append(product("mug", "Mug", price=price, sku=f"MUG-{phase}"))  # a new version
        for _ in range(14):
            at = (start + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")
            sold = order(f"m{day}", None, "mug", at=at)
            sold.payload["line_items"][0].update(quantity=daily, unit_price=price)
            events.append(replace(sold, version=version_of(at, sold.payload)))
            day += 1
    return events


@pytest.mark.parametrize(
    "path", ["/v1/insights/forecasts?product_id=mug", "/v1/insights/prices?product_id=mug"]
)
async def test_a_trashed_product_has_no_forecast_or_price(api: Api, path: str) -> None:
    api.license()
    api.learn(mug_sold_at_two_prices())
    assert (await api.get(path)).status_code == 200
    at = "2026-11-25T00:00:00Z"
    api.learn([Event(0, "product.deleted", "mug", "deleted:x", at, {"id": "mug"})])
    response = await api.get(path)
    assert response.status_code == 404
    error = await error_of(response)
    assert error["code"] == "not_found" and error["field"] == "product_id"
    prices = await api.ok("GET", "/v1/insights/prices")
    assert "mug" not in [s["product_id"] for s in prices["suggestions"]]


async def test_segments_sizes_and_a_customers_segment(api: Api) -> None:
    api.license("segments")
    sizes = (await api.ok("GET", "/v1/insights/segments"))["segments"]
    assert sum(sizes.values()) == 2
    ann = await api.ok("GET", "/v1/insights/segments/ann")
    assert ann["customer_id"] == "ann"
    assert ann["segment"] == api.agent.brain.segment_of("ann")


async def test_price_suggestions_and_flagged_orders(api: Api) -> None:
    api.license("pricing", "anomalies")
    prices = await api.ok("GET", "/v1/insights/prices?limit=5")
    assert prices == {"suggestions": api.agent.brain.price_suggestions(limit=5)}
    flagged = await api.ok("GET", "/v1/insights/anomalies?limit=5")
    assert flagged == {"orders": api.agent.brain.flagged_orders(limit=5)}


async def test_the_licence_on_disk_is_reread_within_a_minute(api: Api) -> None:
    api.license("segments")  # as a check-in would set it; the file on disk says "free"
    assert (await api.get("/v1/insights/segments")).status_code == 200
    api.clock.advance(59)
    assert (await api.get("/v1/insights/segments")).status_code == 200
    api.clock.advance(1)
    assert (await api.get("/v1/insights/segments")).status_code == 402
