"""``luxebrain-agent sync``: summary line, exit codes 0/1/2, and the status it leaves behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from connector_agent.cli import cli
from connector_agent.demo.woo_double import WooDouble


@pytest.fixture
def shop():
    with WooDouble.demo(limit_orders=80) as double:
        double.start()
        yield double


def init(tmp_path: Path, url: str, key: str, secret: str) -> str:
    path = str(tmp_path / "agent.toml")
    result = CliRunner().invoke(
        cli,
        ["init", "--store-url", url, "--consumer-key", key, "--consumer-secret", secret,
         "--data-dir", "data", "--config", path],
    )
    assert result.exit_code == 0, result.output
    return path


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_sync_backfills_then_status_reports_it(shop, tmp_path):
    config = init(tmp_path, shop.url, shop.consumer_key, shop.consumer_secret)
    result = run("sync", "--config", config)
    assert result.exit_code == 0, result.output
    summary = result.output.strip().splitlines()[-1]
    assert summary.startswith("sync backfill done: products ")
    assert "orders 80 read/80 new" in summary and "WooCommerce 7.8.2" in summary
    status = json.loads(run("status", "--config", config, "--json").output)
    assert status["counts"]["orders"] == 80
    assert set(status["last_sync"]) == {"products", "customers", "orders"}
    again = run("sync", "--config", config)
    assert again.exit_code == 0
    assert "sync incremental done" in again.output and "orders 0 read/0 new" in again.output
    full = run("sync", "--config", config, "--full")
    assert "sync full done" in full.output and "orders 80 read/0 new" in full.output


def test_wrong_credentials_exit_1_with_one_line(shop, tmp_path):
    config = init(tmp_path, shop.url, shop.consumer_key, "cs_wrong")
    result = run("sync", "--config", config)
    assert result.exit_code == 1
    assert "Error: WooCommerce GET /system_status: HTTP 401" in result.output
    assert "cs_wrong" not in result.output and "Traceback" not in result.output


def test_bad_config_exits_2(tmp_path):
    config = init(tmp_path, "http://127.0.0.1:9", "ck", "cs")
    result = run("sync", "--config", config, env={"LUXEBRAIN_SYNC__PAGE_SIZE": "500"})
    assert result.exit_code == 2
    assert "sync.page_size: must be an integer from 1 to 100" in result.output
    missing = run("sync", "--config", str(tmp_path / "nope.toml"))
    assert missing.exit_code == 2


def test_unreachable_shop_exits_1_after_retries(tmp_path):
    config = init(tmp_path, "http://127.0.0.1:9", "ck", "cs")
    env = {"LUXEBRAIN_SYNC__MAX_RETRIES": "1", "LUXEBRAIN_SYNC__BACKOFF_SECONDS": "0.01"}
    result = run("sync", "--config", config, env=env)
    assert result.exit_code == 1
    assert "gave up after 2 attempts (ConnectionError)" in result.output


def test_reconcile_tombstones_a_force_deleted_order(shop, tmp_path):
    config = init(tmp_path, shop.url, shop.consumer_key, shop.consumer_secret)
    assert run("sync", "--config", config).exit_code == 0
    shop.force_delete_order(next(iter(shop.state.orders)))
    result = run("reconcile", "--config", config)
    assert result.exit_code == 0, result.output
    assert "order -1/+0" in result.output
    status = json.loads(run("status", "--config", config, "--json").output)
    assert status["counts"]["orders"] == 79
