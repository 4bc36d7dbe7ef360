<?php
/**
 * The only place that touches WooCommerce.
 *
 * Every WooCommerce function, class, constant, table and hook the plugin uses is listed in the
 * constants below and called only from this class, so the test-only shim can define exactly
 * these and a test can check that nothing else leaks into the plugin.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * Adapter over WooCommerce's documented API.
 */
class LuxeBrain_WooCommerce {

	/** WooCommerce functions this plugin calls. */
	const FUNCTIONS = array( 'WC', 'wc_get_order', 'wc_get_webhook', 'wc_api_hash', 'wc_rand_hash' );

	/** WooCommerce classes this plugin instantiates or calls statically. */
	const CLASSES = array( 'WC_Webhook', 'Automattic\WooCommerce\Utilities\FeaturesUtil' );

	/** WooCommerce constants this plugin reads. */
	const CONSTANTS = array( 'WC_VERSION' );

	/** WooCommerce database tables this plugin writes (without the WordPress prefix). */
	const TABLES = array( 'woocommerce_api_keys', 'wc_webhooks' );

	/** Transients where WooCommerce caches webhook ids (WC_Webhook_Data_Store::get_webhooks_ids()). */
	const WEBHOOK_ID_TRANSIENTS = array(
		'woocommerce_webhook_ids',
		'woocommerce_webhook_ids_status_active',
		'woocommerce_webhook_ids_status_paused',
		'woocommerce_webhook_ids_status_disabled',
	);

	/** WooCommerce action hooks this plugin listens to. */
	const HOOKS = array(
		'before_woocommerce_init',
		'woocommerce_after_single_product_summary',
		'woocommerce_after_cart',
		'woocommerce_thankyou',
		'woocommerce_add_to_cart',
	);

	/** WooCommerce's admin menu, which the plugin's pages hang under. */
	const MENU_PARENT = 'woocommerce';

	/** WooCommerce's capability for managing the shop (administrators and shop managers). */
	const CAPABILITY = 'manage_woocommerce';

	/** Webhook topics created on pairing: the agent syncs these resources. */
	const WEBHOOK_TOPICS = array(
		'order.created',
		'order.updated',
		'order.deleted',
		'product.created',
		'product.updated',
		'product.deleted',
		'customer.created',
		'customer.updated',
		'customer.deleted',
	);

	/**
	 * Whether WooCommerce is loaded (checked after plugins_loaded).
	 */
	public static function is_active(): bool {
		return function_exists( 'WC' ) && defined( 'WC_VERSION' );
	}

	/**
	 * WooCommerce's version, or an empty string without WooCommerce.
	 */
	public static function version(): string {
		return defined( 'WC_VERSION' ) ? (string) constant( 'WC_VERSION' ) : '';
	}

	/**
	 * Declare compatibility when WooCommerce asks (before it initialises).
	 */
	public static function on_before_init(): void {
		add_action( 'before_woocommerce_init', array( __CLASS__, 'declare_compatibility' ) );
	}

	/**
	 * Declare compatibility with High-Performance Order Storage: orders are read only through
	 * wc_get_order(), never from posts.
	 */
	public static function declare_compatibility(): void {
		$features = 'Automattic\WooCommerce\Utilities\FeaturesUtil';
		if ( class_exists( $features ) ) {
			$features::declare_compatibility( 'custom_order_tables', LUXEBRAIN_FILE, true );
		}
	}

	/**
	 * Render a widget on the single product page, after the summary.
	 *
	 * @param callable $callback Receives nothing; echoes HTML.
	 */
	public static function on_product_page( callable $callback ): void {
		add_action( 'woocommerce_after_single_product_summary', $callback, 25 );
	}

	/**
	 * Render a widget below the cart.
	 *
	 * @param callable $callback Receives nothing; echoes HTML.
	 */
	public static function on_cart_page( callable $callback ): void {
		add_action( 'woocommerce_after_cart', $callback );
	}

	/**
	 * Render a widget on the order-received page.
	 *
	 * @param callable $callback Receives the order id; echoes HTML.
	 */
	public static function on_order_received( callable $callback ): void {
		add_action( 'woocommerce_thankyou', $callback, 20 );
	}

	/**
	 * Run after a product is added to the cart.
	 *
	 * @param callable $callback Receives the product id.
	 */
	public static function on_add_to_cart( callable $callback ): void {
		add_action(
			'woocommerce_add_to_cart',
			static function ( $cart_item_key, $product_id ) use ( $callback ) {
				$callback( (int) $product_id );
			},
			10,
			2
		);
	}

	/**
	 * Product ids currently in the shopper's cart.
	 *
	 * @return int[]
	 */
	public static function cart_product_ids(): array {
		if ( ! self::is_active() || ! isset( WC()->cart ) || ! WC()->cart ) {
			return array();
		}
		$ids = array();
		foreach ( WC()->cart->get_cart() as $item ) {
			$ids[] = (int) $item['product_id'];
		}
		return array_values( array_unique( array_filter( $ids ) ) );
	}

	/**
	 * Of ``$ids``, those of published products, in order, each once: what a visitor may name in
	 * the public widget route (products are WordPress posts of type ``product``, so this needs no
	 * WooCommerce call). An id nothing sells is no context worth an agent call or a cache entry.
	 *
	 * @param int[] $ids Product ids.
	 * @return int[]
	 */
	public static function published_product_ids( array $ids ): array {
		$found = array();
		foreach ( array_unique( array_map( 'intval', $ids ) ) as $id ) {
			if ( $id > 0 && 'product' === get_post_type( $id ) && 'publish' === get_post_status( $id ) ) {
				$found[] = $id;
			}
		}
		return $found;
	}

	/**
	 * Product ids of an order (for the order-received page).
	 *
	 * @param int $order_id Order id.
	 * @return int[]
	 */
	public static function order_product_ids( int $order_id ): array {
		$order = self::is_active() ? wc_get_order( $order_id ) : false;
		if ( ! $order ) {
			return array();
		}
		$ids = array();
		foreach ( $order->get_items() as $item ) {
			$ids[] = (int) $item->get_product_id();
		}
		return array_values( array_unique( array_filter( $ids ) ) );
	}

	/**
	 * Create read_write REST API keys the way WooCommerce's own key screen does.
	 *
	 * @param int    $user_id     Owner of the keys (the admin who clicked Connect).
	 * @param string $description Shown in WooCommerce > Settings > Advanced > REST API.
	 * @return array{key_id:int,consumer_key:string,consumer_secret:string}|WP_Error
	 */
	public static function create_api_keys( int $user_id, string $description ) {
		global $wpdb;
		$consumer_key    = 'ck_' . wc_rand_hash();
		$consumer_secret = 'cs_' . wc_rand_hash();
		$inserted        = $wpdb->insert(
			$wpdb->prefix . 'woocommerce_api_keys',
			array(
				'user_id'         => $user_id,
				'description'     => $description,
				'permissions'     => 'read_write',
				'consumer_key'    => wc_api_hash( $consumer_key ),
				'consumer_secret' => $consumer_secret,
				'truncated_key'   => substr( $consumer_key, -7 ),
			),
			array( '%d', '%s', '%s', '%s', '%s', '%s' )
		);
		if ( ! $inserted ) {
			return new WP_Error( 'keys_failed', __( 'Could not create WooCommerce REST API keys.', 'luxebrain' ), array( 'status' => 500 ) );
		}
		return array(
			'key_id'          => (int) $wpdb->insert_id,
			'consumer_key'    => $consumer_key,
			'consumer_secret' => $consumer_secret,
		);
	}

	/**
	 * Delete REST API keys by id (missing keys are fine: deleting is idempotent). Works without
	 * WooCommerce loaded: the row is deleted directly, as WooCommerce's key screen does.
	 *
	 * @param int $key_id Key id.
	 */
	public static function delete_api_keys( int $key_id ): void {
		global $wpdb;
		if ( ! self::table_exists( 'woocommerce_api_keys' ) ) {
			return;
		}
		$wpdb->delete( $wpdb->prefix . 'woocommerce_api_keys', array( 'key_id' => $key_id ), array( '%d' ) );
	}

	/**
	 * Create an active webhook delivering a topic to a URL, signed with a secret.
	 *
	 * @param int    $user_id      Webhook owner.
	 * @param string $topic        Topic such as order.created.
	 * @param string $delivery_url Where WooCommerce posts.
	 * @param string $secret       Secret for X-WC-Webhook-Signature.
	 * @return int Webhook id.
	 */
	public static function create_webhook( int $user_id, string $topic, string $delivery_url, string $secret ): int {
		$webhook = new WC_Webhook();
		/* translators: %s: webhook topic such as order.created */
		$webhook->set_name( sprintf( __( 'LuxeBrain agent: %s', 'luxebrain' ), $topic ) );
		$webhook->set_user_id( $user_id );
		$webhook->set_topic( $topic );
		$webhook->set_delivery_url( $delivery_url );
		$webhook->set_secret( $secret );
		$webhook->set_api_version( 'wp_api_v3' );
		$webhook->set_status( 'active' );
		return (int) $webhook->save();
	}

	/**
	 * Delete a webhook by id (missing webhooks are fine). Without WooCommerce loaded (uninstalling
	 * while it is inactive) its table row goes directly: the ids are forgotten afterwards, and a
	 * webhook left behind would deliver to the agent again once WooCommerce is back.
	 *
	 * @param int $webhook_id Webhook id.
	 */
	public static function delete_webhook( int $webhook_id ): void {
		if ( ! self::is_active() ) {
			self::delete_webhook_row( $webhook_id );
			return;
		}
		$webhook = wc_get_webhook( $webhook_id );
		if ( $webhook ) {
			$webhook->delete( true );
		}
	}

	/**
	 * Delete a webhook's row from WooCommerce's table, and the caches WooCommerce keeps of it, as
	 * its data store does. Nothing to do when WooCommerce's tables are gone.
	 *
	 * @param int $webhook_id Webhook id.
	 */
	private static function delete_webhook_row( int $webhook_id ): void {
		global $wpdb;
		if ( ! self::table_exists( 'wc_webhooks' ) ) {
			return;
		}
		$wpdb->delete( $wpdb->prefix . 'wc_webhooks', array( 'webhook_id' => $webhook_id ), array( '%d' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		wp_cache_delete( $webhook_id, 'webhooks' );
		foreach ( self::WEBHOOK_ID_TRANSIENTS as $transient ) {
			delete_transient( $transient );
		}
	}

	/**
	 * Whether one of WooCommerce's tables exists on this site (it is gone after WooCommerce was
	 * deleted with its data), so cleaning up never queries a missing table.
	 *
	 * @param string $table Table name without the WordPress prefix (one of TABLES).
	 */
	private static function table_exists( string $table ): bool {
		global $wpdb;
		$table = $wpdb->prefix . $table;
		return $table === $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	}
}
