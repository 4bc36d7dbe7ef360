<?php
/**
 * Per-visitor rate limit for the public REST routes: a fixed one-minute window per client IP,
 * counted in a transient so it works without an object cache.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * Fixed-window request counter.
 */
class LuxeBrain_Rate_Limiter {

	const WINDOW = MINUTE_IN_SECONDS;

	/**
	 * Count one request; false when the client is over its limit for this window.
	 *
	 * @param string   $bucket What is limited (widgets, events, pair).
	 * @param string   $client Client identity (its IP).
	 * @param int      $limit  Requests allowed per window.
	 * @param int|null $now    Unix time (tests pass one).
	 */
	public static function allow( string $bucket, string $client, int $limit, ?int $now = null ): bool {
		$now    = null === $now ? time() : $now;
		$window = intdiv( $now, self::WINDOW );
		$key    = 'luxebrain_rl_' . md5( $bucket . '|' . $client . '|' . $window );
		$count  = (int) get_transient( $key );
		if ( $count >= $limit ) {
			return false;
		}
		set_transient( $key, $count + 1, self::WINDOW );
		return true;
	}

	/**
	 * The client's IP. Only REMOTE_ADDR is trusted; a site behind a proxy can filter it.
	 */
	public static function client_ip(): string {
		$ip = isset( $_SERVER['REMOTE_ADDR'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REMOTE_ADDR'] ) ) : '';
		return (string) apply_filters( 'luxebrain_client_ip', $ip );
	}
}
