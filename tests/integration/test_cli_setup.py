"""The setup commands' contract: init, migrate, status --json, erase-customer, erase-guest,
install-service."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_api_support import Api

from connector_agent.cli import cli
from connector_agent.cli import demo as demo_module
from connector_agent.cli import pair as pair_module
from connector_agent.config import load_config
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from connector_agent.woo.normalise import guest_key
from luxebrain.clock import FrozenClock
from online_models.events import Event, version_of
from wp_plugin_bridge.pairing import PairingError

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


# ---------------------------------------------------------------- pair and init: no broken file


PAIRED = {"store_url": "https://shop.example", "consumer_key": "ck_p", "consumer_secret": "cs_p",
          "webhook_secret": "wh_p", "shared_secret": "sh_p", "wc_version": "9.1"}


def fake_redeem(monkeypatch: pytest.MonkeyPatch, answer: dict[str, str] | Exception) -> None:
    def redeem(site: str, code: str, agent_url: str) -> dict[str, str]:
        if isinstance(answer, Exception):
            raise answer
        return dict(answer)

    monkeypatch.setattr(pair_module, "redeem_code", redeem)


def test_pair_with_a_bad_site_writes_nothing_and_a_retry_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "agent.toml"
    fake_redeem(monkeypatch, PAIRED)
    bad = run("pair", "--config", str(config), "--site", "shop.example", "--code", "abc")
    assert bad.exit_code == 2
    assert bad.output == 'Error: --site: must be an http(s) URL (got "shop.example")\n'
    assert not config.exists()
    good = run("pair", "--config", str(config), "--site", "https://shop.example", "--code", "abc")
    assert good.exit_code == 0, good.output
    loaded = load_config(config, environ={})
    assert loaded.store_url == "https://shop.example"
    assert (loaded.secrets.consumer_key, loaded.secrets.shared_secret) == ("ck_p", "sh_p")


def test_a_refused_first_pairing_leaves_no_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "agent.toml"
    fake_redeem(monkeypatch, PairingError("the code has expired"))
    result = run("pair", "--config", str(config), "--site", "https://shop.example",
                 "--code", "old")
    assert result.exit_code == 1
    assert "the code has expired" in result.output
    assert not config.exists()


def test_init_escapes_a_data_dir_with_a_quote(tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    result = run("init", "--store-url", "https://shop.example", "--consumer-key", "ck_1",
                 "--consumer-secret", "cs_1", "--data-dir", 'da"ta', "--config", str(config))
    assert result.exit_code == 0, result.output
    assert load_config(config, environ={}).data_dir == (tmp_path / 'da"ta').resolve()
    assert (tmp_path / 'da"ta' / "luxebrain.sqlite").exists()


# ---------------------------------------------------------------- init after pair (review #7)


def paired_then_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str) -> Any:
    """The secrets after pairing with https://shop.example, then ``init --force`` naming
    ``store_url``."""
    config = tmp_path / "agent.toml"
    fake_redeem(monkeypatch, PAIRED)
    assert run("pair", "--config", str(config), "--site", "https://shop.example",
               "--code", "abc").exit_code == 0
    result = run("init", "--force", "--store-url", store_url, "--consumer-key",
                 "ck_n", "--consumer-secret", "cs_n", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert load_config(config, environ={}).store_url == store_url.rstrip("/")
    return load_config(config, environ={}).secrets


def test_init_for_another_shop_replaces_the_old_pairing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = paired_then_init(tmp_path, monkeypatch, "https://new.example")
    assert secrets.store_url is None and secrets.webhook_secret is None
    assert secrets.shared_secret not in (None, "sh_p")  # the old shop's plugin is shut out
    assert (secrets.consumer_key, secrets.consumer_secret) == ("ck_n", "cs_n")


def test_init_for_the_same_shop_keeps_the_pairing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = paired_then_init(tmp_path, monkeypatch, "https://shop.example/")
    assert (secrets.shared_secret, secrets.webhook_secret) == ("sh_p", "wh_p")
    assert secrets.consumer_key == "ck_n"


# ---------------------------------------------------------------- the README's no-plugin path (#9)


async def test_init_makes_the_api_command_work_without_the_plugin(tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    assert run(*INIT, "--config", str(config)).exit_code == 0
    secret = load_config(config, environ={}).secrets.shared_secret
    assert secret
    api = Api(config, FrozenClock(datetime.now(UTC)), paired=False)
    try:
        answer = await api.get("/v1/status", headers=api.headers("GET", "/v1/status",
                                                                 secret=secret))
        assert answer.status_code == 200, await answer.get_data(as_text=True)
    finally:
        api.close()


# ---------------------------------------------------------------- demo refuses to overwrite (#8)


def test_demo_refuses_a_dir_with_an_agent_toml_unless_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "agent.toml").write_text("# a shop's own config\n")
    started: list[Path] = []

    class NoShop:
        """Stands in for the demo's shop and agent: stops as Ctrl-C would."""

        def __init__(self, workdir: Path, **_: object) -> None:
            started.append(workdir)

        def start_shop(self) -> None:
            raise KeyboardInterrupt

        def stop(self) -> None:
            pass

    monkeypatch.setattr(demo_module, "Demo", NoShop)
    refused = run("demo", "--dir", str(tmp_path))
    assert refused.exit_code == 1
    assert "agent.toml: already exists (use --force to overwrite)" in refused.output
    assert started == []
    assert (tmp_path / "agent.toml").read_text() == "# a shop's own config\n"
    assert run("demo", "--dir", str(tmp_path), "--force").exit_code == 0
    assert started == [tmp_path]


# ---------------------------------------------------------------- install-service errors (#10)


def test_install_service_into_a_missing_directory_is_one_line(config_path: Path) -> None:
    result = run("install-service", "--config", str(config_path),
                 "--out", "/nonexistent/luxebrain-agent.service")
    assert result.exit_code == 2
    assert result.output == "Error: --out: /nonexistent is not a directory\n"


def test_install_service_where_it_may_not_write_is_one_line(config_path: Path) -> None:
    result = run("install-service", "--config", str(config_path),
                 "--out", "/sys/luxebrain-agent.service")  # refused even to root
    assert result.exit_code == 1
    assert result.output.startswith("Error: /sys/luxebrain-agent.service: cannot write: ")
    assert result.output.count("\n") == 1
