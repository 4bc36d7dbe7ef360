<?php
/**
 * Webhook delivery is allowed to exactly the paired agent; visitors are rate-limited; the
 * WooCommerce adapter lists exactly what the plugin uses.
 */
class GuardsTest extends LuxeBrain_TestCase {

	public function test_only_the_paired_agent_passes_wordpress_url_validation(): void {
		$this->assertFalse( wp_http_validate_url( 'http://127.0.0.1:8765/v1/webhooks/woocommerce' ), 'refused before pairing' );
		$this->pair( 'http://127.0.0.1:8765' );
		$this->assertSame( 'http://127.0.0.1:8765/v1/webhooks/woocommerce', wp_http_validate_url( 'http://127.0.0.1:8765/v1/webhooks/woocommerce' ) );
		$this->assertFalse( wp_http_validate_url( 'http://127.0.0.1:8766/v1/webhooks/woocommerce' ), 'another port' );
		$this->assertFalse( wp_http_validate_url( 'http://10.0.0.5:8765/x' ), 'another private host' );
		$this->assertFalse( wp_http_validate_url( 'https://127.0.0.1:8765/x' ), 'another scheme' );
	}

	public function test_rate_limit_is_per_client_and_window(): void {
		$now = 1700000000 - ( 1700000000 % 60 );
		$this->assertTrue( LuxeBrain_Rate_Limiter::allow( 'events', '1.2.3.4', 2, $now ) );
		$this->assertTrue( LuxeBrain_Rate_Limiter::allow( 'events', '1.2.3.4', 2, $now + 1 ) );
		$this->assertFalse( LuxeBrain_Rate_Limiter::allow( 'events', '1.2.3.4', 2, $now + 2 ) );
		$this->assertTrue( LuxeBrain_Rate_Limiter::allow( 'events', '5.6.7.8', 2, $now + 2 ), 'another client' );
		$this->assertTrue( LuxeBrain_Rate_Limiter::allow( 'widgets', '1.2.3.4', 2, $now + 2 ), 'another bucket' );
		$this->assertTrue( LuxeBrain_Rate_Limiter::allow( 'events', '1.2.3.4', 2, $now + 60 ), 'next window' );
	}

	public function test_the_shim_defines_exactly_what_the_adapter_lists(): void {
		foreach ( LuxeBrain_WooCommerce::FUNCTIONS as $function ) {
			$this->assertTrue( function_exists( $function ), $function );
		}
		foreach ( LuxeBrain_WooCommerce::CLASSES as $class ) {
			$this->assertTrue( class_exists( $class ), $class );
		}
		foreach ( LuxeBrain_WooCommerce::CONSTANTS as $constant ) {
			$this->assertTrue( defined( $constant ), $constant );
		}
		global $wpdb;
		foreach ( LuxeBrain_WooCommerce::TABLES as $table ) {
			$this->assertSame( $wpdb->prefix . $table, $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->prefix . $table ) ) );
		}
		$shim_functions = array_filter( get_defined_functions()['user'], static fn( $f ) => 0 === strpos( $f, 'wc' ) );
		$this->assertEqualsCanonicalizing( array_map( 'strtolower', LuxeBrain_WooCommerce::FUNCTIONS ), array_values( $shim_functions ) );
		$this->assertSame( array( 'custom_order_tables' => array( 'luxebrain/luxebrain.php' => true ) ), Automattic\WooCommerce\Utilities\FeaturesUtil::$declared );
	}

	public function test_insights_table_escapes_and_handles_shapes(): void {
		$html = LuxeBrain_Insights::table( array( array( 'product' => '<b>Mug</b>', 'days_left' => 3 ), array( 'product' => 'Cup', 'extra' => array( 1, null ) ) ) );
		$this->assertStringContainsString( '<th>Product</th><th>Days left</th><th>Extra</th>', $html );
		$this->assertStringContainsString( '<td>&lt;b&gt;Mug&lt;/b&gt;</td><td>3</td><td></td>', $html );
		$this->assertStringContainsString( '<td>Cup</td><td></td><td>1, —</td>', $html );

		$nested = LuxeBrain_Insights::table( array( 'count' => 5, 'segments' => array( array( 'name' => 'Champions', 'size' => 5 ) ) ) );
		$this->assertStringContainsString( '<strong>Count:</strong> 5', $nested );
		$this->assertStringContainsString( '<td>Champions</td><td>5</td>', $nested );

		$analytics = LuxeBrain_Insights::table(
			array(
				'from'       => '2026-01-01T00:00:00Z',
				'placements' => array( 'product' => array( 'impressions' => 4, 'clicks' => 1, 'ctr' => 0.25 ) ),
				'total'      => array( 'impressions' => 4, 'clicks' => 1 ),
			)
		);
		$this->assertStringContainsString( '<th>Placement</th><th>Impressions</th><th>Clicks</th><th>Ctr</th>', $analytics );
		$this->assertStringContainsString( '<td>product</td><td>4</td><td>1</td><td>0.25</td>', $analytics );
		$this->assertStringContainsString( '<strong>Total:</strong> impressions: 4, clicks: 1', $analytics );
		$this->assertStringContainsString( 'Nothing to show yet.', LuxeBrain_Insights::table( array() ) );
		$this->assertStringContainsString( 'Nothing to show yet.', LuxeBrain_Insights::table( array( 'from' => 'x', 'placements' => array() ) ) );
	}
}
