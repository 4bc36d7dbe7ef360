"""The setup commands' contract: init, migrate, status --json, erase-customer, erase-guest,
install-service."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from connector_agent.cli import cli
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from connector_agent.woo.normalise import guest_key
from online_models.events import Event, version_of

INIT = ["init", "--store-url", "http://127.0.0.1:9", "--consumer-key", "ck_1",
        "--consumer-secret", "cs_1", "--data-dir", "data"]


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_init_writes_working_config_and_refuses_to_overwrite(tmp_path: Path) -> None:
    config = str(tmp_path / "agent.toml")
    result = run(*INIT, "--config", config)
    assert result.exit_code == 0, result.output
    secrets = tmp_path / "data" / "secrets.toml"
    assert os.stat(secrets).st_mode & 0o777 == 0o600
    assert "cs_1" in secrets.read_text()
    assert "cs_1" not in (tmp_path / "agent.toml").read_text()
    assert (tmp_path / "data" / "luxebrain.sqlite").exists()
    again = run(*INIT, "--config", config)
    assert again.exit_code == 1
    assert "already exists (use --force" in again.output
    assert run(*INIT, "--config", config, "--force").exit_code == 0


def test_init_rejects_bad_url_with_exit_2(tmp_path: Path) -> None:
    result = run("init", "--store-url", "not-a-url", "--consumer-key", "k",
                 "--consumer-secret", "s", "--config", str(tmp_path / "a.toml"))
    assert result.exit_code == 2
    assert "--store-url" in result.output
    assert not (tmp_path / "a.toml").exists()


def test_status_json_contract(config_path: Path) -> None:
    config = str(config_path)
    store = Store.open(config_path.parent / "data" / "luxebrain.sqlite")
    payload = {"id": "7", "status": "completed", "customer_id": None, "guest_key": "g",
               "currency": "USD", "created_at": "2026-01-01T00:00:00Z", "paid_at": None,
               "total": "1.00", "line_items": [], "refunds": []}
    EventLog(store).append([Event(0, "order.upserted", "7",
                                  version_of("2026-01-01T00:00:00Z", payload),
                                  "2026-01-01T00:00:00Z", payload)])
    store.save_cursor("orders", {"page": 1}, success=True)
    store.close()
    result = run("status", "--config", config, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["counts"] == {"products": 0, "customers": 0, "orders": 1}
    assert report["event_seq"] == 1
    assert report["applied_seq"] == 0
    assert list(report["last_sync"]) == ["orders"]
    assert report["last_sync"]["orders"].endswith("Z")


def test_bad_config_exits_2_with_one_line(config_path: Path) -> None:
    result = run("status", "--config", str(config_path),
                 env={"LUXEBRAIN_SYNC__INTERVAL_MINUTES": "x"})
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == ['Error: $LUXEBRAIN_SYNC__INTERVAL_MINUTES: sync.interval_minutes: '
                     'must be a positive integer (got "x")']
    missing = run("status", "--config", str(config_path.parent / "none.toml"))
    assert missing.exit_code == 2
    assert "file not found" in missing.output


def test_migrate_json_and_erase_customer(config_path: Path) -> None:
    result = run("migrate", "--config", str(config_path), "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["pending"] == []
    erased = run("erase-customer", "42", "--config", str(config_path))
    assert erased.exit_code == 0
    store = Store.open(config_path.parent / "data" / "luxebrain.sqlite")
    try:
        assert [e.kind for e in EventLog(store).read()] == ["customer.erased"]
    finally:
        store.close()


def test_erase_guest_unlinks_the_guests_orders_and_refuses_a_bad_email(config_path: Path) -> None:
    assert run("migrate", "--config", str(config_path)).exit_code == 0
    key = guest_key("gus@example.com")
    payload = {"id": "g1", "status": "completed", "customer_id": None, "guest_key": key,
               "created_at": "2026-01-01T00:00:00Z", "line_items": [], "refunds": []}
    at = "2026-01-01T00:00:00Z"
    store = Store.open(config_path.parent / "data" / "luxebrain.sqlite")
    try:
        EventLog(store).append([Event(0, "order.upserted", "g1", version_of(at, payload), at,
                                      payload)])
    finally:
        store.close()
    bad = run("erase-guest", "--email", "not-an-email", "--config", str(config_path))
    assert bad.exit_code == 2
    assert "must be an email address" in bad.output
    erased = run("erase-guest", "--email", "Gus@example.com", "--config", str(config_path))
    assert erased.exit_code == 0
    assert "1 orders unlinked, 1 events redacted" in erased.output
    store = Store.open(config_path.parent / "data" / "luxebrain.sqlite")
    try:
        assert store.db["orders"].get("g1")["guest_key"] is None
        *orders, erased = EventLog(store).read()
        assert key not in repr(orders)
        assert (erased.kind, erased.key) == ("customer.erased", f"guest:{key}")
    finally:
        store.close()


def test_install_service_writes_a_unit(config_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "luxebrain-agent.service"
    result = run("install-service", "--config", str(config_path), "--out", str(out))
    assert result.exit_code == 0
    unit = out.read_text()
    assert f"run --config {config_path.resolve()}" in unit
    assert "Restart=on-failure" in unit and "WantedBy=multi-user.target" in unit
    assert "systemctl enable --now luxebrain-agent.service" in result.output


def test_every_command_help_has_an_example() -> None:
    for name in cli.commands:
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example:" in result.output, f"{name} --help has no example"
