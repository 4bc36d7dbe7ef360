<?php
/**
 * Loads the test WordPress named by WP_ROOT / WP_URL (created by tests/wordpress/test_phpunit.py)
 * with the built plugin active, so the classes run against real WordPress functions.
 */
$luxebrain_url = parse_url( (string) getenv( 'WP_URL' ) );

$_SERVER['HTTP_HOST']   = $luxebrain_url['host'] . ':' . $luxebrain_url['port'];
$_SERVER['SERVER_NAME'] = $luxebrain_url['host'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';

// PHPUnit includes this file inside a function: declare the globals WordPress sets at file scope
// (the list WordPress's own test bootstrap uses, plus the table prefix).
global $wpdb, $current_site, $current_blog, $wp_rewrite, $shortcode_tags, $wp, $phpmailer, $wp_theme_directories, $table_prefix;

require getenv( 'WP_ROOT' ) . '/wp-load.php';
// The settings sanitizer reports through add_settings_error(), which lives in the admin.
require_once ABSPATH . 'wp-admin/includes/template.php';
require __DIR__ . '/LuxeBrain_TestCase.php';
