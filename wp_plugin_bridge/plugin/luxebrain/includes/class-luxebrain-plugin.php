<?php
/**
 * The plugin's entry point, created once on plugins_loaded.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * Wires the parts together; without WooCommerce only an admin notice.
 */
final class LuxeBrain_Plugin {

	/**
	 * The instance.
	 *
	 * @var LuxeBrain_Plugin|null
	 */
	private static $instance = null;

	/**
	 * The one instance.
	 */
	public static function instance(): self {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}

	/**
	 * Hook everything (or only the notice when WooCommerce is missing).
	 */
	private function __construct() {
		add_action( 'init', array( $this, 'load_textdomain' ) );
		if ( ! LuxeBrain_WooCommerce::is_active() ) {
			add_action( 'admin_notices', array( $this, 'missing_woocommerce_notice' ) );
			return;
		}
		LuxeBrain_Webhook_Guard::register();
		LuxeBrain_Privacy::register();
		LuxeBrain_Account::register();
		add_action( 'init', array( 'LuxeBrain_Widgets', 'register' ) );
		add_action( 'rest_api_init', array( 'LuxeBrain_Rest', 'register' ) );
		if ( is_admin() ) {
			LuxeBrain_Admin::register();
			LuxeBrain_Insights::register();
		}
	}

	/**
	 * Translations from languages/.
	 */
	public function load_textdomain(): void {
		load_plugin_textdomain( 'luxebrain', false, dirname( plugin_basename( LUXEBRAIN_FILE ) ) . '/languages' );
	}

	/**
	 * Shown to admins when WooCommerce is not active.
	 */
	public function missing_woocommerce_notice(): void {
		if ( ! current_user_can( 'activate_plugins' ) ) {
			return;
		}
		echo '<div class="notice notice-error luxebrain-no-woocommerce"><p>' . esc_html__( 'LuxeBrain needs WooCommerce. Install and activate WooCommerce to use it.', 'luxebrain' ) . '</p></div>';
	}
}
