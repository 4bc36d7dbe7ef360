<?php
/**
 * Uninstall: credentials the plugin created (WooCommerce REST keys and webhooks, the shared
 * secret, a pending pairing code) are always removed, since leaving them behind keeps the agent's
 * access alive. Settings and the licence key are deleted only when the site owner opts in with
 * define( 'LUXEBRAIN_REMOVE_ALL_DATA', true ) in wp-config.php, as WooCommerce does.
 *
 * @package LuxeBrain
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

require_once __DIR__ . '/includes/class-luxebrain-woocommerce.php';
require_once __DIR__ . '/includes/class-luxebrain-connection.php';
require_once __DIR__ . '/includes/class-luxebrain-pairing.php';

LuxeBrain_Pairing::remove_woocommerce_access();
delete_option( 'luxebrain_connection' );
delete_option( 'luxebrain_pairing' );
delete_transient( 'luxebrain_agent_down' );

global $wpdb;
// Cached widget payloads, rate-limit counters and one-time code displays.
$wpdb->query( "DELETE FROM {$wpdb->options} WHERE option_name LIKE '\_transient\_luxebrain\_%' OR option_name LIKE '\_transient\_timeout\_luxebrain\_%'" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery

if ( defined( 'LUXEBRAIN_REMOVE_ALL_DATA' ) && true === LUXEBRAIN_REMOVE_ALL_DATA ) {
	delete_option( 'luxebrain_settings' );
}
