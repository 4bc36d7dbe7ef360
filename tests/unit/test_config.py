"""The config loader: defaults, file, secrets, environment; one-line errors naming file and key."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from connector_agent.config import (
    SCHEMA,
    WIDGET_SCHEMA,
    ConfigError,
    load_config,
    update_secrets,
    write_new_config,
)
from connector_agent.config_template import render_config

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "agent.toml"
    path.write_text(body)
    return path


def test_shipped_example_is_what_init_writes_and_is_valid() -> None:
    assert (REPO / "agent.toml").read_text() == render_config()
    config = load_config(REPO / "agent.toml", environ={})
    assert config.sync.interval_minutes == 5
    assert config.api.bind == "127.0.0.1:8765"
    assert config.widgets["product"].title == "Frequently bought together"
    assert config.widgets["thankyou"].exclude_purchased is False


def test_defaults_apply_for_missing_keys(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[woocommerce]\nstore_url = "https://s.example/"\n'),
                         environ={})
    assert config.store_url == "https://s.example"
    assert config.sync.page_size == 100
    assert config.models.seed == 42
    assert config.data_dir == (tmp_path / "luxebrain-data").resolve()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[sync]\ninterval_minutes = "x"\n',
         'agent.toml: sync.interval_minutes: must be a positive integer (got "x")'),
        ("[sync]\ninterval_minutes = 0\n",
         "agent.toml: sync.interval_minutes: must be a positive integer (got 0)"),
        ("[sync]\npage_size = 101\n",
         "agent.toml: sync.page_size: must be an integer from 1 to 100 (got 101)"),
        ('[api]\nbind = "localhost"\n',
         'agent.toml: api.bind: must be HOST:PORT (got "localhost")'),
        ('[woocommerce]\nstore_url = "ftp://x"\n',
         'agent.toml: woocommerce.store_url: must be an http(s) URL (got "ftp://x")'),
        ("[sync]\nbogus = 1\n", "agent.toml: sync.bogus: unknown key"),
        ("[nonsense]\n", "agent.toml: nonsense: unknown section"),
        ("[widgets.sidebar]\n", "agent.toml: widgets.sidebar: unknown placement"),
        ('[secrets]\nconsumer_secret = "cs"\n', "agent.toml: secrets: do not put secrets"),
        ("[sync\n", "agent.toml: not valid TOML"),
        ('[woocommerce]\nverify_tls = "maybe"\n',
         'agent.toml: woocommerce.verify_tls: must be true or false (got "maybe")'),
        # "²".isdigit() is true and int("²") raises: clear errors, not a traceback
        ('[sync]\ninterval_minutes = "²"\n',
         'agent.toml: sync.interval_minutes: must be a positive integer (got "²")'),
        ('[sync]\ninterval_minutes = "--5"\n',
         'agent.toml: sync.interval_minutes: must be a positive integer (got "--5")'),
        ('[api]\nbind = "127.0.0.1:²"\n',
         'agent.toml: api.bind: must be HOST:PORT (got "127.0.0.1:²")'),
    ],
)
def test_bad_values_fail_with_one_line_naming_file_and_key(
    tmp_path: Path, body: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_config("agent.toml", environ={})
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml", environ={})


def test_environment_overrides_use_double_underscore(tmp_path: Path) -> None:
    path = write(tmp_path, "[sync]\ninterval_minutes = 5\n")
    config = load_config(path, environ={"LUXEBRAIN_SYNC__INTERVAL_MINUTES": "12"})
    assert config.sync.interval_minutes == 12
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={"LUXEBRAIN_SYNC__INTERVAL_MINUTES": "x"})
    assert str(caught.value) == (
        '$LUXEBRAIN_SYNC__INTERVAL_MINUTES: sync.interval_minutes: '
        'must be a positive integer (got "x")'
    )


def test_secrets_are_written_0600_and_read_back(tmp_path: Path) -> None:
    path = write(tmp_path, '[agent]\ndata_dir = "d"\n')
    secrets_path = update_secrets(path, consumer_key="ck_1", consumer_secret="cs_1")
    assert secrets_path == (tmp_path / "d" / "secrets.toml").resolve()
    assert os.stat(secrets_path).st_mode & 0o777 == 0o600
    config = load_config(path, environ={})
    assert (config.secrets.consumer_key, config.secrets.consumer_secret) == ("ck_1", "cs_1")
    assert "cs_1" not in repr(config)
    update_secrets(path, consumer_secret=None)
    assert load_config(path, environ={}).secrets.consumer_secret is None
    assert load_config(path, environ={}).secrets.consumer_key == "ck_1"


def test_world_readable_secrets_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[agent]\ndata_dir = "d"\n')
    secrets_path = update_secrets(path, consumer_key="ck_1")
    secrets_path.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others .*chmod 600"):
        load_config(path, environ={})


def test_secrets_from_environment_and_unknown_secret(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    config = load_config(path, environ={"LUXEBRAIN_SECRETS__SHARED_SECRET": "s3"})
    assert config.secrets.shared_secret == "s3"
    with pytest.raises(ConfigError, match="LUXEBRAIN_SECRETS__PASSWORD: unknown secret"):
        load_config(path, environ={"LUXEBRAIN_SECRETS__PASSWORD": "x"})


# ---------------------------------------------------------------- out-of-range values (review #5)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[woocommerce]\ntimeout_seconds = inf\n",
         "agent.toml: woocommerce.timeout_seconds: must be a positive number (got inf)"),
        ("[woocommerce]\ntimeout_seconds = nan\n",
         "agent.toml: woocommerce.timeout_seconds: must be a positive number (got nan)"),
        ("[woocommerce]\ntimeout_seconds = 601\n",
         "agent.toml: woocommerce.timeout_seconds: must be at most 600 (got 601)"),
        ("[sync]\ninterval_minutes = 99999999999\n",
         "agent.toml: sync.interval_minutes: must be at most 1440 (got 99999999999)"),
        ("[licence]\ngrace_days = 365\n",
         "agent.toml: licence.grace_days: must be at most 30 (got 365)"),
        ("[widgets.cart]\nttl_seconds = 99999999999\n",
         "agent.toml: widgets.cart.ttl_seconds: must be at most 86400 (got 99999999999)"),
        ('[woocommerce]\nstore_url = "https://shop.example:99999"\n',
         "agent.toml: woocommerce.store_url: must be an http(s) URL with a port from 1 to 65535"),
        ('[woocommerce]\nstore_url = "https://shop.example:0"\n',
         "agent.toml: woocommerce.store_url: must be an http(s) URL with a port from 1 to 65535"),
        ('[api]\npublic_url = "http://:80"\n',
         'agent.toml: api.public_url: must be an http(s) URL (got "http://:80")'),
    ],
)
def test_out_of_range_values_are_refused_at_load(
    tmp_path: Path, body: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_config("agent.toml", environ={})
    assert str(caught.value).startswith(message)


def test_every_default_is_within_its_range() -> None:
    for section, schema in SCHEMA.items():
        for key, (default, check) in schema.items():
            assert check(default) == default, f"{section}.{key}"
    for key, (default, check) in WIDGET_SCHEMA.items():
        assert check(default) == default, f"widgets.{key}"


# ---------------------------------------------------------------- environment overrides (review #6)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("LUXEBRAIN_SYNC__INTERVAL_MINUTE",
         "$LUXEBRAIN_SYNC__INTERVAL_MINUTE: sync.interval_minute: unknown key"),
        ("LUXEBRAIN_API__BIND_ADDRESS",
         "$LUXEBRAIN_API__BIND_ADDRESS: api.bind_address: unknown key"),
        ("LUXEBRAIN_SYNCH__PAGE_SIZE", "$LUXEBRAIN_SYNCH__PAGE_SIZE: synch: unknown section"),
        ("LUXEBRAIN_WIDGETS__SIDEBAR__LIMIT",
         "$LUXEBRAIN_WIDGETS__SIDEBAR__LIMIT: widgets.sidebar: unknown section"),
        ("LUXEBRAIN_WIDGETS__CART__LIMITS",
         "$LUXEBRAIN_WIDGETS__CART__LIMITS: widgets.cart.limits: unknown key"),
    ],
)
def test_a_misspelt_environment_override_is_an_error(
    tmp_path: Path, name: str, message: str
) -> None:
    path = write(tmp_path, "")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={name: "7", "LUXEBRAIN_CLOUD_KEY_PASSPHRASE": "not ours"})
    assert str(caught.value) == message


def test_widget_settings_can_be_overridden_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "[widgets.cart]\nlimit = 4\n")
    config = load_config(path, environ={"LUXEBRAIN_WIDGETS__CART__LIMIT": "6",
                                        "LUXEBRAIN_WIDGETS__PRODUCT__ENABLED": "false"})
    assert config.widgets["cart"].limit == 6
    assert config.widgets["product"].enabled is False
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={"LUXEBRAIN_WIDGETS__CART__LIMIT": "99"})
    assert str(caught.value) == (
        "$LUXEBRAIN_WIDGETS__CART__LIMIT: widgets.cart.limit: "
        'must be an integer from 1 to 50 (got "99")'
    )


# ---------------------------------------------------------------- unreadable files (review #4)


def test_a_non_utf8_config_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "agent.toml"
    path.write_bytes(b'[agent]\nlog_level = "info"\n# caf\xe9\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value) == f"{path}: not UTF-8 text (a bad byte on line 3)"


def test_a_non_utf8_secrets_file_is_a_config_error(tmp_path: Path) -> None:
    path = write(tmp_path, '[agent]\ndata_dir = "d"\n')
    secrets_path = update_secrets(path, consumer_key="ck_1")
    secrets_path.write_bytes(b'consumer_key = "ck_\xff"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value) == f"{secrets_path}: not UTF-8 text (a bad byte on line 1)"


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "agent.toml"
    path.write_bytes(b"\xef\xbb\xbf[sync]\ninterval_minutes = 7\n")
    assert load_config(path, environ={}).sync.interval_minutes == 7


def test_an_unreadable_data_dir_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[agent]\ndata_dir = "d"\n')
    (tmp_path / "d").mkdir()
    real_stat = Path.stat

    def stat(self: Path, **kwargs: object) -> os.stat_result:
        # root reads any directory, so the denial a shop owner meets is simulated
        if self.parent.name == "d":
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value) == (
        f"{tmp_path / 'd' / 'secrets.toml'}: cannot read: permission denied"
    )


# ---------------------------------------------------------------- writing (review #1 and #3)


def test_a_bad_value_writes_no_config_and_keeps_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "agent.toml"
    with pytest.raises(ConfigError, match="woocommerce.store_url: must be an http"):
        write_new_config(path, store_url="shop.example")
    assert not path.exists()
    write_new_config(path, store_url="https://shop.example")
    before = path.read_text()
    with pytest.raises(ConfigError, match="api.bind: must be HOST:PORT"):
        write_new_config(path, store_url="https://other.example", bind="nope")
    assert path.read_text() == before


@pytest.mark.parametrize("data_dir", ['da"ta', "back\\slash", "new\nline", "tab\there"])
def test_values_are_escaped_in_the_written_config(tmp_path: Path, data_dir: str) -> None:
    path = write_new_config(tmp_path / "agent.toml", store_url="https://shop.example",
                            data_dir=data_dir)
    config = load_config(path, environ={})
    assert config.data_dir == (tmp_path / data_dir).resolve()
    assert config.secrets_path.exists()


def test_concurrent_secret_updates_all_survive(tmp_path: Path) -> None:
    path = write(tmp_path, '[agent]\ndata_dir = "d"\n')
    keys = ["consumer_key", "consumer_secret", "webhook_secret", "shared_secret",
            "licence_key", "metrics_token", "wc_version", "snapshot_key"]
    start = threading.Barrier(len(keys))
    errors: list[BaseException] = []

    def churn(key: str) -> None:
        start.wait()
        try:
            for round_ in range(15):
                update_secrets(path, **{key: f"{key}-{round_}"})
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=churn, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    secrets = load_config(path, environ={}).secrets
    for key in keys:
        assert getattr(secrets, key) == f"{key}-14"
    leftovers = [p.name for p in (tmp_path / "d").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
