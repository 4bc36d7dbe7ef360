"""Agent endpoints: activate, check in, deactivate; limits, validation, isolation, rate limits."""

from __future__ import annotations

import pytest
from support.cloud import agent_post as post

from cloud_api import licences
from cloud_api.db import transaction
from cloud_api.models import AuditEntry, Store
from connector_agent.licence.token import parse_public_keys, verify

SHOP = {"store_url": "https://shop.example", "instance_id": "inst-0001", "agent_version": "0.1.0"}
DAY = 86400


async def published_keys(client):  # type: ignore[no-untyped-def]
    response = await client.get("/.well-known/luxebrain-keys.json")
    return parse_public_keys((await response.get_data()).decode())


async def test_activate_returns_a_token_bound_to_the_store(client, issue, clock) -> None:
    lic = issue(plan="pro")
    status, body = await post(client, "activate", lic.key, SHOP)
    assert status == 200
    assert body["status"] == "active"
    assert body["expires_at"] == "2026-01-31T12:00:00Z"
    claims = verify(body["token"], await published_keys(client), now=clock.time(),
                    store_url="https://shop.example")
    assert claims["licence_id"] == lic.id
    assert claims["tenant"] == "Acme"
    assert claims["plan"] == "pro"
    assert claims["instance_id"] == "inst-0001"
    assert claims["limits"] == {"stores": 1, "staging": 2}
    assert "forecasts" in claims["features"]
    assert claims["exp"] - claims["iat"] == 30 * DAY


async def test_activate_is_idempotent_for_the_same_store_and_instance(client, issue) -> None:
    lic = issue(stores=1)
    first = await post(client, "activate", lic.key, SHOP)
    again = await post(client, "activate", lic.key, {**SHOP, "store_url": "HTTPS://Shop.Example/"})
    assert first[0] == again[0] == 200
    with transaction():
        assert Store.select().where(Store.active).count() == 1


async def test_activation_past_the_store_limit_is_refused_clearly(client, issue) -> None:
    lic = issue(stores=1)
    await post(client, "activate", lic.key, SHOP)
    status, body = await post(client, "activate", lic.key,
                              {**SHOP, "store_url": "https://second.example"})
    assert status == 409
    assert body["error"]["code"] == "store_limit_reached"
    assert "allows 1 store(s)" in body["error"]["message"]
    assert "https://shop.example" in body["error"]["message"]


async def test_staging_sites_do_not_use_a_store_slot_but_are_limited(client, issue) -> None:
    lic = issue(plan="starter", stores=1)  # starter: 1 staging site
    assert (await post(client, "activate", lic.key, SHOP))[0] == 200
    staging = {**SHOP, "store_url": "https://staging.shop.example", "staging": True}
    status, body = await post(client, "activate", lic.key, staging)
    assert status == 200
    more = {**staging, "store_url": "https://staging2.shop.example"}
    status, body = await post(client, "activate", lic.key, more)
    assert status == 409 and "staging site" in body["error"]["message"]


async def test_same_url_with_another_instance_is_refused(client, issue) -> None:
    lic = issue()
    await post(client, "activate", lic.key, SHOP)
    status, body = await post(client, "activate", lic.key, {**SHOP, "instance_id": "inst-9999"})
    assert status == 409 and body["error"]["code"] == "instance_mismatch"


async def test_checkin_refreshes_the_token_and_records_last_seen(client, issue, clock) -> None:
    lic = issue()
    await post(client, "activate", lic.key, SHOP)
    clock.advance(5 * DAY)
    status, body = await post(client, "checkin", lic.key, {**SHOP, "agent_version": "0.2.0"})
    assert status == 200
    assert body["expires_at"] == "2026-02-05T12:00:00Z"
    with transaction():
        store = Store.get(Store.url == "https://shop.example")
    assert store.last_seen_at == int(clock.time())
    assert store.agent_version == "0.2.0"


async def test_checkin_of_an_unknown_store_asks_for_activation(client, issue) -> None:
    lic = issue()
    status, body = await post(client, "checkin", lic.key, SHOP)
    assert status == 409 and body["error"]["code"] == "store_not_activated"


async def test_token_never_outlives_the_licence(client, issue, clock) -> None:
    lic = issue(days=10)
    status, body = await post(client, "activate", lic.key, SHOP)
    assert body["expires_at"] == "2026-01-11T12:00:00Z"


@pytest.mark.parametrize(
    ("change", "code"),
    [(licences.revoke, "licence_revoked"), (licences.suspend, "licence_suspended")],
)
async def test_revocation_and_suspension_take_effect_at_the_next_checkin(
    client, issue, clock, change, code
) -> None:
    lic = issue()
    assert (await post(client, "activate", lic.key, SHOP))[0] == 200
    with transaction():
        change(licences.get(lic.id), actor="test", now=int(clock.time()))
    status, body = await post(client, "checkin", lic.key, SHOP)
    assert status == 403 and body["error"]["code"] == code


async def test_expired_licence_cannot_check_in(client, issue, clock) -> None:
    lic = issue(days=2)
    await post(client, "activate", lic.key, SHOP)
    clock.advance(2 * DAY)
    status, body = await post(client, "checkin", lic.key, SHOP)
    assert status == 403
    assert body["error"] == {"code": "licence_expired",
                             "message": f"licence {lic.id} expired on 2026-01-03T12:00:00Z"}


async def test_trial_tokens_carry_the_trial_end_and_lapse_unless_converted(
    client, issue, clock
) -> None:
    lic = issue(plan="pro-trial")
    status, body = await post(client, "activate", lic.key, SHOP)
    claims = verify(body["token"], await published_keys(client), now=clock.time())
    assert body["status"] == "trial"
    assert claims["trial_end"] == int(clock.time()) + 14 * DAY
    clock.advance(14 * DAY)
    status, body = await post(client, "checkin", lic.key, SHOP)
    assert status == 403 and body["error"]["code"] == "licence_expired"
    with transaction():
        licences.convert(licences.get(lic.id), actor="test", now=int(clock.time()))
    status, body = await post(client, "checkin", lic.key, SHOP)
    assert status == 200 and body["status"] == "active"
    claims = verify(body["token"], await published_keys(client), now=clock.time())
    assert claims["trial_end"] is None


async def test_deactivate_frees_the_slot(client, issue) -> None:
    lic = issue(stores=1)
    await post(client, "activate", lic.key, SHOP)
    status, body = await post(client, "deactivate", lic.key, SHOP)
    assert (status, body) == (200, {"store_url": "https://shop.example", "active": False})
    other = {**SHOP, "store_url": "https://second.example"}
    assert (await post(client, "activate", lic.key, other))[0] == 200
    with transaction():
        actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions[-3:] == ["store.activate", "store.deactivate", "store.activate"]


async def test_a_licence_key_cannot_touch_another_licences_store(client, issue) -> None:
    mine, theirs = issue(tenant="Acme"), issue(tenant="Globex")
    await post(client, "activate", theirs.key, SHOP)
    assert (await post(client, "checkin", mine.key, SHOP))[1]["error"]["code"] == (
        "store_not_activated"
    )
    assert (await post(client, "deactivate", mine.key, SHOP))[0] == 404
    assert (await post(client, "checkin", theirs.key, SHOP))[0] == 200


@pytest.mark.parametrize(
    ("key", "status", "code"),
    [(None, 401, "unauthorized"), ("lbk_nope-not-a-real-key-at-all", 401, "unauthorized"),
     ("garbage", 401, "unauthorized")],
)
async def test_missing_or_unknown_keys_are_unauthorised(client, key, status, code) -> None:
    got_status, body = await post(client, "activate", key, SHOP)
    assert (got_status, body["error"]["code"]) == (status, code)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"instance_id": "inst-0001"}, "store_url"),
     ({**SHOP, "store_url": "ftp://shop.example"}, "store_url"),
     ({**SHOP, "instance_id": "x"}, "instance_id"),
     ({**SHOP, "staging": "yes"}, "staging"),
     ({**SHOP, "agent_version": 3}, "agent_version")],
)
async def test_bad_bodies_get_a_clear_error_and_change_nothing(client, issue, body, field) -> None:
    lic = issue()
    status, answer = await post(client, "activate", lic.key, body)
    assert status == 400
    assert answer["error"]["code"] == "invalid_input" and answer["error"]["field"] == field
    with transaction():
        assert Store.select().count() == 0


async def test_non_object_body_is_refused(client, issue) -> None:
    lic = issue()
    response = await client.post("/v1/agent/activate", data="[1, 2]",
                                 headers={"Authorization": f"Bearer {lic.key}"})
    assert response.status_code == 400
    assert (await response.get_json())["error"]["code"] == "invalid_input"


async def test_calls_are_rate_limited_per_licence_even_when_refused(app, client, issue) -> None:
    app.config["AGENT_RATE_LIMIT"] = 3
    lic, other = issue(), issue(tenant="Globex")
    codes = [(await post(client, "checkin", lic.key, SHOP))[0] for _ in range(4)]
    assert codes == [409, 409, 409, 429]
    response = await client.post("/v1/agent/checkin", json=SHOP,
                                 headers={"Authorization": f"Bearer {lic.key}"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert (await post(client, "activate", other.key, SHOP))[0] == 200


async def test_unknown_route_and_method_use_the_error_shape(client) -> None:
    response = await client.get("/v1/agent/activate")
    assert response.status_code == 405
    assert (await response.get_json())["error"]["code"] == "method_not_allowed"
    response = await client.get("/nope")
    assert (await response.get_json())["error"]["code"] == "not_found"


async def test_healthz_and_published_keys(client) -> None:
    assert (await (await client.get("/healthz")).get_json()) == {"status": "ok"}
    document = await (await client.get("/.well-known/luxebrain-keys.json")).get_json()
    assert [k["status"] for k in document["keys"]] == ["current"]
    pem = await (await client.get("/.well-known/luxebrain-keys.pem")).get_data()
    assert pem.decode() == document["keys"][0]["public_key"]


async def test_metrics_count_requests_by_route_template(client, issue) -> None:
    lic = issue()
    await post(client, "activate", lic.key, SHOP)
    await post(client, "checkin", lic.key, SHOP)
    await client.get("/healthz")
    text = (await (await client.get("/metrics")).get_data()).decode()
    assert ('luxebrain_cloud_requests_total{method="POST",route="/v1/agent/checkin",'
            'status="200"} 1.0') in text
    assert 'route="/healthz",status="200"} 1.0' in text


async def test_checkin_from_another_instance_changes_nothing(client, issue, clock) -> None:
    lic = issue()
    await post(client, "activate", lic.key, SHOP)
    clock.advance(60)
    status, body = await post(client, "checkin", lic.key, {**SHOP, "instance_id": "intruder-9"})
    assert status == 409 and body["error"]["code"] == "instance_mismatch"
    with transaction():
        store = Store.get(Store.url == "https://shop.example")
    assert store.instance_id == "inst-0001"
    assert store.last_seen_at == int(clock.time()) - 60
