<?php
/**
 * Uninstall: credentials the plugin created (WooCommerce REST keys and webhooks, the shared
 * secret, a pending pairing code) are always removed, since leaving them behind keeps the agent's
 * access alive. Settings and the licence key are deleted only when the site owner opts in with
 * define( 'LUXEBRAIN_REMOVE_ALL_DATA', true ) in wp-config.php, as WooCommerce does.
 *
 * On multisite this runs once for the whole network, so every site is cleaned up in turn: each
 * site that was paired has its own keys, webhooks, secrets and caches.
 *
 * @package LuxeBrain
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

require_once __DIR__ . '/includes/class-luxebrain-woocommerce.php';
require_once __DIR__ . '/includes/class-luxebrain-connection.php';
require_once __DIR__ . '/includes/class-luxebrain-pairing.php';

/**
 * Remove what the plugin left on the current site (the switched-to one on multisite).
 */
function luxebrain_uninstall_site(): void {
	global $wpdb;
	LuxeBrain_Pairing::remove_woocommerce_access();
	delete_option( 'luxebrain_connection' );
	delete_option( 'luxebrain_pairing' );
	delete_transient( 'luxebrain_agent_down' );

	// Cached widget payloads, rate-limit counters and one-time code displays.
	$wpdb->query( "DELETE FROM {$wpdb->options} WHERE option_name LIKE '\_transient\_luxebrain\_%' OR option_name LIKE '\_transient\_timeout\_luxebrain\_%'" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery

	if ( defined( 'LUXEBRAIN_REMOVE_ALL_DATA' ) && true === LUXEBRAIN_REMOVE_ALL_DATA ) {
		delete_option( 'luxebrain_settings' );
	}
}

if ( is_multisite() ) {
	foreach ( get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	) as $luxebrain_site_id ) {
		switch_to_blog( (int) $luxebrain_site_id );
		luxebrain_uninstall_site();
		restore_current_blog();
	}
} else {
	luxebrain_uninstall_site();
}
