"""Usage and the cloud from a running agent: served recommendations are counted in batches, the
daily cloud round is scheduled at start with the saved fallback list, and ``GET /v1/account``
answers the shop's own usage and invoices, or a clear error when there is no cloud to ask."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import jsonschema_rs  # schemathesis's validator (the test extra)
import orjson
import pytest
from test_api_support import Api, error_of, order, product
from test_cloud_e2e import cloud  # noqa: F401  (a served cloud and four licence keys)

from connector_agent.api import account
from connector_agent.api.openapi import document
from connector_agent.api.served import SERVED
from connector_agent.cloud import job
from connector_agent.cloud.usage import daily_usage
from connector_agent.config import load_config, update_secrets
from connector_agent.licence import checkin
from luxebrain.clock import FrozenClock, SystemClock
from tests.cloud.conftest import database_url, template  # noqa: F401  (the backend fixtures)


@pytest.fixture
def api(config_path: Path, frozen_clock: FrozenClock) -> Iterator[Api]:
    api = Api(config_path, frozen_clock)
    yield api
    api.close()


def served_rows(api: Api) -> list[tuple[str, int]]:
    return api.agent.store.db.conn.execute(
        "SELECT day, count FROM usage_counters WHERE metric = 'recommendations_served'"
        " ORDER BY day"
    ).fetchall()


def use_cloud(config_path: Path, cloud_url: str) -> None:
    text = config_path.read_text()
    config_path.write_text(text.replace('cloud_url = ""', f'cloud_url = "{cloud_url}"', 1))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_recommendation_answers_are_counted_in_memory_then_written_in_one_batch(
    api: Api,
) -> None:
    api.learn([product("1", "One"), product("2", "Two"), order("o1", "ann", "1", "2")])
    paths = ("/v1/recommendations/product/1", "/v1/recommendations/popular", "/v1/widgets/cart")
    for path in paths:
        await api.ok("GET", path)
    await api.ok("GET", "/v1/recommendations/product/1")  # a cached answer is served too
    assert (await api.get("/v1/recommendations/popular?limit=0")).status_code == 400
    await api.ok("GET", "/v1/status")  # not a recommendation
    assert served_rows(api) == []  # nothing written per request
    api.app.extensions[SERVED].flush()
    assert served_rows(api) == [("2026-11-26", 4)]
    await api.ok("GET", "/v1/recommendations/trending")
    api.app.extensions[SERVED].flush()
    assert served_rows(api) == [("2026-11-26", 5)]
    today = daily_usage(api.agent.store, today=api.clock.now().date(), days=1)
    assert today[0]["recommendations_served"] == 5


async def test_counts_go_to_the_day_they_were_served_on_and_are_written_at_stop(
    api: Api,
) -> None:
    async with api.app.test_app():
        await api.ok("GET", "/v1/recommendations/popular")
        api.clock.advance(24 * 3600)
        await api.ok("GET", "/v1/recommendations/popular")
        await api.ok("GET", "/v1/widgets/product")
    assert served_rows(api) == [("2026-11-26", 1), ("2026-11-27", 2)]


async def test_start_schedules_the_cloud_round_and_hands_over_the_saved_fallback(
    config_path: Path, frozen_clock: FrozenClock
) -> None:
    use_cloud(config_path, f"http://127.0.0.1:{closed_port()}")
    data = config_path.parent / "data"
    data.mkdir(exist_ok=True)
    saved = {"fallback": [["2", "popular in 3 similar shops (LuxeBrain cloud)"]]}
    (data / "cloud_fallback.json").write_bytes(orjson.dumps(saved))
    api = Api(config_path, frozen_clock)
    try:
        api.learn([product("1", "One"), product("2", "Two")])  # a new shop: no orders
        api.license("cloud_fallback")  # the paid list is served only under this feature
        await api.agent.start()
        try:
            round_job = api.agent.scheduler.get_job(job.JOB_ID)
            assert round_job is not None and round_job.trigger.interval.days == 1
            items = (await api.ok("GET", "/v1/recommendations/popular"))["items"]
            assert [(i["id"], i["reason"]) for i in items if i["id"] == "2"] == [
                ("2", "popular in 3 similar shops (LuxeBrain cloud)")
            ]
        finally:
            await api.agent.stop()
    finally:
        api.close()


async def test_account_without_a_licence_is_a_clear_409(api: Api) -> None:
    response = await api.get("/v1/account")
    assert response.status_code == 409
    assert await error_of(response) == {
        "code": "no_licence",
        "message": "no licence key, cloud URL or store URL is set: run luxebrain-agent licence set",
    }


async def test_account_with_the_cloud_down_is_a_clear_503(
    config_path: Path, frozen_clock: FrozenClock
) -> None:
    use_cloud(config_path, f"http://127.0.0.1:{closed_port()}")
    update_secrets(config_path, licence_key="LB-some-key")
    api = Api(config_path, frozen_clock)
    try:
        response = await api.get("/v1/account")
        assert response.status_code == 503
        assert await error_of(response) == {
            "code": "cloud_unreachable",
            "message": "the LuxeBrain cloud cannot be reached; try again later",
        }
    finally:
        api.close()


async def test_account_needs_a_signed_call(api: Api) -> None:
    response = await api.client.get("/v1/account")
    assert response.status_code == 401


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_account_is_this_licences_own_usage_and_invoices_from_a_served_cloud(
    cloud: tuple[str, list[str]],  # noqa: F811
    config_path: Path, frozen_clock: FrozenClock
) -> None:
    base, keys = cloud
    use_cloud(config_path, base)
    update_secrets(config_path, licence_key=keys[1])
    assert checkin(load_config(config_path, environ={}), SystemClock()).status == "active"
    api = Api(config_path, frozen_clock)
    try:
        account = await api.ok("GET", "/v1/account")
        documented = document()["paths"]["/v1/account"]["get"]["responses"]["200"]
        assert jsonschema_rs.is_valid(documented["content"]["application/json"]["schema"], account)
        assert account["tenant"] == "Shop 1"  # never Shop 0, 2 or 3
        assert account["plan"]["plan"] == "pro"
        assert {u["store_url"] for u in account["usage"]} <= {"http://127.0.0.1:9"}
        assert account["invoices"] == []
        update_secrets(config_path, licence_key="LB-not-a-key")
        api.clock.advance(2)  # the agent re-reads its secrets at most once a second
        response = await api.get("/v1/account")
        assert response.status_code == 502
        assert (await error_of(response))["code"] == "cloud_refused"
    finally:
        api.close()


async def test_account_with_a_cloud_that_never_answers_is_503_after_the_timeout(
    config_path: Path, frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(account, "TIMEOUT_SECONDS", 0.2)
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        use_cloud(config_path, f"http://127.0.0.1:{silent.getsockname()[1]}")
        update_secrets(config_path, licence_key="LB-some-key")
        api = Api(config_path, frozen_clock)
        try:
            response = await api.get("/v1/account")
            assert response.status_code == 503
            assert (await error_of(response))["code"] == "cloud_unreachable"
        finally:
            api.close()
