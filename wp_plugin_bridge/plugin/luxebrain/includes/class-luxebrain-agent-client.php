<?php
/**
 * Signed calls from WordPress to the paired agent, with a short timeout and a brief back-off
 * after a failure so a dead agent costs shoppers one timeout, not one per request.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * HTTP client for the agent's local API.
 */
class LuxeBrain_Agent_Client {

	/** Transient set after a transport failure; shopper-facing calls skip the agent while set. */
	const DOWN_TRANSIENT = 'luxebrain_agent_down';

	const DOWN_SECONDS = 30;

	/** Shortest timeout honoured: WordPress's cURL transport never gives up sooner than 1 s. */
	const MIN_TIMEOUT = 1.0;

	/** Longest timeout the settings accept. */
	const MAX_TIMEOUT = 10.0;

	/**
	 * Calls waiting for the end of the request: [client, path, body] each.
	 *
	 * @var array<int,array{0:LuxeBrain_Agent_Client,1:string,2:array<string,mixed>}>
	 */
	private static $queue = array();

	/**
	 * Base URL of the agent.
	 *
	 * @var string
	 */
	private $agent_url;

	/**
	 * Shared secret.
	 *
	 * @var string
	 */
	private $secret;

	/**
	 * Timeout in seconds.
	 *
	 * @var float
	 */
	private $timeout;

	/**
	 * A client for the paired agent, or null when not paired.
	 *
	 * @param float|null $timeout Seconds before giving up; the configured agent timeout when null
	 *                            (a call the agent itself answers slowly, such as /v1/account, needs more).
	 */
	public static function paired( ?float $timeout = null ): ?self {
		$connection = LuxeBrain_Connection::get();
		if ( ! $connection ) {
			return null;
		}
		return new self( $connection['agent_url'], $connection['shared_secret'], $timeout ?? self::configured_timeout() );
	}

	/**
	 * The timeout setting, raised to MIN_TIMEOUT: a value saved before that floor existed would
	 * promise shoppers a wait cURL does not keep.
	 */
	private static function configured_timeout(): float {
		return min( self::MAX_TIMEOUT, max( self::MIN_TIMEOUT, (float) LuxeBrain_Settings::get( 'timeout' ) ) );
	}

	/**
	 * Constructor.
	 *
	 * @param string $agent_url Agent base URL, without a trailing slash.
	 * @param string $secret    Shared secret.
	 * @param float  $timeout   Seconds before giving up.
	 */
	public function __construct( string $agent_url, string $secret, float $timeout ) {
		$this->agent_url = untrailingslashit( $agent_url );
		$this->secret    = $secret;
		$this->timeout   = $timeout;
	}

	/**
	 * Build "path?query" with RFC 3986 encoding, the exact string that is signed and sent.
	 *
	 * @param string               $path  Path such as /v1/status.
	 * @param array<string,scalar> $query Query parameters; empty values are dropped.
	 */
	public static function path_qs( string $path, array $query ): string {
		$query = array_filter(
			$query,
			static function ( $value ) {
				return null !== $value && '' !== $value;
			}
		);
		return $query ? $path . '?' . http_build_query( $query, '', '&', PHP_QUERY_RFC3986 ) : $path;
	}

	/**
	 * A field of an agent answer as text: '' for anything but a scalar, so an object or a list
	 * where a string belongs shows nothing instead of "Array" and a PHP warning.
	 *
	 * @param mixed $value Value.
	 */
	public static function text( $value ): string {
		return is_scalar( $value ) ? (string) $value : '';
	}

	/**
	 * Call the agent.
	 *
	 * @param string                    $method    GET or POST.
	 * @param string                    $path      Path such as /v1/widgets/product.
	 * @param array<string,scalar>      $query     Query parameters.
	 * @param array<string,mixed>|null  $body      JSON body for POST.
	 * @param bool                      $fail_fast Skip the call while the agent was recently down.
	 * @return array<mixed>|WP_Error Decoded JSON, or an error carrying the agent's code and status.
	 */
	public function request( string $method, string $path, array $query = array(), ?array $body = null, bool $fail_fast = false ) {
		if ( $fail_fast && get_transient( self::DOWN_TRANSIENT ) ) {
			return new WP_Error( 'agent_unavailable', __( 'The LuxeBrain agent is unreachable.', 'luxebrain' ), array( 'status' => 503 ) );
		}
		$url      = $this->agent_url . self::path_qs( $path, $query );
		$parts    = wp_parse_url( $url );
		$signed   = ( $parts['path'] ?? '/' ) . ( isset( $parts['query'] ) ? '?' . $parts['query'] : '' );
		$raw_body = null === $body ? '' : (string) wp_json_encode( $body );
		$headers  = LuxeBrain_Signer::headers( $this->secret, $method, $signed, $raw_body );

		$headers['Accept'] = 'application/json';
		if ( null !== $body ) {
			$headers['Content-Type'] = 'application/json';
		}
		$response = wp_remote_request(
			$url,
			array(
				'method'      => $method,
				'timeout'     => $this->timeout,
				'redirection' => 0,
				'headers'     => $headers,
				'body'        => null === $body ? null : $raw_body,
			)
		);
		if ( is_wp_error( $response ) ) {
			set_transient( self::DOWN_TRANSIENT, 1, self::DOWN_SECONDS );
			return new WP_Error( 'agent_unavailable', __( 'The LuxeBrain agent is unreachable.', 'luxebrain' ), array( 'status' => 503 ) );
		}
		delete_transient( self::DOWN_TRANSIENT );
		$status  = (int) wp_remote_retrieve_response_code( $response );
		$decoded = json_decode( wp_remote_retrieve_body( $response ), true );
		if ( $status < 200 || $status >= 300 ) {
			$error = is_array( $decoded ) && isset( $decoded['error'] ) && is_array( $decoded['error'] ) ? $decoded['error'] : array();
			return new WP_Error(
				isset( $error['code'] ) ? (string) $error['code'] : 'agent_error',
				isset( $error['message'] ) ? (string) $error['message'] : __( 'The LuxeBrain agent refused the request.', 'luxebrain' ),
				array( 'status' => $status )
			);
		}
		if ( ! is_array( $decoded ) ) {
			return new WP_Error( 'agent_error', __( 'The LuxeBrain agent sent a response that is not JSON.', 'luxebrain' ), array( 'status' => 502 ) );
		}
		return $decoded;
	}

	/**
	 * Queue a POST to send once the shopper's response has gone out (add-to-cart events). A
	 * non-blocking wp_remote_post() is no way round the wait: WordPress's cURL transport still
	 * waits for the answer or the timeout, and a timeout it never reports would not set the
	 * back-off either. Skipped while the agent is down.
	 *
	 * @param string              $path Path.
	 * @param array<string,mixed> $body JSON body.
	 */
	public function post_after_response( string $path, array $body ): void {
		if ( get_transient( self::DOWN_TRANSIENT ) ) {
			return;
		}
		if ( ! self::$queue ) {
			// last on shutdown: after WordPress has flushed the page and other hooks have printed theirs.
			add_action( 'shutdown', array( __CLASS__, 'send_queued' ), PHP_INT_MAX );
		}
		self::$queue[] = array( $this, $path, $body );
	}

	/**
	 * On shutdown: end the response, then send the queued calls through request(), so a failure or
	 * a timeout sets the back-off and later requests skip the agent.
	 */
	public static function send_queued(): void {
		$queue       = self::$queue;
		self::$queue = array();
		if ( ! $queue ) {
			return;
		}
		self::finish_response();
		foreach ( $queue as list( $client, $path, $body ) ) {
			$client->request( 'POST', $path, array(), $body, true );
		}
	}

	/**
	 * Send the response to the browser and close the connection where the server can (PHP-FPM,
	 * LiteSpeed); elsewhere (mod_php, php -S) the shopper waits, at most one timeout per back-off.
	 */
	private static function finish_response(): void {
		if ( function_exists( 'fastcgi_finish_request' ) ) {
			fastcgi_finish_request();
		} elseif ( function_exists( 'litespeed_finish_request' ) ) {
			litespeed_finish_request();
		}
	}
}
