"""A Prometheus scraper reads GET /metrics with a bearer token that opens nothing else."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_api_support import Api, error_of

from connector_agent.cli import cli
from connector_agent.config import load_config, update_secrets
from luxebrain.clock import FrozenClock

TOKEN = "7a" * 32


@pytest.fixture
def api(config_path: Path, frozen_clock: FrozenClock) -> Iterator[Api]:
    update_secrets(config_path, metrics_token=TOKEN)
    api = Api(config_path, frozen_clock)
    yield api
    api.close()


async def _scrape(api: Api, path: str = "/metrics", token: str = TOKEN, method: str = "GET"):  # type: ignore[no-untyped-def]
    return await api.client.open(path, method=method, headers={"Authorization": f"Bearer {token}"})


async def test_the_metrics_token_reads_metrics_without_a_signature(api: Api) -> None:
    response = await _scrape(api)
    assert response.status_code == 200
    assert "luxebrain_events_applied" in await response.get_data(as_text=True)
    # the plugin's signed scrape still works beside it
    assert (await api.get("/metrics")).status_code == 200


@pytest.mark.parametrize(
    ("path", "token", "method", "message"),
    [
        ("/metrics", "0" * 64, "GET", "wrong metrics token"),
        ("/v1/status", TOKEN, "GET", "a bearer token opens only GET /metrics"),
        ("/v1/recommendations/popular", TOKEN, "GET", "a bearer token opens only GET /metrics"),
        ("/metrics", TOKEN, "POST", "a bearer token opens only GET /metrics"),
    ],
)
async def test_a_wrong_or_misused_token_is_refused(
    api: Api, path: str, token: str, method: str, message: str
) -> None:
    response = await _scrape(api, path, token, method)
    assert response.status_code == 401
    error = await error_of(response)
    assert error["code"] == "unauthorized" and error["message"] == message


async def test_without_a_configured_token_a_bearer_is_refused(
    config_path: Path, frozen_clock: FrozenClock
) -> None:
    api = Api(config_path, frozen_clock)
    try:
        response = await _scrape(api)
        assert response.status_code == 401
        assert "luxebrain-agent metrics-token" in (await error_of(response))["message"]
    finally:
        api.close()


def test_metrics_token_command_makes_keeps_and_rotates_the_token(config_path: Path) -> None:
    def token(*extra: str) -> str:
        result = CliRunner().invoke(cli, ["metrics-token", "--config", str(config_path), *extra])
        assert result.exit_code == 0, result.output
        return result.stdout.strip()

    first = token()
    assert len(first) == 64 and int(first, 16) >= 0
    assert token() == first
    rotated = token("--new")
    assert rotated != first
    config = load_config(config_path, environ={})
    assert config.secrets.metrics_token == rotated
    assert os.stat(config.secrets_path).st_mode & 0o777 == 0o600
    # the other secrets are kept
    assert config.secrets.consumer_key == "ck_test"
