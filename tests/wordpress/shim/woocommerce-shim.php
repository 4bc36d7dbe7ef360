<?php
/**
 * Plugin Name: WooCommerce test shim (LuxeBrain tests only — never shipped)
 *
 * WooCommerce cannot be installed here, so this mu-plugin defines exactly what
 * LuxeBrain_WooCommerce lists (FUNCTIONS, CLASSES, CONSTANTS, TABLES) with WooCommerce's
 * documented behaviour, plus the minimum to fire its HOOKS: a `product` post type whose
 * template runs the single-product hooks, a cookie cart with ?add-to-cart=ID, and
 * ?shim_page=cart / ?shim_page=thankyou&order=ID pages. Everything else is real WordPress.
 * Define LUXEBRAIN_SHIM_OFF (wp-config) to test the plugin without WooCommerce (the rest of
 * this file then stops at its first `return`).
 *
 * @package LuxeBrain\Tests
 */

namespace {

	if ( defined( 'LUXEBRAIN_SHIM_OFF' ) ) {
		return;
	}

	define( 'WC_VERSION', '8.5.0-shim' );

	/** The cart: product ids from a cookie. */
	class LuxeBrain_Shim_Cart {
		/** @var int[] */
		public $ids = array();

		public function __construct() {
			$raw       = isset( $_COOKIE['shim_cart'] ) ? (string) $_COOKIE['shim_cart'] : '';
			$this->ids = array_values( array_filter( array_map( 'intval', explode( ',', $raw ) ) ) );
		}

		public function get_cart(): array {
			$items = array();
			foreach ( $this->ids as $id ) {
				$items[ md5( (string) $id ) ] = array(
					'product_id' => $id,
					'quantity'   => 1,
				);
			}
			return $items;
		}

		public function add_to_cart( int $product_id ): string {
			$this->ids[] = $product_id;
			setcookie( 'shim_cart', implode( ',', $this->ids ), 0, '/' );
			$key = md5( (string) $product_id );
			do_action( 'woocommerce_add_to_cart', $key, $product_id, 1, 0, array(), array() );
			return $key;
		}
	}

	/** WooCommerce's main object, reduced to the cart. */
	class WooCommerce {
		/** @var LuxeBrain_Shim_Cart */
		public $cart;

		public function __construct() {
			$this->cart = new LuxeBrain_Shim_Cart();
		}
	}

	function WC(): WooCommerce { // phpcs:ignore
		static $wc = null;
		if ( null === $wc ) {
			$wc = new WooCommerce();
		}
		return $wc;
	}

	/** An order line. */
	class LuxeBrain_Shim_Order_Item {
		private $product_id;

		public function __construct( int $product_id ) {
			$this->product_id = $product_id;
		}

		public function get_product_id(): int {
			return $this->product_id;
		}
	}

	/** An order: a `shop_order` post whose `_product_ids` meta lists its products. */
	class LuxeBrain_Shim_Order {
		private $id;

		public function __construct( int $id ) {
			$this->id = $id;
		}

		public function get_items(): array {
			$ids = array_filter( array_map( 'intval', explode( ',', (string) get_post_meta( $this->id, '_product_ids', true ) ) ) );
			return array_map(
				static function ( $id ) {
					return new LuxeBrain_Shim_Order_Item( $id );
				},
				$ids
			);
		}
	}

	function wc_get_order( $order_id ) {
		$post = get_post( (int) $order_id );
		return $post && 'shop_order' === $post->post_type ? new LuxeBrain_Shim_Order( (int) $order_id ) : false;
	}

	/** WooCommerce's definitions (wc-core-functions.php / class-wc-auth.php). */
	function wc_rand_hash(): string {
		return bin2hex( random_bytes( 20 ) );
	}

	function wc_api_hash( $data ): string {
		return hash_hmac( 'sha256', $data, 'wc-api' );
	}

	/** Webhooks, kept in an option (WooCommerce keeps them in its wc_webhooks table). */
	class WC_Webhook {
		const OPTION = 'luxebrain_shim_webhooks';

		private $data = array(
			'id'           => 0,
			'name'         => '',
			'user_id'      => 0,
			'topic'        => '',
			'delivery_url' => '',
			'secret'       => '',
			'api_version'  => '',
			'status'       => 'disabled',
		);

		public function __construct( $id = 0 ) {
			$all = get_option( self::OPTION, array() );
			if ( $id && isset( $all[ $id ] ) ) {
				$this->data = $all[ $id ];
			}
		}

		public function __call( $name, $args ) {
			if ( 0 === strpos( $name, 'set_' ) ) {
				$this->data[ substr( $name, 4 ) ] = 'delivery_url' === substr( $name, 4 ) ? esc_url_raw( $args[0] ) : $args[0];
				return null;
			}
			if ( 0 === strpos( $name, 'get_' ) ) {
				return $this->data[ substr( $name, 4 ) ] ?? null;
			}
			throw new BadMethodCallException( "WC_Webhook::$name is not in the shim" );
		}

		public function save(): int {
			$all = get_option( self::OPTION, array() );
			if ( ! $this->data['id'] ) {
				$this->data['id'] = $all ? max( array_keys( $all ) ) + 1 : 1;
			}
			$all[ $this->data['id'] ] = $this->data;
			update_option( self::OPTION, $all );
			return $this->data['id'];
		}

		public function delete( $force_delete = false ): bool {
			$all = get_option( self::OPTION, array() );
			unset( $all[ $this->data['id'] ] );
			update_option( self::OPTION, $all );
			return true;
		}
	}

	function wc_get_webhook( $id ) {
		$all = get_option( WC_Webhook::OPTION, array() );
		return isset( $all[ (int) $id ] ) ? new WC_Webhook( (int) $id ) : null;
	}

	/** Create WooCommerce's REST key table (WC_Install::get_schema()), called by the harness. */
	function luxebrain_shim_install(): void {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		dbDelta(
			"CREATE TABLE {$wpdb->prefix}woocommerce_api_keys (
  key_id BIGINT UNSIGNED NOT NULL auto_increment,
  user_id BIGINT UNSIGNED NOT NULL,
  description varchar(200) NULL,
  permissions varchar(10) NOT NULL,
  consumer_key char(64) NOT NULL,
  consumer_secret char(43) NOT NULL,
  nonces longtext NULL,
  truncated_key char(7) NOT NULL,
  last_access datetime NULL default null,
  PRIMARY KEY  (key_id),
  KEY consumer_key (consumer_key),
  KEY consumer_secret (consumer_secret)
) {$wpdb->get_charset_collate()};"
		);
	}

	add_action(
		'init',
		static function () {
			register_post_type(
				'product',
				array(
					'public'      => true,
					'label'       => 'Products',
					'has_archive' => false,
					'rewrite'     => array( 'slug' => 'product' ),
				)
			);
			register_post_type( 'shop_order', array( 'public' => false ) );
		}
	);

	// WooCommerce's top-level menu, which the plugin's pages hang under.
	add_action(
		'admin_menu',
		static function () {
			add_menu_page( 'WooCommerce', 'WooCommerce', 'manage_woocommerce', 'woocommerce', '__return_null', 'dashicons-cart', '55.5' );
		},
		9
	);

	add_action(
		'template_redirect',
		static function () {
			if ( isset( $_GET['add-to-cart'] ) ) {
				WC()->cart->add_to_cart( (int) $_GET['add-to-cart'] );
			}
			$page = isset( $_GET['shim_page'] ) ? (string) $_GET['shim_page'] : '';
			if ( 'cart' !== $page && 'thankyou' !== $page ) {
				return;
			}
			get_header();
			echo '<main class="shim-' . esc_attr( $page ) . '">';
			if ( 'cart' === $page ) {
				do_action( 'woocommerce_after_cart' );
			} else {
				do_action( 'woocommerce_thankyou', isset( $_GET['order'] ) ? (int) $_GET['order'] : 0 );
			}
			echo '</main>';
			get_footer();
			exit;
		}
	);
}

namespace Automattic\WooCommerce\Utilities {

	/** WooCommerce's feature registry; records declarations for the tests. */
	class FeaturesUtil {
		/** @var array<string,array<string,bool>> */
		public static $declared = array();

		public static function declare_compatibility( $feature_id, $plugin_file, $positive_compatibility = true ) {
			self::$declared[ $feature_id ][ plugin_basename( $plugin_file ) ] = $positive_compatibility;
			return true;
		}
	}

	// WooCommerce fires this from WooCommerce::init() on init, priority 0.
	add_action(
		'init',
		static function () {
			do_action( 'before_woocommerce_init' );
		},
		0
	);
}
