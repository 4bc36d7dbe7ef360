<?php
/**
 * Signed plugin<->agent calls (DESIGN.md "Signed calls"), byte-identical to wp_plugin_bridge/signing.py.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * HMAC-SHA256 over METHOD, PATH?QUERY, TIMESTAMP, NONCE and the body's SHA-256.
 */
class LuxeBrain_Signer {

	const TIMESTAMP_HEADER = 'X-LuxeBrain-Timestamp';
	const NONCE_HEADER     = 'X-LuxeBrain-Nonce';
	const SIGNATURE_HEADER = 'X-LuxeBrain-Signature';

	/**
	 * The exact text that is signed.
	 *
	 * @param string $method    HTTP method.
	 * @param string $path_qs   Path plus "?query" when there is a query.
	 * @param int    $timestamp Unix seconds.
	 * @param string $nonce     Random hex.
	 * @param string $body      Raw body bytes.
	 */
	public static function canonical_string( string $method, string $path_qs, int $timestamp, string $nonce, string $body ): string {
		return strtoupper( $method ) . "\n" . $path_qs . "\n" . $timestamp . "\n" . $nonce . "\n" . hash( 'sha256', $body );
	}

	/**
	 * Hex HMAC-SHA256 signature.
	 *
	 * @param string $secret    Shared secret from pairing.
	 * @param string $method    HTTP method.
	 * @param string $path_qs   Path plus "?query".
	 * @param string $body      Raw body bytes.
	 * @param int    $timestamp Unix seconds.
	 * @param string $nonce     Random hex.
	 */
	public static function signature( string $secret, string $method, string $path_qs, string $body, int $timestamp, string $nonce ): string {
		return hash_hmac( 'sha256', self::canonical_string( $method, $path_qs, $timestamp, $nonce, $body ), $secret );
	}

	/**
	 * Headers for one call, with a fresh 16-byte nonce unless one is given (tests pass one).
	 *
	 * @param string      $secret    Shared secret.
	 * @param string      $method    HTTP method.
	 * @param string      $path_qs   Path plus "?query".
	 * @param string      $body      Raw body bytes.
	 * @param int|null    $timestamp Unix seconds; now when null.
	 * @param string|null $nonce     Hex nonce; random when null.
	 * @return array<string,string>
	 */
	public static function headers( string $secret, string $method, string $path_qs, string $body, ?int $timestamp = null, ?string $nonce = null ): array {
		$timestamp = null === $timestamp ? time() : $timestamp;
		$nonce     = null === $nonce ? bin2hex( random_bytes( 16 ) ) : $nonce;
		return array(
			self::TIMESTAMP_HEADER => (string) $timestamp,
			self::NONCE_HEADER     => $nonce,
			self::SIGNATURE_HEADER => self::signature( $secret, $method, $path_qs, $body, $timestamp, $nonce ),
		);
	}
}
