"""Cross-store fallbacks: keys, the upload contract, k-anonymity, verticals and tenant scoping."""

from __future__ import annotations

import random
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloud_api import fallbacks, licences
from cloud_api.db import transaction
from cloud_api.fallbacks import FallbackAggregate, FallbackUpload
from cloud_api.models import Store

WINDOW = {"start": "2025-12-03", "end": "2026-01-01"}


def upload_body(*items: dict) -> dict:
    return {"schema": fallbacks.SCHEMA, "window": WINDOW, "items": list(items)}


def item(title: str, orders: int = 5, gtin: str | None = None, path=("Home", "Mugs")) -> dict:  # type: ignore[no-untyped-def]
    entry = {"category_path": list(path), "title": title, "orders": orders}
    if gtin:
        entry["gtin"] = gtin
    return entry


async def call(client, method: str, path: str, key: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    kwargs = {"json": body} if body is not None else {}
    response = await getattr(client, method)(
        path, headers={"Authorization": f"Bearer {key}"}, **kwargs
    )
    return response.status_code, await response.get_json()


@pytest.fixture
def shops(client, issue):  # type: ignore[no-untyped-def]
    """``await shops(n, plan="pro")`` -> [(key, shop body)] for n tenants with one store each."""

    async def make(n: int, plan: str = "pro", first: int = 0) -> list[tuple[str, dict]]:
        made = []
        for i in range(first, first + n):
            lic = issue(plan=plan, tenant=f"Tenant {i}", trial=False)
            shop = {"store_url": f"https://shop{i}.example", "instance_id": f"instance-{i:04d}"}
            status, _ = await call(client, "post", "/v1/agent/activate", lic.key, shop)
            assert status == 200
            made.append((lic.key, shop))
        return made

    return make


def publish(clock, k: int = 3) -> dict:  # type: ignore[no-untyped-def]
    with transaction():
        return fallbacks.publish(k=k, now=int(clock.time()))


def test_keys_ignore_case_word_order_punctuation_and_gtin_spelling() -> None:
    title = fallbacks.normalise_title
    assert title("Mug, Enamel WHITE!") == title("white enamel mug") == "enamel mug white"
    cat = fallbacks.normalise_category(["Home ", "KITCHEN"])
    assert cat == "home > kitchen"
    assert fallbacks.item_key("", cat, title("A b")) == fallbacks.item_key("", cat, title("B, a"))
    assert fallbacks.item_key("", cat, "a b") != fallbacks.item_key("", "garden", "a b")
    ean = fallbacks.normalise_gtin("4006381333931")
    assert ean == fallbacks.normalise_gtin("0 4006381-333931") == "04006381333931"
    assert fallbacks.normalise_gtin("4006381333932") is None  # wrong check digit
    assert fallbacks.normalise_gtin("0306406152") == fallbacks.normalise_gtin("9780306406157")
    assert fallbacks.normalise_gtin("036000291452") == "00036000291452"  # UPC-A
    assert fallbacks.normalise_gtin("\u00b2" * 8) is None  # only ASCII digits are digits
    assert fallbacks.normalise_gtin("\u0663" * 9 + "X") is None  # nor an ISBN-10 of them


async def test_an_item_sold_by_fewer_than_k_stores_never_appears(client, shops, clock) -> None:
    stores = await shops(5)
    rng = random.Random(7)
    sold_by = {f"item {n}": rng.sample(range(5), rng.randint(1, 5)) for n in range(40)}
    for index, (key, shop) in enumerate(stores):
        items = [
            item(name, orders=rng.choice([1, 10_000]))
            for name, sellers in sold_by.items()
            if index in sellers
        ]
        status, _ = await call(
            client, "post", "/v1/agent/fallbacks/aggregates", key, {**shop, **upload_body(*items)}
        )
        assert status == 200
    for k in (2, 3, 5):
        publish(clock, k)
        status, body = await call(client, "get", "/v1/agent/fallbacks?limit=1000", stores[0][0])
        assert status == 200
        published = {entry["title"] for entry in body["items"]}
        expected = {fallbacks.normalise_title(n) for n, s in sold_by.items() if len(s) >= k}
        assert published == expected
        assert all(entry["stores"] >= k for entry in body["items"])


async def test_the_list_ranks_by_stores_then_orders_and_filters_by_category(
    client, shops, clock
) -> None:
    stores = await shops(4)
    for index, (key, shop) in enumerate(stores):
        items = [item("Blue mug", 2, gtin="4006381333931"), item("Red mug", 50)]
        if index < 3:
            items.append(item("Oak spoon", 1, path=("Home", "Cutlery")))
        await call(
            client, "post", "/v1/agent/fallbacks/aggregates", key, {**shop, **upload_body(*items)}
        )
    assert publish(clock)["published"] == 3
    _, body = await call(client, "get", "/v1/agent/fallbacks", stores[0][0])
    assert [(e["title"], e["stores"], e["orders"]) for e in body["items"]] == [
        ("mug red", 4, 200),
        ("blue mug", 4, 8),
        ("oak spoon", 3, 3),
    ]
    assert body["items"][1]["gtin"] == "04006381333931"
    assert body["vertical"] == "general"
    _, cutlery = await call(
        client, "get", "/v1/agent/fallbacks?category=home>cutlery", stores[0][0]
    )
    assert [e["title"] for e in cutlery["items"]] == ["oak spoon"]


async def test_verticals_are_aggregated_apart(client, shops, clock) -> None:
    stores = await shops(4)
    for key, shop in stores:
        await call(
            client,
            "post",
            "/v1/agent/fallbacks/aggregates",
            key,
            {**shop, **upload_body(item("Trowel"))},
        )
    publish(clock)
    _, before = await call(client, "get", "/v1/agent/fallbacks", stores[0][0])
    assert [e["stores"] for e in before["items"]] == [4]
    with transaction():  # a tenant declares its vertical after uploading: its uploads move too
        fallbacks.set_vertical(1, "garden", actor="test", now=int(clock.time()))
    publish(clock)
    # tenant 1 is now "garden": "general" keeps 3 sellers, "garden" has only 1 (never published)
    _, general = await call(client, "get", "/v1/agent/fallbacks", stores[1][0])
    _, garden = await call(client, "get", "/v1/agent/fallbacks", stores[0][0])
    assert [e["stores"] for e in general["items"]] == [3]
    assert (garden["vertical"], garden["items"]) == ("garden", [])


async def test_bad_uploads_are_refused_and_change_nothing(client, shops, clock) -> None:
    ((key, shop),) = await shops(1)
    good = {**shop, **upload_body(item("Mug"))}
    assert (await call(client, "post", "/v1/agent/fallbacks/aggregates", key, good))[0] == 200
    clock.advance(86_400)
    bad = [
        ({**item("Mug"), "customer_id": "42"}, "items[0].customer_id"),
        ({**item("Mug"), "price": "9.99"}, "items[0].price"),
        (item("Mug", orders=0), "items[0].orders"),
        (item("Mug", gtin="123"), "items[0].gtin"),
        (item("Mug", gtin="\u00b2" * 8), "items[0].gtin"),  # "²" passes str.isdigit()
        (item("Mug", gtin="\u0663" * 13), "items[0].gtin"),  # Arabic-Indic digits
        (item("!!!"), "items[0].title"),
    ]
    for entry, field in bad:
        status, body = await call(
            client, "post", "/v1/agent/fallbacks/aggregates", key, {**shop, **upload_body(entry)}
        )
        assert (status, body["error"]["field"]) == (400, field)
    status, body = await call(
        client,
        "post",
        "/v1/agent/fallbacks/aggregates",
        key,
        {**shop, **upload_body(item("Mug")), "schema": "v0"},
    )
    assert (status, body["error"]["field"]) == (400, "schema")
    with transaction():
        assert [a.title for a in FallbackAggregate.select()] == ["mug"]


async def test_uploads_are_at_most_daily_and_replace_the_previous_one(client, shops, clock) -> None:
    ((key, shop),) = await shops(1)
    path = "/v1/agent/fallbacks/aggregates"
    assert (await call(client, "post", path, key, {**shop, **upload_body(item("Mug"))}))[0] == 200
    clock.advance(3600)
    status, body = await call(client, "post", path, key, {**shop, **upload_body(item("Cup"))})
    assert status == 429 and body["error"]["code"] == "rate_limited"
    clock.advance(86_400)
    assert (await call(client, "post", path, key, {**shop, **upload_body(item("Cup"))}))[0] == 200
    with transaction():
        assert [a.title for a in FallbackAggregate.select()] == ["cup"]


async def test_the_list_needs_the_cloud_fallback_feature(client, shops) -> None:
    ((key, _),) = await shops(1, plan="starter")
    status, body = await call(client, "get", "/v1/agent/fallbacks", key)
    assert (status, body["error"]["code"]) == (403, "forbidden")


async def test_a_revoked_suspended_or_lapsed_licence_gets_no_list(client, shops, issue, clock):  # type: ignore[no-untyped-def]
    (revoked, _), (suspended, _) = await shops(2)
    trial = issue(plan="pro-trial", tenant="Trialco")
    shop = {"store_url": "https://trial.example", "instance_id": "instance-trial"}
    assert (await call(client, "post", "/v1/agent/activate", trial.key, shop))[0] == 200
    assert (await call(client, "get", "/v1/agent/fallbacks", trial.key))[0] == 200
    with transaction():
        now = int(clock.time())
        licences.revoke(licences.by_key(revoked), actor="t", now=now)
        licences.suspend(licences.by_key(suspended), actor="t", now=now)
    clock.advance(15 * 86_400)  # past the 14-day trial
    for key, code in (
        (revoked, "licence_revoked"),
        (suspended, "licence_suspended"),
        (trial.key, "licence_expired"),
    ):
        status, body = await call(client, "get", "/v1/agent/fallbacks", key)
        assert (status, body["error"]["code"]) == (403, code)


async def test_a_revoked_licence_cannot_upload_and_its_uploads_stop_counting(
    client, shops, clock
) -> None:
    stores = await shops(4)
    path = "/v1/agent/fallbacks/aggregates"
    for key, shop in stores[:3]:
        assert (await call(client, "post", path, key, {**shop, **upload_body(item("Mug"))}))[
            0
        ] == 200
    assert publish(clock)["published"] == 1
    (revoked, revoked_shop), (late, late_shop) = stores[2], stores[3]
    with transaction():
        licences.revoke(licences.by_key(revoked), actor="t", now=int(clock.time()))
        licences.revoke(licences.by_key(late), actor="t", now=int(clock.time()))
    status, body = await call(client, "post", path, late, {**late_shop, **upload_body(item("Mug"))})
    assert (status, body["error"]["code"]) == (403, "licence_revoked")
    result = publish(clock)
    assert (result["published"], result["purged_stores"]) == (0, 1)  # 2 usable stores of 3
    with transaction():
        assert FallbackUpload.select().count() == 2
        assert (
            not FallbackAggregate.select()
            .where(FallbackAggregate.store == Store.get(Store.url == revoked_shop["store_url"]).id)
            .exists()
        )


async def test_staging_copies_and_one_tenants_stores_count_once_towards_k(
    client, shops, issue, clock
) -> None:
    path = "/v1/agent/fallbacks/aggregates"
    owner = issue(plan="pro", stores=3, tenant="Chain", trial=False)  # 3 stores, 2 staging sites
    chain = [
        ({"store_url": f"https://branch{n}.chain.example", "instance_id": f"branch-{n:04d}"}, False)
        for n in range(3)
    ] + [
        ({"store_url": f"https://staging{n}.chain.example", "instance_id": f"stage-{n:04d}"}, True)
        for n in range(2)
    ]
    for shop, staging in chain:
        activated = {**shop, "staging": staging}
        assert (await call(client, "post", "/v1/agent/activate", owner.key, activated))[0] == 200
        status, body = await call(
            client, "post", path, owner.key, {**shop, **upload_body(item("Mug"), item("Cup"))}
        )
        assert (status, body["items"]) == (200, 0 if staging else 2)
    with transaction():
        assert FallbackUpload.select().count() == 3  # the staging sites' uploads are not kept
    assert publish(clock, k=2)["published"] == 0  # five of one tenant's sites: one party
    ((key, shop),) = await shops(1)
    await call(client, "post", path, key, {**shop, **upload_body(item("Mug"))})
    assert publish(clock, k=3)["published"] == 0
    result = publish(clock, k=2)
    with transaction():
        listed = fallbacks.top("general")["items"]
    assert result["published"] == 1
    assert [(i["title"], i["stores"]) for i in listed] == [("mug", 4)]  # 2 tenants, 4 stores


async def test_a_limit_that_is_not_ascii_digits_is_a_400(client, shops) -> None:
    ((key, _),) = await shops(1)
    for limit in ("%C2%B2", "abc", "-1"):
        status, body = await call(client, "get", f"/v1/agent/fallbacks?limit={limit}", key)
        assert (status, body["error"]["field"]) == (400, "limit")
    assert (await call(client, "get", "/v1/agent/fallbacks?limit=5", key))[0] == 200


async def test_stale_uploads_and_inactive_stores_stop_counting(client, shops, clock) -> None:
    stores = await shops(3)
    for key, shop in stores:
        await call(
            client,
            "post",
            "/v1/agent/fallbacks/aggregates",
            key,
            {**shop, **upload_body(item("Mug"))},
        )
    assert publish(clock)["published"] == 1
    key, shop = stores[2]
    assert (await call(client, "post", "/v1/agent/deactivate", key, shop))[0] == 200
    assert publish(clock)["published"] == 0
    clock.advance(fallbacks.UPLOAD_TTL + 1)
    with transaction():
        assert fallbacks.publish(k=2, now=int(clock.time()))["published"] == 0


async def test_a_publish_waits_for_one_in_progress_instead_of_failing(client, shops, clock) -> None:
    for key, shop in await shops(3):
        await call(
            client,
            "post",
            "/v1/agent/fallbacks/aggregates",
            key,
            {**shop, **upload_body(item("Mug"))},
        )
    results: list[int] = []
    holding = threading.Event()

    def first() -> None:
        with transaction():  # publishes, then keeps its transaction open for a moment
            results.append(fallbacks.publish(k=3, now=int(clock.time()))["published"])
            holding.set()
            time.sleep(0.5)

    def second() -> None:
        holding.wait()
        results.append(publish(clock)["published"])

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [1, 1]


STORES = 6


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    k=st.integers(min_value=2, max_value=STORES),
    sales=st.dictionaries(
        st.sampled_from([f"item {n}" for n in range(12)]),
        st.dictionaries(
            st.integers(min_value=0, max_value=STORES - 1),
            st.integers(min_value=1, max_value=10**7),
            min_size=1,
        ),
        min_size=1,
    ),
)
def test_published_items_are_exactly_those_sold_by_k_stores(
    seeded_stores: list[Store], clock, k: int, sales: dict[str, dict[int, int]]
) -> None:
    """Whatever the order counts, an item sold by k - 1 stores never appears."""
    now = int(clock.time())
    with transaction():
        FallbackAggregate.delete().execute()
        FallbackUpload.delete().execute()
        for index, store in enumerate(seeded_stores):
            items = [
                item(name, orders)
                for name, sold in sales.items()
                for seller, orders in sold.items()
                if seller == index
            ]
            if items:
                fallbacks.upload(store, upload_body(*items), now=now)
        fallbacks.publish(k=k, now=now)
        published = {i["title"]: i["stores"] for i in fallbacks.top("general", limit=1000)["items"]}
    expected = {fallbacks.normalise_title(n): len(s) for n, s in sales.items() if len(s) >= k}
    assert published == expected


@pytest.fixture
def seeded_stores(app, clock) -> list[Store]:  # type: ignore[no-untyped-def]
    now = int(clock.time())
    with transaction():
        stores = []
        for n in range(STORES):
            lic, _ = licences.issue(
                tenant=f"T{n}", plan="pro", stores=1, days=365, actor="t", now=now, trial=False
            )
            stores.append(
                Store.create(
                    tenant=lic.tenant_id,
                    licence=lic.id,
                    url=f"https://p{n}.example",
                    instance_id=f"inst-{n:05d}",
                    activated_at=now,
                )
            )
    return stores


#: the tenant of each of the STORES stores: two tenants own two stores each
OWNERS = [0, 0, 1, 2, 2, 3]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    k=st.integers(min_value=2, max_value=len(set(OWNERS))),
    sales=st.dictionaries(
        st.sampled_from([f"item {n}" for n in range(12)]),
        st.sets(st.integers(min_value=0, max_value=STORES - 1), min_size=1),
        min_size=1,
    ),
)
def test_published_items_are_exactly_those_sold_by_k_tenants(
    shared_stores: list[Store], clock, k: int, sales: dict[str, set[int]]
) -> None:
    """k counts shops' owners: however many of one tenant's stores sell an item, it is one."""
    now = int(clock.time())
    with transaction():
        FallbackAggregate.delete().execute()
        FallbackUpload.delete().execute()
        for index, store in enumerate(shared_stores):
            items = [item(name) for name, sellers in sales.items() if index in sellers]
            if items:
                fallbacks.upload(store, upload_body(*items), now=now)
        fallbacks.publish(k=k, now=now)
        published = {i["title"]: i["stores"] for i in fallbacks.top("general", limit=1000)["items"]}
    expected = {
        fallbacks.normalise_title(name): len(sellers)
        for name, sellers in sales.items()
        if len({OWNERS[s] for s in sellers}) >= k
    }
    assert published == expected


@pytest.fixture
def shared_stores(app, clock) -> list[Store]:  # type: ignore[no-untyped-def]
    now = int(clock.time())
    with transaction():
        owned = {
            owner: licences.issue(
                tenant=f"T{owner}", plan="pro", stores=3, days=365, actor="t", now=now, trial=False
            )[0]
            for owner in sorted(set(OWNERS))
        }
        return [
            Store.create(
                tenant=owned[owner].tenant_id,
                licence=owned[owner].id,
                url=f"https://s{n}.example",
                instance_id=f"inst-{n:05d}",
                activated_at=now,
            )
            for n, owner in enumerate(OWNERS)
        ]


async def test_staff_publishes_are_audited_and_k_never_goes_below_the_default(
    client, sign_in, shops
) -> None:  # type: ignore[no-untyped-def]
    from cloud_api.models import AuditEntry

    admin = await sign_in("admin")
    for key, shop in await shops(3):
        body = {**shop, **upload_body(item("Mug"))}
        assert (await call(client, "post", "/v1/agent/fallbacks/aggregates", key, body))[0] == 200
    api = "/api/v1/fallbacks/publish"
    for k in (2, 1, 0):
        low = await client.post(api, json={"k": k}, headers=admin.headers)
        assert low.status_code == 400 and (await low.get_json())["error"]["field"] == "k"
    form = "/console/fallbacks/publish"
    low = await client.post(form, form={"k": "2"}, headers=admin.headers)
    assert low.status_code == 400
    with transaction():
        assert AuditEntry.select().where(AuditEntry.action == "fallbacks.publish").count() == 0
    published = await client.post(api, headers=admin.headers)
    assert published.status_code == 200 and (await published.get_json())["published"] == 1
    by_form = await client.post(form, form={"k": "4"}, headers=admin.headers)
    assert by_form.status_code == 302
    with transaction():
        entries = AuditEntry.select().where(AuditEntry.action == "fallbacks.publish")
        logged = [(e.actor, e.target, e.after) for e in entries.order_by(AuditEntry.id)]
    assert logged == [
        ("staff:admin@vendor.example", "fallbacks", {"k": 3, "published": 1, "purged_stores": 0}),
        ("staff:admin@vendor.example", "fallbacks", {"k": 4, "published": 0, "purged_stores": 0}),
    ]
