"""Signed calls and the one error shape: every refusal is 401/4xx with ``{"error": ...}``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_api_support import SECRET, Api, error_of

from connector_agent.api.auth import NONCES
from connector_agent.api.nonces import FLUSH_AFTER_SECONDS, KEEP_SECONDS, PRUNE_EVERY_SECONDS
from connector_agent.config import update_secrets
from luxebrain.clock import FrozenClock
from wp_plugin_bridge.signing import NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER


@pytest.fixture
def api(config_path: Path, frozen_clock: FrozenClock) -> Iterator[Api]:
    api = Api(config_path, frozen_clock)
    yield api
    api.close()


async def test_healthz_needs_no_signature(api: Api) -> None:
    response = await api.client.get("/healthz")
    assert response.status_code == 200
    assert await response.get_json() == {"status": "ok"}


async def test_a_signed_call_is_answered(api: Api) -> None:
    assert (await api.ok("GET", "/v1/recommendations/popular"))["items"] == []


@pytest.mark.parametrize("missing", [TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER])
async def test_a_missing_header_is_refused(api: Api, missing: str) -> None:
    headers = api.headers("GET", "/v1/status")
    del headers[missing]
    response = await api.get("/v1/status", headers=headers)
    assert response.status_code == 401
    error = await error_of(response)
    assert error["code"] == "unauthorized" and missing in error["message"]


async def test_an_unsigned_call_to_an_unknown_path_learns_nothing(api: Api) -> None:
    response = await api.client.get("/v1/no-such-thing")
    assert response.status_code == 401
    assert (await error_of(response))["code"] == "unauthorized"


async def test_a_wrong_secret_is_refused(api: Api) -> None:
    headers = api.headers("GET", "/v1/status", secret="ab" * 32)
    response = await api.get("/v1/status", headers=headers)
    assert response.status_code == 401
    assert await error_of(response) == {"code": "unauthorized", "message": "wrong signature"}


async def test_a_signature_for_another_query_is_refused(api: Api) -> None:
    headers = api.headers("GET", "/v1/recommendations/popular?limit=5")
    response = await api.get("/v1/recommendations/popular?limit=50", headers=headers)
    assert response.status_code == 401


async def test_a_tampered_body_is_refused_and_changes_nothing(api: Api) -> None:
    batch = {"session_id": "session-1", "events": []}
    headers = api.headers("POST", "/v1/events", b'{"session_id":"other"}')
    response = await api.post("/v1/events", json=batch, headers=headers)
    assert response.status_code == 401
    assert api.agent.log.last_seq() == 0


@pytest.mark.parametrize("skew", [-301, 301])
async def test_a_stale_or_future_timestamp_is_refused(api: Api, skew: int) -> None:
    headers = api.headers("GET", "/v1/status", timestamp=api.clock.time() + skew)
    response = await api.get("/v1/status", headers=headers)
    assert response.status_code == 401
    assert "300 s" in (await error_of(response))["message"]


async def test_a_replayed_call_is_refused(api: Api) -> None:
    headers = api.headers("GET", "/v1/status")
    assert (await api.get("/v1/status", headers=headers)).status_code == 200
    replay = await api.get("/v1/status", headers=headers)
    assert replay.status_code == 401
    assert (await error_of(replay))["message"] == "nonce already used"


async def test_a_replay_is_refused_after_a_restart(
    api: Api, config_path: Path, frozen_clock: FrozenClock
) -> None:
    headers = api.headers("GET", "/v1/status")
    assert (await api.get("/v1/status", headers=headers)).status_code == 200
    api.close()
    restarted = Api(config_path, frozen_clock)
    try:
        assert (await restarted.get("/v1/status", headers=headers)).status_code == 401
    finally:
        restarted.close()


def seen_nonces(api: Api) -> list[str]:
    rows = api.agent.store.db.conn.execute("SELECT nonce FROM seen_nonces ORDER BY seen_at")
    return [row[0] for row in rows]


async def test_nonces_reach_the_table_shortly_after_the_call(api: Api) -> None:
    headers = api.headers("GET", "/v1/status")
    assert (await api.get("/v1/status", headers=headers)).status_code == 200
    await asyncio.sleep(FLUSH_AFTER_SECONDS * 4)
    assert seen_nonces(api) == [headers[NONCE_HEADER]]


async def test_old_nonces_are_pruned_but_kept_while_a_replay_could_pass(api: Api) -> None:
    book = api.app.extensions[NONCES]
    first = api.headers("GET", "/v1/status")
    assert (await api.get("/v1/status", headers=first)).status_code == 200
    api.clock.advance(KEEP_SECONDS - 1)  # a call stamped 300 s ahead is valid until now + 300
    second = api.headers("GET", "/v1/status")
    assert (await api.get("/v1/status", headers=second)).status_code == 200
    book.flush()
    assert seen_nonces(api) == [first[NONCE_HEADER], second[NONCE_HEADER]]
    api.clock.advance(PRUNE_EVERY_SECONDS)
    assert (await api.get("/v1/status")).status_code == 200
    book.flush()
    assert first[NONCE_HEADER] not in seen_nonces(api)
    assert first[NONCE_HEADER] not in book._seen and second[NONCE_HEADER] in book._seen


async def test_an_unpaired_agent_refuses_signed_routes(
    config_path: Path, frozen_clock: FrozenClock
) -> None:
    api = Api(config_path, frozen_clock, paired=False)
    try:
        response = await api.get("/v1/status")
        assert response.status_code == 401
        assert (await error_of(response))["code"] == "not_paired"
        assert (await api.client.get("/healthz")).status_code == 200
    finally:
        api.close()


async def test_unpair_forgets_the_secrets_and_later_calls_are_not_paired(api: Api) -> None:
    answer = await api.ok("POST", "/v1/unpair", body=b"[]")
    assert answer["unpaired"] is True
    secrets_text = api.agent.config.secrets_path.read_text()
    assert SECRET not in secrets_text and "consumer_key" not in secrets_text
    assert "snapshot_key" in secrets_text  # what pairing did not give is kept
    response = await api.get("/v1/status")
    assert (await error_of(response))["code"] == "not_paired"


async def test_unpair_forgets_a_secret_the_environment_also_sets(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The environment is a documented source of secrets: after *Disconnect* said the shared
    secret was forgotten, a reload from the environment must not bring it back."""
    monkeypatch.setenv("LUXEBRAIN_SECRETS__SHARED_SECRET", SECRET)
    answer = await api.ok("POST", "/v1/unpair", body=b"[]")
    assert answer["unpaired"] is True
    assert "LUXEBRAIN_SECRETS__SHARED_SECRET" in caplog.text
    response = await api.get("/v1/status")
    assert (await error_of(response))["code"] == "not_paired"
    api.agent._reload_config()  # the secrets file changed again (any later reload)
    assert api.agent.config.secrets.shared_secret is None
    # a new pairing's secret is a new value: kept
    monkeypatch.setenv("LUXEBRAIN_SECRETS__SHARED_SECRET", "ef" * 32)
    api.agent._reload_config()
    assert api.agent.config.secrets.shared_secret == "ef" * 32


async def test_not_found_and_method_not_allowed_have_the_error_shape(api: Api) -> None:
    missing = await api.get("/v1/no-such-thing")
    assert missing.status_code == 404
    assert (await error_of(missing))["code"] == "not_found"
    wrong_method = await api.post("/v1/status")
    assert wrong_method.status_code == 405
    assert (await error_of(wrong_method))["code"] == "method_not_allowed"
    assert "GET" in wrong_method.headers["Allow"]


async def test_an_oversized_body_is_413_and_changes_nothing(api: Api) -> None:
    limit = api.agent.config.api.max_body_bytes
    response = await api.post("/v1/events", body=b" " * (limit + 1))
    assert response.status_code == 413
    assert (await error_of(response))["code"] == "payload_too_large"
    assert api.agent.log.last_seq() == 0


async def test_an_unexpected_error_is_500_without_a_traceback(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(**_: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(api.agent.brain, "popular", explode)
    response = await api.get("/v1/recommendations/popular")
    assert response.status_code == 500
    assert await error_of(response) == {"code": "internal_error", "message": "internal error"}


async def test_pairing_while_the_agent_runs_applies_within_a_second(
    config_path: Path, frozen_clock: FrozenClock
) -> None:
    api = Api(config_path, frozen_clock, paired=False)
    try:
        assert (await api.get("/v1/status")).status_code == 401
        update_secrets(config_path, shared_secret=SECRET)  # what `luxebrain-agent pair` does
        api.clock.advance(1)
        assert (await api.get("/v1/status")).status_code == 200
        update_secrets(config_path, shared_secret="77" * 32)  # a new pairing replaces it
        api.clock.advance(1)
        assert (await api.get("/v1/status")).status_code == 401
    finally:
        api.close()


async def test_a_replay_is_refused_after_a_crash_that_lost_its_nonce(
    api: Api, config_path: Path, frozen_clock: FrozenClock
) -> None:
    """Nonces are written in batches, so a hard crash can lose the last moment's; a call signed
    before the new process started is refused, and those calls are among them."""
    headers = api.headers("GET", "/v1/status")
    assert (await api.get("/v1/status", headers=headers)).status_code == 200
    api.agent.close()  # a hard crash: the nonce book was never flushed
    frozen_clock.advance(2.5)  # the restart takes a moment
    restarted = Api(config_path, frozen_clock)
    try:
        replay = await restarted.get("/v1/status", headers=headers)
        assert replay.status_code == 401
        assert "before this agent started" in (await error_of(replay))["message"]
        assert (await restarted.get("/v1/status")).status_code == 200  # signed now: fine
    finally:
        restarted.close()
