"""Uninstalling the plugin from a real WordPress removes its credentials and caches; settings
stay unless the owner opted in with LUXEBRAIN_REMOVE_ALL_DATA."""

from __future__ import annotations

from harness import WordPressSite
from stack import connect

from wp_plugin_bridge.pairing import redeem_code

STATE = """
global $wpdb;
return array(
    'keys'     => (int) $wpdb->get_var(
        "SELECT COUNT(*) FROM {$wpdb->prefix}woocommerce_api_keys" ),
    'webhooks' => count( get_option( 'luxebrain_shim_webhooks', array() ) ),
    'options'  => $wpdb->get_col( "SELECT option_name FROM {$wpdb->options}
        WHERE option_name LIKE '%luxebrain\\_%' AND option_name <> 'luxebrain_shim_webhooks'
        ORDER BY option_name" ),
);
"""


def test_uninstall_removes_credentials_and_caches_but_keeps_settings(site: WordPressSite) -> None:
    redeem_code(site.url, connect(site), "http://127.0.0.1:8765")
    site.php(
        "update_option( 'luxebrain_settings', array( 'render' => 'server' ) );"
        "set_transient( 'luxebrain_w_abc', array( 'items' => array() ), 60 ); return true;"
    )
    before = site.php(STATE)
    assert (before["keys"], before["webhooks"]) == (1, 9)
    assert "luxebrain_connection" in before["options"]
    site.php(
        "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
        "deactivate_plugins( 'luxebrain/luxebrain.php' );"
        "uninstall_plugin( 'luxebrain/luxebrain.php' ); return true;"
    )
    after = site.php(STATE)
    assert (after["keys"], after["webhooks"]) == (0, 0)
    assert after["options"] == ["luxebrain_settings"]
