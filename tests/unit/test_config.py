"""The config loader: defaults, file, secrets, environment; one-line errors naming file and key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from connector_agent.config import ConfigError, load_config, update_secrets
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
