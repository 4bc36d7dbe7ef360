<?php
/**
 * Recommendation widgets: placement hooks, the shortcode, the block, and the cached agent payload.
 *
 * Client-side rendering (the default) prints an empty container that assets/js/widget.js fills
 * from luxebrain/v1/widgets, so full-page caches keep working; server-side rendering prints the
 * HTML directly. Either way a slow or dead agent means the last cached answer or nothing.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * Widget placements and payloads.
 */
class LuxeBrain_Widgets {

	const SCRIPT = 'luxebrain-widget';

	const SESSION_COOKIE = 'luxebrain_sid';

	/** How long the last good answer is kept for when the agent is down. */
	const STALE_SECONDS = DAY_IN_SECONDS;

	/** Most product ids a cart context carries (the agent's limit for a list of ids). */
	const MAX_CART_IDS = 50;

	/**
	 * Hook placements, the shortcode, the block and add-to-cart tracking.
	 */
	public static function register(): void {
		LuxeBrain_WooCommerce::on_product_page( array( __CLASS__, 'product_page' ) );
		LuxeBrain_WooCommerce::on_cart_page( array( __CLASS__, 'cart_page' ) );
		LuxeBrain_WooCommerce::on_order_received( array( __CLASS__, 'order_received' ) );
		LuxeBrain_WooCommerce::on_add_to_cart( array( __CLASS__, 'track_add_to_cart' ) );
		add_shortcode( 'luxebrain_recommendations', array( __CLASS__, 'shortcode' ) );
		register_block_type( LUXEBRAIN_DIR . 'blocks/recommendations', array( 'render_callback' => array( __CLASS__, 'block' ) ) );
	}

	/**
	 * Product page: the widget, and a view event for the product.
	 */
	public static function product_page(): void {
		$product_id = (int) get_the_ID();
		if ( ! $product_id || ! LuxeBrain_Connection::is_paired() ) {
			return;
		}
		self::enqueue();
		wp_add_inline_script( self::SCRIPT, 'window.luxebrainView = ' . $product_id . ';', 'before' );
		echo self::container( 'product', array( 'product_id' => $product_id ) ); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in container().
	}

	/**
	 * Cart page.
	 */
	public static function cart_page(): void {
		echo self::container( 'cart', array( 'cart' => LuxeBrain_WooCommerce::cart_product_ids() ) ); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in container().
	}

	/**
	 * Order-received page.
	 *
	 * @param int $order_id Order id.
	 */
	public static function order_received( $order_id ): void {
		echo self::container( 'thankyou', array( 'cart' => LuxeBrain_WooCommerce::order_product_ids( (int) $order_id ) ) ); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in container().
	}

	/**
	 * [luxebrain_recommendations placement=… product=… limit=…]
	 *
	 * @param array<string,string>|string $atts Shortcode attributes.
	 */
	public static function shortcode( $atts ): string {
		$atts = shortcode_atts(
			array(
				'placement' => 'shortcode',
				'product'   => 0,
				'limit'     => 0,
			),
			is_array( $atts ) ? $atts : array(),
			'luxebrain_recommendations'
		);
		return self::from_attributes( (string) $atts['placement'], $atts['product'], $atts['limit'] );
	}

	/**
	 * Render callback of the luxebrain/recommendations block.
	 *
	 * @param array<string,mixed> $attributes Block attributes.
	 */
	public static function block( $attributes ): string {
		$attributes = is_array( $attributes ) ? $attributes : array();
		return self::from_attributes( (string) ( $attributes['placement'] ?? 'shortcode' ), $attributes['product'] ?? 0, $attributes['limit'] ?? 0 );
	}

	/**
	 * Shortcode and block attributes: bad values fall back to defaults, never to an error on a page.
	 *
	 * @param string $placement Placement.
	 * @param mixed  $product   Product id.
	 * @param mixed  $limit     Item count.
	 */
	private static function from_attributes( string $placement, $product, $limit ): string {
		$placement = in_array( $placement, LuxeBrain_Settings::PLACEMENTS, true ) ? $placement : 'shortcode';
		return self::container(
			$placement,
			array(
				'product_id' => absint( $product ),
				'limit'      => min( absint( $limit ), LuxeBrain_Settings::MAX_LIMIT ),
			)
		);
	}

	/**
	 * The widget container: empty (client-side) or filled (server-side).
	 *
	 * @param string              $placement Placement.
	 * @param array<string,mixed> $context   product_id, cart (ids), limit.
	 */
	public static function container( string $placement, array $context ): string {
		$settings = LuxeBrain_Settings::widget( $placement );
		if ( ! $settings['enabled'] || ! LuxeBrain_Connection::is_paired() ) {
			return '';
		}
		$context = self::context( $placement, $context );
		self::enqueue();
		$server = 'server' === LuxeBrain_Settings::get( 'render' );
		$inner  = $server ? LuxeBrain_Widget_Renderer::render( self::payload( $placement, $context ), $settings['title'] ) : '';
		return sprintf(
			'<div class="luxebrain-widget" data-placement="%s" data-product-id="%s" data-cart="%s" data-limit="%d"%s>%s</div>',
			esc_attr( $placement ),
			esc_attr( $context['product_id'] ? (string) $context['product_id'] : '' ),
			esc_attr( implode( ',', $context['cart'] ) ),
			(int) $context['limit'],
			$server ? ' data-rendered="1"' : '',
			$inner
		);
	}

	/**
	 * Normalised request context for a placement.
	 *
	 * @param string              $placement Placement.
	 * @param array<string,mixed> $context   Partial context.
	 * @return array{product_id:int,cart:int[],customer_id:int,limit:int}
	 */
	public static function context( string $placement, array $context ): array {
		$settings = LuxeBrain_Settings::widget( $placement );
		$limit    = (int) ( $context['limit'] ?? 0 );
		$cart     = array_values( array_unique( array_map( 'intval', (array) ( $context['cart'] ?? array() ) ) ) );
		return array(
			'product_id'  => (int) ( $context['product_id'] ?? 0 ),
			// the agent (and the widget route) take at most MAX_CART_IDS: a bigger cart is
			// recommended for by its first products rather than not at all.
			'cart'        => array_slice( $cart, 0, self::MAX_CART_IDS ),
			'customer_id' => (int) ( $context['customer_id'] ?? get_current_user_id() ),
			'limit'       => $limit > 0 ? $limit : (int) $settings['limit'],
		);
	}

	/**
	 * The agent's payload for a placement: fresh cache, else the agent, else the last good answer
	 * (kept only for contexts without a cart), else an empty payload.
	 *
	 * @param string                                                     $placement Placement.
	 * @param array{product_id:int,cart:int[],customer_id:int,limit:int} $context   Context.
	 * @return array<string,mixed>
	 */
	public static function payload( string $placement, array $context ): array {
		$empty  = array(
			'placement' => $placement,
			'title'     => '',
			'ttl'       => 0,
			'items'     => array(),
		);
		$client = LuxeBrain_Agent_Client::paired();
		if ( ! $client ) {
			return $empty;
		}
		$cart  = self::cart_key( $context['cart'] );
		$query = array(
			'product_id'  => $context['product_id'] ? $context['product_id'] : '',
			'cart'        => $cart,
			'customer_id' => $context['customer_id'] ? $context['customer_id'] : '',
			'limit'       => $context['limit'],
		);
		$key   = md5( $placement . '|' . wp_json_encode( $query ) );
		$fresh = get_transient( 'luxebrain_w_' . $key );
		if ( is_array( $fresh ) ) {
			return $fresh;
		}
		$answer = $client->request( 'GET', '/v1/widgets/' . $placement, $query, null, true );
		if ( is_wp_error( $answer ) || ! isset( $answer['items'] ) || ! is_array( $answer['items'] ) ) {
			$stale = '' === $cart ? get_transient( 'luxebrain_ws_' . $key ) : false;
			return is_array( $stale ) ? $stale : $empty;
		}
		$ttl = max( 10, min( HOUR_IN_SECONDS, (int) ( $answer['ttl'] ?? 300 ) ) );
		set_transient( 'luxebrain_w_' . $key, $answer, $ttl );
		// No day-long copy for a cart: carts are any subset of the catalogue a visitor names, so
		// one copy each is unbounded, and one shared copy would show a cart's answer to others.
		if ( '' === $cart ) {
			set_transient( 'luxebrain_ws_' . $key, $answer, self::STALE_SECONDS );
		}
		return $answer;
	}

	/**
	 * A cart's ids as one canonical string (sorted, each once): the same cart in any order or
	 * with repeats is one agent call and one cache entry, not one per ordering a visitor sends.
	 *
	 * @param int[] $ids Product ids.
	 */
	private static function cart_key( array $ids ): string {
		$ids = array_unique( array_map( 'intval', $ids ) );
		sort( $ids, SORT_NUMERIC );
		return implode( ',', $ids );
	}

	/**
	 * Forward an add-to-cart without making the shopper wait: it is sent after the response.
	 *
	 * @param int $product_id Product id.
	 */
	public static function track_add_to_cart( int $product_id ): void {
		$client = LuxeBrain_Agent_Client::paired();
		if ( ! $client || $product_id <= 0 ) {
			return;
		}
		$session = isset( $_COOKIE[ self::SESSION_COOKIE ] ) ? sanitize_text_field( wp_unslash( $_COOKIE[ self::SESSION_COOKIE ] ) ) : '';
		$body    = array(
			'session_id' => preg_match( LuxeBrain_Event_Validator::SESSION, $session ) ? $session : wp_generate_uuid4(),
			'events'     => array(
				array(
					'id'         => wp_generate_uuid4(),
					'type'       => 'add_to_cart',
					'product_id' => (string) $product_id,
				),
			),
		);
		if ( get_current_user_id() ) {
			$body['customer_id'] = (string) get_current_user_id();
		}
		$client->post_after_response( '/v1/events', $body );
	}

	/**
	 * Enqueue the widget script and style once.
	 */
	public static function enqueue(): void {
		if ( wp_script_is( self::SCRIPT, 'enqueued' ) ) {
			return;
		}
		wp_enqueue_style( self::SCRIPT, LUXEBRAIN_URL . 'assets/css/widget.css', array(), LUXEBRAIN_VERSION );
		wp_enqueue_script( self::SCRIPT, LUXEBRAIN_URL . 'assets/js/widget.js', array(), LUXEBRAIN_VERSION, true );
		wp_localize_script(
			self::SCRIPT,
			'luxebrainConfig',
			array(
				'restUrl'       => esc_url_raw( rest_url( 'luxebrain/v1/' ) ),
				'nonce'         => is_user_logged_in() ? wp_create_nonce( 'wp_rest' ) : '',
				'sessionCookie' => self::SESSION_COOKIE,
			)
		);
	}
}
