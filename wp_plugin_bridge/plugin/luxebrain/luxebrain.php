<?php
/**
 * Plugin Name:          LuxeBrain
 * Plugin URI:           https://github.com/luxebrain/luxebrain
 * Description:          Product intelligence computed beside your shop: recommendations, forecasts, segments, price suggestions and order anomaly flags from your own LuxeBrain agent.
 * Version:              0.1.0
 * Requires at least:    6.1
 * Requires PHP:         8.1
 * Author:               LuxeBrain
 * License:              Apache-2.0
 * Text Domain:          luxebrain
 * Domain Path:          /languages
 * WC requires at least: 7.0
 * WC tested up to:      8.5
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

define( 'LUXEBRAIN_VERSION', '0.1.0' );
define( 'LUXEBRAIN_FILE', __FILE__ );
define( 'LUXEBRAIN_DIR', plugin_dir_path( __FILE__ ) );
define( 'LUXEBRAIN_URL', plugin_dir_url( __FILE__ ) );

require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-woocommerce.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-signer.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-settings.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-connection.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-agent-client.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-pairing.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-webhook-guard.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-rate-limiter.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-event-validator.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-widget-renderer.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-widgets.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-rest.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-admin.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-insights.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-account.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-privacy.php';
require_once LUXEBRAIN_DIR . 'includes/class-luxebrain-plugin.php';

LuxeBrain_WooCommerce::on_before_init();
add_action( 'plugins_loaded', array( 'LuxeBrain_Plugin', 'instance' ) );
