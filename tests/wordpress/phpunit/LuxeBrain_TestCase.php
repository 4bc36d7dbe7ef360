<?php
/**
 * Base class: every test starts with no LuxeBrain options, transients, keys or webhooks.
 */
abstract class LuxeBrain_TestCase extends PHPUnit\Framework\TestCase {

	protected function setUp(): void {
		parent::setUp();
		$this->reset();
	}

	protected function tearDown(): void {
		$this->reset();
		parent::tearDown();
	}

	private function reset(): void {
		global $wpdb;
		$wpdb->query( "DELETE FROM {$wpdb->options} WHERE option_name LIKE '%luxebrain%'" );
		$wpdb->query( "DELETE FROM {$wpdb->prefix}woocommerce_api_keys" );
		$wpdb->query( "DELETE FROM {$wpdb->prefix}wc_webhooks" );
		wp_cache_flush();
	}

	/** Pair through the real code path with a fresh code. */
	protected function pair( string $agent_url = 'http://127.0.0.1:8765' ): array {
		$code = LuxeBrain_Pairing::start( 1 );
		$answer = LuxeBrain_Pairing::redeem( $code, $agent_url );
		$this->assertIsArray( $answer );
		return $answer;
	}

	protected function api_key_count(): int {
		global $wpdb;
		return (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->prefix}woocommerce_api_keys" );
	}

	protected function webhooks(): array {
		global $wpdb;
		return $wpdb->get_results( "SELECT webhook_id AS id, status, topic, delivery_url, secret FROM {$wpdb->prefix}wc_webhooks ORDER BY webhook_id", ARRAY_A );
	}
}
