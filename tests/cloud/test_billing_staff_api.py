"""Staff JSON API of part 2: usage, invoices and the close, plan terms, fallback lists."""

from __future__ import annotations

from datetime import UTC, datetime

from support.cloud import SHOP, agent_post


async def staff(client, method: str, path: str, who, body: dict | None = None):  # type: ignore[no-untyped-def]
    kwargs = {"json": body} if body is not None else {}
    response = await getattr(client, method)(path, headers=who.headers, **kwargs)
    return response.status_code, await response.get_json()


async def test_usage_invoices_and_flags_for_staff(client, issue, sign_in, clock) -> None:
    admin = await sign_in("admin")
    lic = issue(plan="starter", trial=False)
    await agent_post(client, "/v1/agent/activate", lic.key, SHOP)
    await agent_post(
        client,
        "/v1/agent/usage",
        lic.key,
        {**SHOP, "usage": [{"day": "2026-01-01", "recommendations_served": 51_000}]},
    )
    status, body = await staff(client, "get", "/api/v1/usage?period=2026-01", admin)
    assert status == 200
    assert [(u["store_url"], u["recommendations_served"]) for u in body["usage"]] == [
        ("https://shop.example", 51_000)
    ]
    store_id = body["usage"][0]["store_id"]
    status, days = await staff(
        client, "get", f"/api/v1/usage/days?store_id={store_id}&period=2026-01", admin
    )
    assert days["days"][0]["recommendations_served"] == 51_000
    assert (await staff(client, "get", "/api/v1/usage?period=jan", admin))[0] == 400

    too_early = await staff(client, "post", "/api/v1/billing/close", admin, {"period": "2026-01"})
    assert too_early[0] == 409
    clock.advance(datetime(2026, 2, 1, 1, tzinfo=UTC).timestamp() - clock.time())
    admin = await sign_in("admin", "admin-february@vendor.example")  # sessions last hours
    status, closed = await staff(
        client, "post", "/api/v1/billing/close", admin, {"period": "2026-01"}
    )
    assert (status, closed["created"]) == (200, 1)
    status, listed = await staff(client, "get", "/api/v1/invoices?period=2026-01", admin)
    assert listed["invoices"] == closed["invoices"]
    assert listed["invoices"][0]["total_cents"] == 2900 + 50  # 1,000 over at 50 c per 1,000
    status, flags = await staff(client, "get", "/api/v1/billing/flags", admin)
    assert flags["flags"][0]["over"] == {
        "recommendations_served": {"used": 51_000, "included": 50_000}
    }


async def test_plan_terms_are_read_and_changed_with_validation(client, sign_in) -> None:
    admin = await sign_in("admin")
    status, terms = await staff(client, "get", "/api/v1/plan-terms?plan=pro", admin)
    assert (status, terms["fee_cents"], terms["over_limit_policy"]) == (200, 9900, "bill")
    change = {
        "plan": "pro",
        "included": {"orders_synced": 20_000},
        "over_limit_policy": "reduce",
        "reduced_limits": {"recommendations_per_day": 2000},
    }
    status, after = await staff(client, "post", "/api/v1/plan-terms", admin, change)
    assert status == 200
    assert after["included"] == {"orders_synced": 20_000}
    assert after["overage_per_1000_cents"] == terms["overage_per_1000_cents"]  # untouched
    for bad, field in (
        ({"plan": "pro", "included": {"visits": 3}}, "included"),
        ({"plan": "pro", "over_limit_policy": "panic"}, "over_limit_policy"),
        (
            {"plan": "pro", "overage_per_1000_cents": {"orders_synced": -1}},
            "overage_per_1000_cents",
        ),
        ({}, "plan"),
    ):
        status, body = await staff(client, "post", "/api/v1/plan-terms", admin, bad)
        assert (status, body["error"]["field"]) == (400, field)
    assert (await staff(client, "get", "/api/v1/plan-terms?plan=pro", admin))[1] == after


async def test_fallback_lists_publish_and_verticals_for_staff(client, issue, sign_in) -> None:
    admin = await sign_in("admin")
    item = {"category_path": ["Kitchen"], "title": "Enamel mug", "orders": 4}
    for n in range(3):
        lic = issue(tenant=f"Shop {n}", trial=False)
        shop = {"store_url": f"https://s{n}.example", "instance_id": f"instance-{n:04d}"}
        await agent_post(client, "/v1/agent/activate", lic.key, shop)
        status, _ = await agent_post(
            client,
            "/v1/agent/fallbacks/aggregates",
            lic.key,
            {
                **shop,
                "schema": "luxebrain-fallback-aggregates/1",
                "window": {"start": "2025-12-20", "end": "2025-12-31"},
                "items": [item],
            },
        )
        assert status == 200
    status, published = await staff(client, "post", "/api/v1/fallbacks/publish", admin, {"k": 3})
    assert (status, published["published"]) == (200, 1)
    status, listed = await staff(client, "get", "/api/v1/fallbacks", admin)
    assert [(i["title"], i["stores"]) for i in listed["items"]] == [("enamel mug", 3)]
    assert listed["categories"] == [{"category": "kitchen", "items": 1}]
    assert (await staff(client, "post", "/api/v1/fallbacks/publish", admin, {"k": 1}))[0] == 400
    status, body = await staff(
        client, "post", "/api/v1/tenants/1/vertical", admin, {"vertical": "Home Goods"}
    )
    assert (status, body["error"]["field"]) == (400, "vertical")
    status, body = await staff(
        client, "post", "/api/v1/tenants/999/vertical", admin, {"vertical": "home"}
    )
    assert (status, body["error"]["code"]) == (404, "not_found")
    status, body = await staff(
        client, "post", "/api/v1/tenants/1/vertical", admin, {"vertical": "home"}
    )
    assert body == {"tenant_id": 1, "vertical": "home"}
