"""Uninstalling the plugin from a real WordPress removes its credentials and caches; settings
stay unless the owner opted in with LUXEBRAIN_REMOVE_ALL_DATA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import WordPressSite, skip_without_wordpress
from stack import connect

from wp_plugin_bridge.pairing import redeem_code

#: Keys, webhooks and the plugin's options of the current site (``switch_to_blog`` first on a
#: network).
SITE_STATE = """
    global $wpdb;
    return array(
        'keys'     => (int) $wpdb->get_var(
            "SELECT COUNT(*) FROM {$wpdb->prefix}woocommerce_api_keys" ),
        'webhooks' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->prefix}wc_webhooks" ),
        'options'  => $wpdb->get_col( "SELECT option_name FROM {$wpdb->options}
            WHERE option_name LIKE '%luxebrain\\_%' ORDER BY option_name" ),
    );
"""
STATE = "return ( function () {" + SITE_STATE + "} )();"
UNINSTALL = (
    "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
    "deactivate_plugins( 'luxebrain/luxebrain.php' );"
    "uninstall_plugin( 'luxebrain/luxebrain.php' ); return true;"
)


def test_uninstall_removes_credentials_and_caches_but_keeps_settings(site: WordPressSite) -> None:
    redeem_code(site.url, connect(site), "http://127.0.0.1:8765")
    site.php(
        "update_option( 'luxebrain_settings', array( 'render' => 'server' ) );"
        "set_transient( 'luxebrain_w_abc', array( 'items' => array() ), 60 ); return true;"
    )
    before = site.php(STATE)
    assert (before["keys"], before["webhooks"]) == (1, 9)
    assert "luxebrain_connection" in before["options"]
    site.php(UNINSTALL)
    after = site.php(STATE)
    assert (after["keys"], after["webhooks"]) == (0, 0)
    assert after["options"] == ["luxebrain_settings"]


def test_uninstall_while_woocommerce_is_inactive_still_deletes_its_keys_and_webhooks(
    site: WordPressSite,
) -> None:
    site.php(
        "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
        "return activate_plugin( 'luxebrain/luxebrain.php' );"
    )
    site.php(
        "return LuxeBrain_Pairing::redeem( LuxeBrain_Pairing::start( 1 ), "
        "'http://127.0.0.1:8765' );"
    )
    site.php("set_transient( 'woocommerce_webhook_ids_status_active', array( 1 ) ); return true;")
    assert site.php(STATE)["webhooks"] == 9
    assert site.php("return defined( 'WC_VERSION' );", woocommerce=False) is False
    site.php(UNINSTALL, woocommerce=False)
    after = site.php(STATE)
    assert (after["keys"], after["webhooks"]) == (0, 0), "none is left to deliver to the agent"
    cached = site.php("return get_transient( 'woocommerce_webhook_ids_status_active' );")
    assert cached is False, "WooCommerce's cached webhook ids go with them"


@pytest.fixture(scope="module")
def network(plugin_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPressSite]:
    """A two-site multisite network with the plugin active, and paired, on both sites."""
    skip_without_wordpress()
    network = WordPressSite.create(tmp_path_factory.mktemp("network"), plugin_zip)
    try:
        network.make_network()
        network.php(
            f"$shop = wpmu_create_blog( '127.0.0.1:{network.port}', '/shop2/', 'Shop 2', 1 );"
            """
            if ( is_wp_error( $shop ) ) {
                throw new RuntimeException( $shop->get_error_message() );
            }
            require_once ABSPATH . 'wp-admin/includes/plugin.php';
            switch_to_blog( $shop );
            luxebrain_shim_install();
            activate_plugin( 'luxebrain/luxebrain.php' );
            restore_current_blog();
            return $shop;
            """
        )
        network.php(
            """
            foreach ( get_sites( array( 'fields' => 'ids' ) ) as $id ) {
                switch_to_blog( $id );
                LuxeBrain_Pairing::redeem( LuxeBrain_Pairing::start( 1 ), 'http://127.0.0.1:8765' );
                set_transient( 'luxebrain_w_abc', array( 'items' => array() ), 60 );
                restore_current_blog();
            }
            return true;
            """
        )
        yield network
        assert network.plugin_php_errors() == [], "the plugin raised PHP errors"
    finally:
        network.close()


def _network_state(network: WordPressSite) -> dict:
    return network.php(
        "$state = array();"
        "foreach ( get_sites( array( 'fields' => 'ids' ) ) as $id ) {"
        "  switch_to_blog( $id );"
        "  $state[ $id ] = ( function () {" + SITE_STATE + "} )();"
        "  restore_current_blog();"
        "}"
        "return $state;"
    )


def test_uninstall_on_a_network_cleans_up_every_site(network: WordPressSite) -> None:
    before = _network_state(network)
    assert sorted(before) == ["1", "2"]
    for state in before.values():
        assert (state["keys"], state["webhooks"]) == (1, 9)
        assert {"luxebrain_connection", "_transient_luxebrain_w_abc"} <= set(state["options"])
    network.php(UNINSTALL)
    for site_id, state in _network_state(network).items():
        assert (state["keys"], state["webhooks"], state["options"]) == (0, 0, []), site_id
