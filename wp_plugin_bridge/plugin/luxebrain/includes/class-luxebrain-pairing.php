<?php
/**
 * Pairing and unpairing (DESIGN.md "Plugin <-> agent protocol").
 *
 * Connect makes a one-time code (stored hashed, single use, 15 minutes); the agent redeems it at
 * POST /wp-json/luxebrain/v1/pair and receives REST keys and secrets; the plugin then creates the
 * webhooks. Re-pairing first removes what the previous pairing created, so repeating it is safe.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * Pairing codes, pairing and disconnecting.
 */
class LuxeBrain_Pairing {

	const OPTION = 'luxebrain_pairing';

	const CODE_TTL = 15 * MINUTE_IN_SECONDS;

	/**
	 * Start pairing: a new code replaces any earlier one.
	 *
	 * @param int $user_id The admin who clicked Connect; owns the keys and webhooks.
	 * @return string The code, shown once.
	 */
	public static function start( int $user_id ): string {
		$code = strtolower( wp_generate_password( 24, false, false ) );
		update_option(
			self::OPTION,
			array(
				'code_hash'  => hash( 'sha256', $code ),
				'expires_at' => time() + self::CODE_TTL,
				'user_id'    => $user_id,
			),
			false
		);
		return $code;
	}

	/**
	 * Whether an unused, unexpired code is waiting.
	 */
	public static function pending(): bool {
		$pending = get_option( self::OPTION );
		return is_array( $pending ) && $pending['expires_at'] > time();
	}

	/**
	 * Redeem a code: check it, (re)create keys, secrets and webhooks, and return what the agent stores.
	 *
	 * @param string $code      The code the agent was given.
	 * @param string $agent_url The agent's base URL (webhooks go to {agent_url}/v1/webhooks/woocommerce).
	 * @return array<string,string>|WP_Error The six protocol fields, plus licence_key when one is set.
	 */
	public static function redeem( string $code, string $agent_url ) {
		$agent_url = self::normalise_agent_url( $agent_url );
		if ( is_wp_error( $agent_url ) ) {
			return $agent_url;
		}
		$pending = get_option( self::OPTION );
		if ( ! is_array( $pending ) || ! hash_equals( (string) $pending['code_hash'], hash( 'sha256', $code ) ) ) {
			return new WP_Error( 'invalid_code', __( 'This pairing code is wrong or was already used. Click Connect again for a new one.', 'luxebrain' ), array( 'status' => 403 ) );
		}
		if ( (int) $pending['expires_at'] <= time() ) {
			delete_option( self::OPTION );
			return new WP_Error( 'expired_code', __( 'This pairing code has expired. Click Connect again for a new one.', 'luxebrain' ), array( 'status' => 403 ) );
		}
		if ( ! LuxeBrain_WooCommerce::is_active() ) {
			return new WP_Error( 'no_woocommerce', __( 'WooCommerce is not active.', 'luxebrain' ), array( 'status' => 409 ) );
		}
		// Single use: the code is gone before anything is created.
		delete_option( self::OPTION );
		self::remove_woocommerce_access();

		$user_id = (int) $pending['user_id'];
		$keys    = LuxeBrain_WooCommerce::create_api_keys( $user_id, __( 'LuxeBrain agent', 'luxebrain' ) );
		if ( is_wp_error( $keys ) ) {
			return $keys;
		}
		$shared_secret  = bin2hex( random_bytes( 32 ) );
		$webhook_secret = bin2hex( random_bytes( 32 ) );
		// Saved before the webhooks exist so the delivery guard already allows the agent's URL.
		LuxeBrain_Connection::save( $agent_url, $shared_secret, $keys['key_id'], array() );
		$webhook_ids = array();
		foreach ( LuxeBrain_WooCommerce::WEBHOOK_TOPICS as $topic ) {
			$webhook_ids[] = LuxeBrain_WooCommerce::create_webhook( $user_id, $topic, $agent_url . '/v1/webhooks/woocommerce', $webhook_secret );
		}
		LuxeBrain_Connection::save( $agent_url, $shared_secret, $keys['key_id'], $webhook_ids );

		$answer  = array(
			'store_url'       => untrailingslashit( home_url() ),
			'consumer_key'    => $keys['consumer_key'],
			'consumer_secret' => $keys['consumer_secret'],
			'webhook_secret'  => $webhook_secret,
			'shared_secret'   => $shared_secret,
			'wc_version'      => LuxeBrain_WooCommerce::version(),
		);
		$licence = (string) LuxeBrain_Settings::get( 'licence_key' );
		// Optional: the licence key pasted here reaches the agent without a shell command.
		if ( '' !== $licence ) {
			$answer['licence_key'] = $licence;
		}
		return $answer;
	}

	/**
	 * Disconnect: tell the agent (best effort), delete keys and webhooks, forget the secrets.
	 *
	 * @return true|WP_Error True when the agent acknowledged, or the agent's error (local cleanup
	 *                       happened either way). WP_Error 'not_paired' when there was nothing to do.
	 */
	public static function disconnect() {
		$client = LuxeBrain_Agent_Client::paired();
		if ( ! $client ) {
			return new WP_Error( 'not_paired', __( 'This shop is not connected to an agent.', 'luxebrain' ) );
		}
		$answer = $client->request( 'POST', '/v1/unpair', array(), array() );
		self::remove_woocommerce_access();
		LuxeBrain_Connection::forget();
		delete_option( self::OPTION );
		return is_wp_error( $answer ) ? $answer : true;
	}

	/**
	 * Delete the keys and webhooks the current pairing created (nothing else).
	 */
	public static function remove_woocommerce_access(): void {
		$connection = get_option( LuxeBrain_Connection::OPTION );
		if ( ! is_array( $connection ) ) {
			return;
		}
		if ( ! empty( $connection['key_id'] ) ) {
			LuxeBrain_WooCommerce::delete_api_keys( (int) $connection['key_id'] );
		}
		foreach ( (array) ( $connection['webhook_ids'] ?? array() ) as $webhook_id ) {
			LuxeBrain_WooCommerce::delete_webhook( (int) $webhook_id );
		}
	}

	/**
	 * An http(s) URL with a host, no query or fragment, without a trailing slash.
	 *
	 * @param string $agent_url Given URL.
	 * @return string|WP_Error
	 */
	public static function normalise_agent_url( string $agent_url ) {
		$parts = wp_parse_url( trim( $agent_url ) );
		if ( ! is_array( $parts ) || empty( $parts['host'] ) || ! in_array( $parts['scheme'] ?? '', array( 'http', 'https' ), true )
			|| isset( $parts['query'] ) || isset( $parts['fragment'] ) || isset( $parts['user'] ) ) {
			return new WP_Error( 'invalid_agent_url', __( 'agent_url must be an http or https URL such as http://127.0.0.1:8765.', 'luxebrain' ), array( 'status' => 400, 'field' => 'agent_url' ) );
		}
		return untrailingslashit( trim( $agent_url ) );
	}
}
