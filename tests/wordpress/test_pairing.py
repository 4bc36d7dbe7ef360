"""Connect, pair (with the real ``luxebrain-agent pair``) and Disconnect in a real WordPress."""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path

import pytest
import requests
from agent_process import agent_cli, write_agent_config
from harness import WordPressSite, form_nonce
from stack import PAGE, connect

TOPICS = sorted(
    f"{resource}.{action}"
    for resource in ("order", "product", "customer")
    for action in ("created", "updated", "deleted")
)


@pytest.fixture
def agent_config(site: WordPressSite, tmp_path: Path) -> tuple[Path, str]:
    return write_agent_config(tmp_path, site.url)


def pair(config: tuple[Path, str], site: WordPressSite, code: str):
    path, agent_url = config
    return agent_cli(
        "pair", "--config", str(path), "--site", site.url, "--code", code, "--agent-url", agent_url
    )


def _secrets(config: tuple[Path, str]) -> tuple[Path, dict]:
    path = config[0].parent / "data" / "secrets.toml"
    return path, tomllib.loads(path.read_text())


def _wp_state(site: WordPressSite) -> dict:
    return site.php(
        """
        global $wpdb;
        return array(
            'keys'       => $wpdb->get_results( "SELECT consumer_secret, permissions
                FROM {$wpdb->prefix}woocommerce_api_keys", ARRAY_A ),
            'webhooks'   => $wpdb->get_results( "SELECT status, topic, delivery_url, secret
                FROM {$wpdb->prefix}wc_webhooks", ARRAY_A ),
            'connection' => get_option( 'luxebrain_connection' ),
        );
        """
    )


def test_connect_shows_the_pair_command_once_and_no_secret(
    site: WordPressSite, admin: requests.Session
) -> None:
    code = connect(site)
    assert re.fullmatch(r"[a-z0-9]{24}", code)
    again = admin.get(site.url + PAGE, timeout=20).text
    assert code not in again, "the code is shown once"
    stored = site.php("return get_option( 'luxebrain_pairing' );")
    assert code not in str(stored), "only its hash is stored"


def test_pair_command_stores_secrets_0600_and_wordpress_creates_keys_and_webhooks(
    site: WordPressSite, admin: requests.Session, agent_config: tuple[Path, str]
) -> None:
    done = pair(agent_config, site, connect(site))
    assert done.exit_code == 0, done.stderr
    assert f"paired with {site.url} (WooCommerce 8.5.0-shim)" in done.stderr
    path, secrets = _secrets(agent_config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    state = _wp_state(site)
    assert secrets["store_url"] == site.url
    assert secrets["shared_secret"] == state["connection"]["shared_secret"]
    assert len(state["keys"]) == 1
    assert state["keys"][0]["permissions"] == "read_write"
    assert state["keys"][0]["consumer_secret"] == secrets["consumer_secret"]
    hooks = state["webhooks"]
    assert sorted(h["topic"] for h in hooks) == TOPICS
    agent_url = agent_config[1]
    assert {h["delivery_url"] for h in hooks} == {f"{agent_url}/v1/webhooks/woocommerce"}
    assert {h["secret"] for h in hooks} == {secrets["webhook_secret"]}
    page = admin.get(site.url + PAGE, timeout=20).text
    for value in (secrets["shared_secret"], secrets["consumer_secret"], secrets["webhook_secret"]):
        assert value not in page, "secrets never appear on screen"


def test_pair_on_a_new_machine_writes_the_config_and_brings_the_licence_key(
    site: WordPressSite, tmp_path: Path
) -> None:
    site.php(
        "update_option( 'luxebrain_settings', array( 'licence_key' => 'lbk_test.key-1' ) );"
        "return true;"
    )
    config = tmp_path / "new" / "agent.toml"
    try:
        done = agent_cli(
            "pair", "--config", str(config), "--site", site.url, "--code", connect(site),
            "--data-dir", "store",
        )
    finally:
        site.php("delete_option( 'luxebrain_settings' ); return true;")
    assert done.exit_code == 0, done.stderr
    assert f'store_url = "{site.url}"' in config.read_text()
    secrets = tomllib.loads((config.parent / "store" / "secrets.toml").read_text())
    assert secrets["licence_key"] == "lbk_test.key-1"
    assert {"consumer_key", "shared_secret", "snapshot_key"} <= set(secrets)


def test_webhook_delivery_is_allowed_to_exactly_the_paired_agent(
    site: WordPressSite, admin: requests.Session, agent_config: tuple[Path, str]
) -> None:
    assert pair(agent_config, site, connect(site)).exit_code == 0
    agent_url = agent_config[1]
    port = int(agent_url.rsplit(":", 1)[1])
    checked = site.php(
        f"""
        return array(
            wp_http_validate_url( '{agent_url}/v1/webhooks/woocommerce' ),
            wp_http_validate_url( 'http://127.0.0.1:{port + 1}/v1/webhooks/woocommerce' ),
            wp_http_validate_url( 'http://192.168.1.10:{port}/x' ),
        );
        """
    )
    assert checked == [f"{agent_url}/v1/webhooks/woocommerce", False, False]


def test_a_code_works_once(
    site: WordPressSite, admin: requests.Session, agent_config: tuple[Path, str]
) -> None:
    code = connect(site)
    assert pair(agent_config, site, code).exit_code == 0
    again = pair(agent_config, site, code)
    assert again.exit_code == 1
    assert "wrong or was already used" in again.stderr
    assert len(_wp_state(site)["keys"]) == 1


def test_an_expired_code_is_refused_and_changes_nothing(
    site: WordPressSite, admin: requests.Session, agent_config: tuple[Path, str]
) -> None:
    before = _wp_state(site)
    code = connect(site)
    site.php(
        "$p = get_option( 'luxebrain_pairing' ); $p['expires_at'] = time() - 1;"
        "update_option( 'luxebrain_pairing', $p ); return true;"
    )
    done = pair(agent_config, site, code)
    assert done.exit_code == 1
    assert "expired" in done.stderr
    assert _wp_state(site) == before


def test_connecting_twice_replaces_keys_webhooks_and_secrets(
    site: WordPressSite, admin: requests.Session, agent_config: tuple[Path, str]
) -> None:
    assert pair(agent_config, site, connect(site)).exit_code == 0
    first = _secrets(agent_config)[1]
    assert pair(agent_config, site, connect(site)).exit_code == 0
    second = _secrets(agent_config)[1]
    state = _wp_state(site)
    assert len(state["keys"]) == 1
    assert len(state["webhooks"]) == 9
    assert second["shared_secret"] != first["shared_secret"]
    assert state["connection"]["shared_secret"] == second["shared_secret"]


def test_disconnect_with_the_agent_down_still_removes_access_and_is_idempotent(
    site: WordPressSite, admin: requests.Session, agent_config: tuple[Path, str]
) -> None:
    assert pair(agent_config, site, connect(site)).exit_code == 0
    nonce = form_nonce(admin.get(site.url + PAGE, timeout=20).text, "luxebrain_disconnect")
    for expected in ("could not be told", "This shop was not connected."):
        page = admin.post(
            site.url + "/wp-admin/admin-post.php",
            data={"action": "luxebrain_disconnect", "_wpnonce": nonce},
            timeout=30,
        )
        assert expected in page.text
        state = _wp_state(site)
        assert (state["keys"], state["webhooks"], state["connection"]) == ([], [], False)


def test_pair_route_is_rate_limited(site: WordPressSite) -> None:
    site.php("global $wpdb; $wpdb->query( \"DELETE FROM {$wpdb->options} WHERE option_name "
             "LIKE '%luxebrain_rl_%'\" ); return true;")
    statuses = [
        requests.post(
            f"{site.url}/wp-json/luxebrain/v1/pair",
            json={"code": f"guess{i}", "agent_url": "http://127.0.0.1:1"},
            timeout=20,
        ).status_code
        for i in range(11)
    ]
    assert statuses == [403] * 10 + [429]
