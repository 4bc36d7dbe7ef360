<?php
/**
 * Pairing codes are hashed, single use and expire; pairing (re)creates exactly one key set and
 * the nine webhooks; bad input changes nothing.
 */
class PairingTest extends LuxeBrain_TestCase {

	public function test_code_is_stored_hashed_and_expires_in_15_minutes(): void {
		$code    = LuxeBrain_Pairing::start( 1 );
		$pending = get_option( LuxeBrain_Pairing::OPTION );
		$this->assertSame( hash( 'sha256', $code ), $pending['code_hash'] );
		$this->assertStringNotContainsString( $code, serialize( $pending ) );
		$this->assertEqualsWithDelta( time() + 900, $pending['expires_at'], 5 );
	}

	public function test_redeem_returns_secrets_and_creates_keys_and_webhooks(): void {
		$answer = $this->pair( 'http://127.0.0.1:8765/' );
		$this->assertSame( array( 'store_url', 'consumer_key', 'consumer_secret', 'webhook_secret', 'shared_secret', 'wc_version' ), array_keys( $answer ) );
		$this->assertSame( untrailingslashit( home_url() ), $answer['store_url'] );
		$this->assertSame( WC_VERSION, $answer['wc_version'] );
		$this->assertMatchesRegularExpression( '/^ck_[0-9a-f]{40}$/', $answer['consumer_key'] );
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{64}$/', $answer['shared_secret'] );

		global $wpdb;
		$row = $wpdb->get_row( "SELECT * FROM {$wpdb->prefix}woocommerce_api_keys", ARRAY_A );
		$this->assertSame( 'read_write', $row['permissions'] );
		$this->assertSame( wc_api_hash( $answer['consumer_key'] ), $row['consumer_key'] );
		$this->assertSame( $answer['consumer_secret'], $row['consumer_secret'] );

		$webhooks = $this->webhooks();
		$this->assertSame( LuxeBrain_WooCommerce::WEBHOOK_TOPICS, wp_list_pluck( $webhooks, 'topic' ) );
		foreach ( $webhooks as $webhook ) {
			$this->assertSame( 'http://127.0.0.1:8765/v1/webhooks/woocommerce', $webhook['delivery_url'] );
			$this->assertSame( $answer['webhook_secret'], $webhook['secret'] );
			$this->assertSame( 'active', $webhook['status'] );
		}
		$this->assertSame( 'http://127.0.0.1:8765', LuxeBrain_Connection::agent_url() );
		$this->assertSame( $answer['shared_secret'], LuxeBrain_Connection::get()['shared_secret'] );
	}

	public function test_code_is_single_use(): void {
		$code = LuxeBrain_Pairing::start( 1 );
		$this->assertIsArray( LuxeBrain_Pairing::redeem( $code, 'http://127.0.0.1:8765' ) );
		$again = LuxeBrain_Pairing::redeem( $code, 'http://127.0.0.1:8765' );
		$this->assertSame( 'invalid_code', $again->get_error_code() );
		$this->assertSame( 1, $this->api_key_count() );
	}

	public function test_expired_code_is_refused_and_changes_nothing(): void {
		$code    = LuxeBrain_Pairing::start( 1 );
		$pending = get_option( LuxeBrain_Pairing::OPTION );
		update_option( LuxeBrain_Pairing::OPTION, array( 'expires_at' => time() - 1 ) + $pending );
		$error = LuxeBrain_Pairing::redeem( $code, 'http://127.0.0.1:8765' );
		$this->assertSame( 'expired_code', $error->get_error_code() );
		$this->assertSame( 0, $this->api_key_count() );
		$this->assertFalse( LuxeBrain_Connection::is_paired() );
	}

	public function test_bad_agent_url_keeps_the_code_and_creates_nothing(): void {
		$code = LuxeBrain_Pairing::start( 1 );
		foreach ( array( 'ftp://x', 'not a url', 'http://x/?a=1', 'http://user@x' ) as $url ) {
			$this->assertSame( 'invalid_agent_url', LuxeBrain_Pairing::redeem( $code, $url )->get_error_code() );
		}
		$this->assertSame( 0, $this->api_key_count() );
		$this->assertIsArray( LuxeBrain_Pairing::redeem( $code, 'https://agent.example' ), 'the code still works' );
	}

	public function test_pairing_again_replaces_keys_and_webhooks(): void {
		$first  = $this->pair();
		$second = $this->pair( 'http://127.0.0.1:9999' );
		$this->assertNotSame( $first['shared_secret'], $second['shared_secret'] );
		$this->assertSame( 1, $this->api_key_count() );
		$this->assertCount( 9, $this->webhooks() );
		$this->assertSame( array( 'http://127.0.0.1:9999/v1/webhooks/woocommerce' ), array_values( array_unique( wp_list_pluck( $this->webhooks(), 'delivery_url' ) ) ) );
	}

	public function test_disconnect_removes_everything_even_when_the_agent_is_down(): void {
		$this->pair( 'http://127.0.0.1:1' );
		$result = LuxeBrain_Pairing::disconnect();
		$this->assertSame( 'agent_unavailable', $result->get_error_code() );
		$this->assertSame( 0, $this->api_key_count() );
		$this->assertSame( array(), $this->webhooks() );
		$this->assertFalse( LuxeBrain_Connection::is_paired() );
		$this->assertSame( 'not_paired', LuxeBrain_Pairing::disconnect()->get_error_code(), 'twice is safe' );
	}

	public function test_disconnect_calls_unpair_signed(): void {
		$answer = $this->pair();
		$seen   = array();
		$filter = static function ( $pre, $args, $url ) use ( &$seen ) {
			$seen = array( $url, $args );
			return array( 'response' => array( 'code' => 200 ), 'body' => '{"unpaired": true}', 'headers' => array(), 'cookies' => array() );
		};
		add_filter( 'pre_http_request', $filter, 10, 3 );
		$this->assertTrue( LuxeBrain_Pairing::disconnect() );
		remove_filter( 'pre_http_request', $filter, 10 );
		$this->assertSame( 'http://127.0.0.1:8765/v1/unpair', $seen[0] );
		$headers = $seen[1]['headers'];
		$this->assertSame(
			LuxeBrain_Signer::signature( $answer['shared_secret'], 'POST', '/v1/unpair', $seen[1]['body'], (int) $headers['X-LuxeBrain-Timestamp'], $headers['X-LuxeBrain-Nonce'] ),
			$headers['X-LuxeBrain-Signature']
		);
	}
}
