"""Operations and privacy routes: readiness, status, metrics, customer export and erasure."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from test_api_support import Api, error_of, order, product

from connector_agent.woo.normalise import guest_key
from luxebrain.clock import FrozenClock
from online_models.events import Event, version_of


@pytest.fixture
def api(config_path: Path, frozen_clock: FrozenClock) -> Iterator[Api]:
    api = Api(config_path, frozen_clock)
    yield api
    api.close()


def customer(cid: str, email: str) -> Event:
    payload = {
        "id": cid,
        "email": email,
        "first_name": "Ann",
        "last_name": "Lee",
        "created_at": "2026-01-01T00:00:00Z",
        "role": "customer",
    }
    at = "2026-01-01T00:00:00Z"
    return Event(0, "customer.upserted", cid, version_of(at, payload), at, payload)


async def test_readyz_reports_the_last_sync_age(api: Api) -> None:
    assert await api.ok("GET", "/readyz") == {"ready": True, "last_sync_age_seconds": None}
    api.agent.store.save_cursor("orders", {"page": 1}, success=True)
    api.clock.advance(90)
    assert (await api.ok("GET", "/readyz"))["last_sync_age_seconds"] == 90.0


async def test_readyz_is_503_until_the_models_have_replayed_the_log(
    api: Api, config_path: Path, frozen_clock: FrozenClock
) -> None:
    api.agent.log.append([product("1", "One"), order("o1", "ann", "1")])
    restarted = Api(config_path, frozen_clock)
    try:
        response = await restarted.get("/readyz")
        assert response.status_code == 503
        assert await error_of(response) == {
            "code": "not_ready",
            "message": "the models are still loading",
        }
        restarted.agent.applier.apply_pending()
        assert (await restarted.get("/readyz")).status_code == 200
    finally:
        restarted.close()


async def test_a_broken_store_is_503_not_a_traceback(api: Api) -> None:
    api.agent.store.close()
    response = await api.get("/readyz")
    assert response.status_code == 503
    assert await error_of(response) == {
        "code": "not_ready",
        "message": "the store cannot be read",
    }


async def test_status_is_the_cli_status_plus_models_licence_and_sync_age(api: Api) -> None:
    api.learn([product("1", "One"), order("o1", "ann", "1")])
    status = await api.ok("GET", "/v1/status")
    assert status["counts"] == {"products": 1, "customers": 0, "orders": 1}
    assert status["event_seq"] == 2
    assert status["events_by_kind"] == {"order.upserted": 1, "product.upserted": 1}
    assert status["models_ready"] is True
    assert status["licence"]["status"] == "free"
    assert status["licence"]["features"] == ["bought_together", "popular", "trending"]
    assert status["last_sync_age_seconds"] is None
    # one order is too few to say which currency is the shop's; its prices are at par
    assert status["currencies"] == {"shop": None, "rates": {"EUR": 1.0}}


async def test_status_tells_the_rates_learned_for_other_currencies(api: Api) -> None:
    orders = [order(f"o{n}", "ann", "1") for n in range(5)]
    yen = order("y1", "kenji", "1")
    yen = replace(yen, payload={**yen.payload, "currency": "JPY", "line_items": [
        {**yen.payload["line_items"][0], "unit_price": "1613.00"}]})
    api.learn([product("1", "One"), *orders, yen])
    status = await api.ok("GET", "/v1/status")
    assert status["currencies"] == {"shop": "EUR", "rates": {"JPY": 161.3}}


async def test_metrics_count_requests_per_route_and_report_the_models(api: Api) -> None:
    api.learn([product("1", "One"), order("o1", "ann", "1")])
    api.agent.store.save_cursor("orders", {"page": 1}, success=True)
    api.clock.advance(30)
    await api.ok("GET", "/v1/recommendations/product/1")
    await api.ok("GET", "/v1/recommendations/product/2")
    await api.get("/v1/recommendations/popular?limit=0")
    response = await api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = await response.get_data(as_text=True)
    route = 'route="/v1/recommendations/product/<product_id>"'
    assert f'luxebrain_http_requests_total{{method="GET",{route},status="200"}} 2.0' in text
    assert (
        'luxebrain_http_requests_total{method="GET",route="/v1/recommendations/popular",'
        'status="400"} 1.0'
    ) in text
    assert f"luxebrain_http_request_duration_seconds_count{{{route}}} 2.0" in text
    assert f'luxebrain_http_request_duration_seconds_bucket{{le="0.001",{route}}}' in text
    assert "luxebrain_events_applied 2.0" in text
    assert "luxebrain_events_pending 0.0" in text
    assert 'luxebrain_model_size{stat="catalogue_products"} 1.0' in text
    assert "luxebrain_sync_lag_seconds 30.0" in text


async def test_export_gives_the_customer_and_their_orders(api: Api) -> None:
    api.learn([customer("7", "ann@example.com"), order("o1", "7", "tea", "cup")])
    answer = await api.ok("GET", "/v1/customers/7/export")
    assert answer["customer"]["email"] == "ann@example.com"
    (exported,) = answer["orders"]
    assert exported["id"] == "o1" and exported["total"] == "20.00"
    assert [line["product_id"] for line in exported["line_items"]] == ["tea", "cup"]
    assert exported["refunds"] == []


async def test_export_of_an_unknown_customer_is_404(api: Api) -> None:
    response = await api.get("/v1/customers/404/export")
    assert response.status_code == 404
    assert (await error_of(response))["field"] == "customer_id"


async def test_erase_removes_personal_data_and_appends_customer_erased(api: Api) -> None:
    api.learn([customer("7", "ann@example.com"), order("o1", "7", "tea")])
    answer = await api.ok("POST", "/v1/customers/7/erase")
    assert answer == {"erased": "7", "orders": 1, "events_redacted": 2}
    assert api.agent.log.read()[-1].kind == "customer.erased"
    exported = await api.ok("GET", "/v1/customers/7/export")
    assert exported["customer"]["email"] is None and exported["orders"] == []


def guest_order(key: str, email: str, *pids: str) -> Event:
    """A guest's order as the normaliser makes it: no customer id, the hashed billing email."""
    event = order(key, None, *pids)
    payload = {**event.payload, "guest_key": guest_key(email)}
    return Event(0, event.kind, key, version_of(event.occurred_at, payload), event.occurred_at,
                 payload)


async def test_a_guest_is_exported_and_erased_by_billing_email(api: Api) -> None:
    api.learn([guest_order("g1", "Gus@Example.com", "tea"), guest_order("g2", "eve@x.org", "cup"),
               order("o1", "7", "tea")])
    exported = await api.ok("POST", "/v1/guests/export", json={"email": " gus@example.com"})
    assert [o["id"] for o in exported["orders"]] == ["g1"]
    assert exported["orders"][0]["line_items"][0]["product_id"] == "tea"
    answer = await api.ok("POST", "/v1/guests/erase", json={"email": "gus@example.com"})
    assert answer == {"erased": True, "orders": 1, "events_redacted": 1}
    assert await api.ok("POST", "/v1/guests/export", json={"email": "gus@example.com"}) == {
        "orders": []
    }
    # the other guest is untouched, and the order itself (anonymous now) still teaches
    still = await api.ok("POST", "/v1/guests/export", json={"email": "eve@x.org"})
    assert [o["id"] for o in still["orders"]] == ["g2"]
    assert api.agent.store.db["orders"].get("g1")["status"] == "completed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (b"[]", "body"),
        (b"{}", "email"),
        (b'{"email": 42}', "email"),
        (b'{"email": "no-at-sign"}', "email"),
        (b'{"email": "two words@x.org"}', "email"),
        (b'{"email": "' + b"a" * 250 + b'@x.org"}', "email"),
    ],
)
async def test_a_bad_guest_body_is_400_and_changes_nothing(
    api: Api, body: bytes, field: str
) -> None:
    api.learn([guest_order("g1", "gus@example.com", "tea")])
    for route in ("/v1/guests/erase", "/v1/guests/export"):
        response = await api.post(route, body=body)
        assert response.status_code == 400
        assert (await error_of(response))["field"] == field
    assert api.agent.store.db["orders"].get("g1")["guest_key"] == guest_key("gus@example.com")
    assert api.agent.store.db["erased_guests"].count == 0


async def test_a_bad_customer_id_is_400(api: Api) -> None:
    response = await api.post("/v1/customers/a%20b/erase")
    assert response.status_code == 400
    assert api.agent.log.last_seq() == 0



async def test_a_store_that_cannot_be_read_is_a_503_store_error_not_a_500(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Support reads "the store" in the answer (and the log), not an internal error: a read
    SQLite refuses is what a refused write already is. Reads that open their own connection
    meet a damaged file at once; the long-lived one meets it once its cached pages are stale
    (injected here: SQLite's own error, raised where that connection reads)."""
    api.agent.log.append([product("1", "One")])
    assert (await api.ok("GET", "/v1/status"))["snapshot_error"] is None

    def damaged(*args: object) -> int:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(api.agent.log, "last_seq", damaged)
    response = await api.get("/metrics")
    assert response.status_code == 503
    assert await error_of(response) == {
        "code": "store_error",
        "message": "the agent's store cannot be read (database disk image is malformed)",
    }
    monkeypatch.undo()

    path = api.agent.store.path
    assert path is not None
    path.write_bytes(b"\x00" * path.stat().st_size)  # the disk handed back zeros
    for sidecar in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        sidecar.unlink(missing_ok=True)
    response = await api.get("/v1/status")
    assert response.status_code == 503
    error = await error_of(response)
    assert error["code"] == "store_error" and "file is not a database" in error["message"]
    # serving from the models in memory goes on
    assert (await api.get("/v1/recommendations/popular?limit=3")).status_code == 200


async def test_status_and_metrics_count_the_events_the_models_could_not_learn(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poisoned event is logged and skipped; operators see how many in both places."""
    status = await api.ok("GET", "/v1/status")
    assert status["failed_events"] == 0
    learn = api.agent.brain.learn

    def fail_on_o2(event: Event) -> None:
        if event.key == "o2":
            raise ValueError("a model bug")
        learn(event)

    monkeypatch.setattr(api.agent.brain, "learn", fail_on_o2)
    api.learn([product("1", "One"), order("o1", "ann", "1"), order("o2", "bob", "1")])
    status = await api.ok("GET", "/v1/status")
    assert status["failed_events"] == 1
    assert status["applied_seq"] == 3  # skipped, not stuck
    text = await (await api.get("/metrics")).get_data(as_text=True)
    assert "luxebrain_events_failed_total 1.0" in text
