"""Usage reports: idempotent, order-proof, validated, and scoped to the reporting licence."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cloud import SHOP

from cloud_api import licences, usage
from cloud_api.db import transaction
from cloud_api.models import Store
from cloud_api.usage import METRICS, UsageDay

OTHER = {"store_url": "https://other.example", "instance_id": "inst-0002"}


async def call(client, method: str, path: str, key: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    send = getattr(client, method)
    kwargs = {"json": body} if body is not None else {}
    response = await send(path, headers={"Authorization": f"Bearer {key}"}, **kwargs)
    return response.status_code, await response.get_json()


async def activated(client, issue, tenant: str = "Acme", shop: dict = SHOP):  # type: ignore[no-untyped-def]
    lic = issue(plan="starter", tenant=tenant, trial=False)
    status, _ = await call(client, "post", "/v1/agent/activate", lic.key, shop)
    assert status == 200
    return lic


def stored() -> list[tuple[str, int, int, int, int]]:
    with transaction():
        return [
            (
                r.day,
                r.orders_synced,
                r.recommendations_served,
                r.widget_impressions,
                r.widget_clicks,
            )
            for r in UsageDay.select().order_by(UsageDay.day)
        ]


async def test_a_retried_report_never_counts_twice(client, issue) -> None:
    lic = await activated(client, issue)
    report = {
        **SHOP,
        "usage": [
            {
                "day": "2026-01-01",
                "orders_synced": 12,
                "recommendations_served": 340,
                "widget_impressions": 900,
                "widget_clicks": 31,
            }
        ],
    }
    first = await call(client, "post", "/v1/agent/usage", lic.key, report)
    again = await call(client, "post", "/v1/agent/usage", lic.key, report)
    assert first == (200, {"store_url": "https://shop.example", "days": 1, "changed": 1})
    assert again == (200, {"store_url": "https://shop.example", "days": 1, "changed": 0})
    assert stored() == [("2026-01-01", 12, 340, 900, 31)]


async def test_totals_only_move_up_so_a_late_stale_report_changes_nothing(client, issue) -> None:
    lic = await activated(client, issue)
    newer = {**SHOP, "usage": [{"day": "2026-01-01", "orders_synced": 20}]}
    older = {**SHOP, "usage": [{"day": "2026-01-01", "orders_synced": 12, "widget_clicks": 3}]}
    await call(client, "post", "/v1/agent/usage", lic.key, newer)
    status, body = await call(client, "post", "/v1/agent/usage", lic.key, older)
    assert (status, body["changed"]) == (200, 1)
    assert stored() == [("2026-01-01", 20, 0, 0, 3)]


async def test_bad_reports_are_refused_and_change_nothing(client, issue) -> None:
    lic = await activated(client, issue)
    await call(
        client,
        "post",
        "/v1/agent/usage",
        lic.key,
        {**SHOP, "usage": [{"day": "2026-01-01", "orders_synced": 5}]},
    )
    cases = [
        ([{"day": "2026-01-01", "orders_synced": -1}], "usage[0].orders_synced"),
        ([{"day": "2026-01-01", "orders_synced": "7"}], "usage[0].orders_synced"),
        ([{"day": "2026-13-01"}], "usage[0].day"),
        ([{"day": "2026-01-02"}], "usage[0].day"),  # tomorrow
        ([{"day": "2026-01-01", "customers": 3}], "usage[0].customers"),
        ([{"day": "2025-12-31", "orders_synced": 9}, {"day": "2025-12-31"}], "usage[1]"),
        ([], "usage"),
    ]
    for days, field in cases:
        status, body = await call(
            client, "post", "/v1/agent/usage", lic.key, {**SHOP, "usage": days}
        )
        assert status == 400, days
        assert body["error"]["field"] == field
    assert stored() == [("2026-01-01", 5, 0, 0, 0)]


async def test_a_licence_cannot_report_for_another_tenants_store(client, issue) -> None:
    await activated(client, issue, tenant="Acme", shop=SHOP)
    intruder = await activated(client, issue, tenant="Globex", shop=OTHER)
    status, body = await call(
        client,
        "post",
        "/v1/agent/usage",
        intruder.key,
        {**SHOP, "usage": [{"day": "2026-01-01", "orders_synced": 99}]},
    )
    assert status == 404
    assert stored() == []
    status, _ = await call(
        client, "post", "/v1/agent/usage", "lbk_nope", {**SHOP, "usage": [{"day": "2026-01-01"}]}
    )
    assert status == 401


async def test_the_shop_sees_only_its_own_tenants_usage(client, issue) -> None:
    acme = await activated(client, issue, tenant="Acme", shop=SHOP)
    globex = await activated(client, issue, tenant="Globex", shop=OTHER)
    await call(
        client,
        "post",
        "/v1/agent/usage",
        acme.key,
        {**SHOP, "usage": [{"day": "2026-01-01", "orders_synced": 4}]},
    )
    await call(
        client,
        "post",
        "/v1/agent/usage",
        globex.key,
        {**OTHER, "usage": [{"day": "2026-01-01", "orders_synced": 70}]},
    )
    status, body = await call(client, "get", "/v1/agent/billing", acme.key)
    assert status == 200
    assert body["tenant"] == "Acme"
    assert [(u["store_url"], u["period"], u["orders_synced"]) for u in body["usage"]] == [
        ("https://shop.example", "2026-01", 4)
    ]
    assert body["invoices"] == []


DAYS = ["2025-12-30", "2025-12-31", "2026-01-01"]
report_strategy = st.lists(
    st.fixed_dictionaries(
        {"day": st.sampled_from(DAYS)},
        optional={m: st.integers(min_value=0, max_value=10**6) for m in METRICS},
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda entry: entry["day"],
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reports=st.lists(report_strategy, min_size=1, max_size=6), repeats=st.integers(1, 3))
def test_any_mix_of_retries_and_reorders_stores_each_days_largest_totals(
    app, clock, reports: list[list[dict]], repeats: int
) -> None:  # type: ignore[no-untyped-def]
    now = int(clock.time())
    with transaction():
        UsageDay.delete().execute()
        store = Store.get_or_none(Store.url == "https://prop.example")
        if store is None:
            lic, _ = licences.issue(
                tenant="Prop", plan="pro", stores=1, days=365, actor="t", now=now, trial=False
            )
            store = Store.create(
                tenant=lic.tenant_id,
                licence=lic.id,
                url="https://prop.example",
                instance_id="inst-prop1",
                activated_at=now,
            )
        for report in reports * repeats:  # every report retried ``repeats`` times
            usage.record(store, report, now=now)
        stored = {r.day: {m: getattr(r, m) for m in METRICS} for r in UsageDay.select()}
    expected: dict[str, dict[str, int]] = {}
    for report in reports:
        for entry in report:
            totals = expected.setdefault(entry["day"], dict.fromkeys(METRICS, 0))
            for m in METRICS:
                totals[m] = max(totals[m], entry.get(m, 0))
    assert stored == expected
