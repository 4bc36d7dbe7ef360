<?php
/**
 * What pairing leaves behind: the agent's URL, the shared secret, and the ids of the WooCommerce
 * keys and webhooks created for it (so Disconnect and re-pairing delete exactly those).
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * The `luxebrain_connection` option (not autoloaded: it holds a secret).
 */
class LuxeBrain_Connection {

	const OPTION = 'luxebrain_connection';

	/**
	 * The stored connection, or null when not paired.
	 *
	 * @return array{agent_url:string,shared_secret:string,key_id:int,webhook_ids:int[],paired_at:int}|null
	 */
	public static function get(): ?array {
		$value = get_option( self::OPTION );
		if ( ! is_array( $value ) || empty( $value['shared_secret'] ) || empty( $value['agent_url'] ) ) {
			return null;
		}
		return $value;
	}

	/**
	 * Whether the shop is paired with an agent.
	 */
	public static function is_paired(): bool {
		return null !== self::get();
	}

	/**
	 * The paired agent's base URL, or an empty string.
	 */
	public static function agent_url(): string {
		$connection = self::get();
		return $connection ? $connection['agent_url'] : '';
	}

	/**
	 * Remember a new pairing.
	 *
	 * @param string $agent_url     Agent base URL.
	 * @param string $shared_secret Secret for signed calls.
	 * @param int    $key_id        WooCommerce REST key id.
	 * @param int[]  $webhook_ids   WooCommerce webhook ids.
	 */
	public static function save( string $agent_url, string $shared_secret, int $key_id, array $webhook_ids ): void {
		$value = array(
			'agent_url'     => $agent_url,
			'shared_secret' => $shared_secret,
			'key_id'        => $key_id,
			'webhook_ids'   => array_map( 'intval', $webhook_ids ),
			'paired_at'     => time(),
		);
		if ( false === get_option( self::OPTION ) ) {
			add_option( self::OPTION, $value, '', false );
		} else {
			update_option( self::OPTION, $value, false );
		}
	}

	/**
	 * Forget the pairing and its secret.
	 */
	public static function forget(): void {
		delete_option( self::OPTION );
	}
}
