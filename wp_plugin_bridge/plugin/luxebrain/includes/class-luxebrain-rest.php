<?php
/**
 * The plugin's REST namespace luxebrain/v1: pairing for the agent, and the public widget and
 * event proxy for shoppers' browsers (validated, rate-limited, signed towards the agent).
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * Routes under /wp-json/luxebrain/v1.
 */
class LuxeBrain_Rest {

	const NAMESPACE = 'luxebrain/v1';

	/** Pairing attempts per IP per minute: codes cannot be guessed by brute force. */
	const PAIR_RATE = 10;

	/**
	 * Register the routes (on rest_api_init).
	 */
	public static function register(): void {
		register_rest_route(
			self::NAMESPACE,
			'/pair',
			array(
				'methods'             => 'POST',
				'callback'            => array( __CLASS__, 'pair' ),
				// Public on purpose: the one-time code is the credential.
				'permission_callback' => '__return_true',
				'args'                => array(
					'code'      => array(
						'type'      => 'string',
						'required'  => true,
						'minLength' => 1,
						'maxLength' => 64,
					),
					'agent_url' => array(
						'type'      => 'string',
						'required'  => true,
						'minLength' => 1,
						'maxLength' => 2048,
					),
				),
			)
		);
		register_rest_route(
			self::NAMESPACE,
			'/widgets/(?P<placement>product|cart|thankyou|shortcode)',
			array(
				'methods'             => 'GET',
				'callback'            => array( __CLASS__, 'widget' ),
				'permission_callback' => '__return_true',
				'args'                => array(
					'product_id' => array(
						'type'    => 'integer',
						'minimum' => 1,
					),
					'cart'       => array(
						'type'    => 'string',
						'pattern' => '^[1-9][0-9]{0,18}(,[1-9][0-9]{0,18}){0,49}$',
					),
					'limit'      => array(
						'type'    => 'integer',
						'minimum' => 1,
						'maximum' => LuxeBrain_Settings::MAX_LIMIT,
					),
				),
			)
		);
		register_rest_route(
			self::NAMESPACE,
			'/events',
			array(
				'methods'             => 'POST',
				'callback'            => array( __CLASS__, 'events' ),
				'permission_callback' => '__return_true',
			)
		);
	}

	/**
	 * POST /pair {code, agent_url}.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function pair( WP_REST_Request $request ) {
		if ( ! LuxeBrain_Rate_Limiter::allow( 'pair', LuxeBrain_Rate_Limiter::client_ip(), self::PAIR_RATE ) ) {
			return self::rate_limited();
		}
		$result = LuxeBrain_Pairing::redeem( (string) $request['code'], (string) $request['agent_url'] );
		if ( is_wp_error( $result ) ) {
			return $result;
		}
		$response = new WP_REST_Response( $result, 200 );
		$response->header( 'Cache-Control', 'no-store' );
		return $response;
	}

	/**
	 * GET /widgets/<placement>: the payload plus its rendered HTML; always 200 (empty when the
	 * agent is down) so a page never breaks.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function widget( WP_REST_Request $request ) {
		if ( ! self::within_rate( 'widgets' ) ) {
			return self::rate_limited();
		}
		$placement = (string) $request['placement'];
		$settings  = LuxeBrain_Settings::widget( $placement );
		// only published products are context: any other id would cost an agent call and leave a
		// cache entry per id a visitor makes up (the agent answers an unknown one with fallbacks).
		$named     = LuxeBrain_WooCommerce::published_product_ids( array( (int) $request['product_id'] ) );
		$cart      = $request['cart'] ? explode( ',', (string) $request['cart'] ) : array();
		$context   = LuxeBrain_Widgets::context(
			$placement,
			array(
				'product_id' => $named ? $named[0] : 0,
				'cart'       => LuxeBrain_WooCommerce::published_product_ids( $cart ),
				'limit'      => (int) $request['limit'],
			)
		);
		$payload   = $settings['enabled'] ? LuxeBrain_Widgets::payload( $placement, $context ) : array( 'items' => array() );
		$items     = array();
		foreach ( (array) ( $payload['items'] ?? array() ) as $item ) {
			if ( LuxeBrain_Widget_Renderer::is_item( $item ) ) {
				$items[] = array(
					'id'     => LuxeBrain_Agent_Client::text( $item['id'] ),
					'source' => LuxeBrain_Agent_Client::text( $item['source'] ?? '' ),
				);
			}
		}
		return new WP_REST_Response(
			array(
				'placement' => $placement,
				'items'     => $items,
				'html'      => LuxeBrain_Widget_Renderer::render( $payload, $settings['title'] ),
			),
			200
		);
	}

	/**
	 * POST /events {session_id, events: [...]}: validated, then forwarded signed with the
	 * logged-in customer's id (never one the visitor sent).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function events( WP_REST_Request $request ) {
		if ( ! self::within_rate( 'events' ) ) {
			return self::rate_limited();
		}
		$batch = LuxeBrain_Event_Validator::validate( json_decode( $request->get_body(), true ) );
		if ( is_wp_error( $batch ) ) {
			return $batch;
		}
		$client = LuxeBrain_Agent_Client::paired();
		if ( ! $client ) {
			return new WP_Error( 'not_paired', __( 'This shop is not connected to an agent.', 'luxebrain' ), array( 'status' => 503 ) );
		}
		if ( get_current_user_id() ) {
			$batch['customer_id'] = (string) get_current_user_id();
		}
		$answer = $client->request( 'POST', '/v1/events', array(), $batch, true );
		if ( is_wp_error( $answer ) ) {
			// a visitor hears only what is theirs to fix (a bad batch); the agent's own troubles
			// (not paired, a refused signature, a crash) are its operator's, not the visitor's
			$data = $answer->get_error_data();
			if ( is_array( $data ) && 400 === (int) ( $data['status'] ?? 0 ) ) {
				return $answer;
			}
			return new WP_Error( 'agent_unavailable', __( 'The LuxeBrain agent is unreachable.', 'luxebrain' ), array( 'status' => 503 ) );
		}
		return new WP_REST_Response( $answer, 202 );
	}

	/**
	 * Count a request against the visitor's per-minute limit.
	 *
	 * @param string $bucket Bucket.
	 */
	private static function within_rate( string $bucket ): bool {
		return LuxeBrain_Rate_Limiter::allow( $bucket, LuxeBrain_Rate_Limiter::client_ip(), (int) LuxeBrain_Settings::get( 'rate_limit' ) );
	}

	/**
	 * The 429 answer.
	 */
	private static function rate_limited(): WP_Error {
		return new WP_Error( 'rate_limited', __( 'Too many requests; try again in a minute.', 'luxebrain' ), array( 'status' => 429 ) );
	}
}
