<?php
/**
 * Plugin Name: WooCommerce test shim (LuxeBrain tests only — never shipped)
 *
 * WooCommerce cannot be installed here, so this mu-plugin defines exactly what
 * LuxeBrain_WooCommerce lists (FUNCTIONS, CLASSES, CONSTANTS, TABLES) with WooCommerce's
 * documented behaviour, plus the minimum to fire its HOOKS: a `product` post type whose
 * template runs the single-product hooks, a cookie cart with ?add-to-cart=ID, and
 * ?shim_page=cart / ?shim_page=thankyou&order=ID pages. Everything else is real WordPress.
 * Define LUXEBRAIN_SHIM_OFF (wp-config), or set it in the environment of one PHP run, to test
 * the plugin without WooCommerce (the rest of this file then stops at its first `return`).
 *
 * @package LuxeBrain\Tests
 */

namespace {

	if ( defined( 'LUXEBRAIN_SHIM_OFF' ) || getenv( 'LUXEBRAIN_SHIM_OFF' ) ) {
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

	/** Webhooks, rows of WooCommerce's wc_webhooks table (WC_Webhook_Data_Store). */
	class WC_Webhook {
		const TABLE = 'wc_webhooks';

		private $data = array(
			'webhook_id'   => 0,
			'name'         => '',
			'user_id'      => 0,
			'topic'        => '',
			'delivery_url' => '',
			'secret'       => '',
			'api_version'  => '',
			'status'       => 'disabled',
		);

		public function __construct( $id = 0 ) {
			global $wpdb;
			$row = $id ? $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$wpdb->prefix}wc_webhooks WHERE webhook_id = %d", $id ), ARRAY_A ) : null;
			if ( $row ) {
				$this->data = array_intersect_key( $row, $this->data );
			}
		}

		public function __call( $name, $args ) {
			$field = 'id' === substr( $name, 4 ) ? 'webhook_id' : substr( $name, 4 );
			if ( 0 === strpos( $name, 'set_' ) ) {
				$this->data[ $field ] = 'delivery_url' === $field ? esc_url_raw( $args[0] ) : $args[0];
				return null;
			}
			if ( 0 === strpos( $name, 'get_' ) ) {
				return $this->data[ $field ] ?? null;
			}
			throw new BadMethodCallException( "WC_Webhook::$name is not in the shim" );
		}

		public function save(): int {
			global $wpdb;
			$row = array_merge( $this->data, array( 'api_version' => 3 ) );
			if ( $this->data['webhook_id'] ) {
				$wpdb->update( $wpdb->prefix . self::TABLE, $row, array( 'webhook_id' => $this->data['webhook_id'] ) );
			} else {
				unset( $row['webhook_id'] );
				$wpdb->insert( $wpdb->prefix . self::TABLE, $row );
				$this->data['webhook_id'] = (int) $wpdb->insert_id;
			}
			delete_transient( 'woocommerce_webhook_ids_status_' . $this->data['status'] );
			return (int) $this->data['webhook_id'];
		}

		public function delete( $force_delete = false ): bool {
			global $wpdb;
			$wpdb->delete( $wpdb->prefix . self::TABLE, array( 'webhook_id' => $this->data['webhook_id'] ), array( '%d' ) );
			delete_transient( 'woocommerce_webhook_ids_status_' . $this->data['status'] );
			return true;
		}
	}

	function wc_get_webhook( $id ) {
		$webhook = new WC_Webhook( (int) $id );
		return $webhook->get_id() ? $webhook : null;
	}

	/** Create WooCommerce's REST key and webhook tables (WC_Install::get_schema()), called by the harness. */
	function luxebrain_shim_install(): void {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		dbDelta(
			"CREATE TABLE {$wpdb->prefix}wc_webhooks (
  webhook_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  status varchar(200) NOT NULL,
  name text NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  delivery_url text NOT NULL,
  secret text NOT NULL,
  topic varchar(200) NOT NULL,
  date_created datetime NULL default null,
  date_modified datetime NULL default null,
  api_version smallint(4) NOT NULL,
  failure_count smallint(10) NOT NULL DEFAULT '0',
  pending_delivery tinyint(1) NOT NULL DEFAULT '0',
  PRIMARY KEY  (webhook_id),
  KEY user_id (user_id)
) {$wpdb->get_charset_collate()};"
		);
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
