<?php
/**
 * WordPress refuses webhook deliveries to loopback/private addresses and unusual ports. The agent
 * usually runs on 127.0.0.1:8765, so this allows exactly the paired agent's origin, nothing else.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * Filters for wp_http_validate_url(), which wp_safe_remote_request() (webhook delivery) uses.
 */
class LuxeBrain_Webhook_Guard {

	/**
	 * Hook the filters.
	 */
	public static function register(): void {
		add_filter( 'http_request_host_is_external', array( __CLASS__, 'allow_agent_host' ), 10, 3 );
		add_filter( 'http_allowed_safe_ports', array( __CLASS__, 'allow_agent_port' ), 10, 3 );
	}

	/**
	 * Whether a URL points at the paired agent: same scheme, host and port.
	 *
	 * @param string $url       URL being validated.
	 * @param string $agent_url The paired agent's base URL.
	 */
	public static function is_agent_url( string $url, string $agent_url ): bool {
		if ( '' === $agent_url ) {
			return false;
		}
		$given = wp_parse_url( $url );
		$agent = wp_parse_url( $agent_url );
		if ( ! is_array( $given ) || ! is_array( $agent ) || empty( $given['host'] ) ) {
			return false;
		}
		$default = array(
			'http'  => 80,
			'https' => 443,
		);
		$scheme  = strtolower( $given['scheme'] ?? '' );
		return $scheme === strtolower( $agent['scheme'] ?? '' )
			&& strtolower( $given['host'] ) === strtolower( $agent['host'] ?? '' )
			&& ( $given['port'] ?? ( $default[ $scheme ] ?? 0 ) ) === ( $agent['port'] ?? ( $default[ $scheme ] ?? 0 ) );
	}

	/**
	 * Filter http_request_host_is_external.
	 *
	 * @param bool   $external Current verdict.
	 * @param string $host     Host.
	 * @param string $url      Full URL.
	 */
	public static function allow_agent_host( $external, $host, $url ) {
		return $external || self::is_agent_url( (string) $url, LuxeBrain_Connection::agent_url() );
	}

	/**
	 * Filter http_allowed_safe_ports.
	 *
	 * @param int[]  $ports Allowed ports.
	 * @param string $host  Host.
	 * @param string $url   Full URL.
	 * @return int[]
	 */
	public static function allow_agent_port( $ports, $host = '', $url = '' ) {
		$agent_url = LuxeBrain_Connection::agent_url();
		if ( self::is_agent_url( (string) $url, $agent_url ) ) {
			$port = wp_parse_url( $agent_url, PHP_URL_PORT );
			if ( $port ) {
				$ports[] = (int) $port;
			}
		}
		return $ports;
	}
}
