<?php
/**
 * Run PHP code (read from stdin) inside the test WordPress and print its return value as JSON
 * after a marker line. Usage: WP_ROOT=... WP_URL=... php wp-eval.php < code.php
 */
$url = parse_url( getenv( 'WP_URL' ) );

$_SERVER['HTTP_HOST']   = $url['host'] . ( isset( $url['port'] ) ? ':' . $url['port'] : '' );
$_SERVER['SERVER_NAME'] = $url['host'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
if ( getenv( 'WP_INSTALLING' ) ) {
	define( 'WP_INSTALLING', true );
}
require getenv( 'WP_ROOT' ) . '/wp-load.php';
$luxebrain_result = eval( stream_get_contents( STDIN ) );
echo "\n__LUXEBRAIN_RESULT__\n" . wp_json_encode( $luxebrain_result );
