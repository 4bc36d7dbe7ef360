<?php
/**
 * The PHP signer against the fixed vectors of tests/unit/test_signing.py (computed with openssl).
 */
class SignerTest extends LuxeBrain_TestCase {

	public function vectors(): array {
		return array(
			'GET, no body'   => array( 'GET', '/v1/status', '', str_repeat( 'ab', 16 ), 'b8bdf80c4481e949d45d9288955125a952b854c472827de42de65dca8540719c' ),
			'POST, a query'  => array( 'POST', '/v1/events?x=1', '{"a":1}', str_repeat( '0123456789abcdef', 2 ), 'd3f1f54a0f4b800443940d504f91706f03961a4df6c1a71336cfa65fc7b6bfe7' ),
		);
	}

	/**
	 * @dataProvider vectors
	 */
	public function test_fixed_vectors( string $method, string $path_qs, string $body, string $nonce, string $expected ): void {
		$headers = LuxeBrain_Signer::headers( 's3cret', $method, $path_qs, $body, 1700000000, $nonce );
		$this->assertSame(
			array(
				'X-LuxeBrain-Timestamp' => '1700000000',
				'X-LuxeBrain-Nonce'     => $nonce,
				'X-LuxeBrain-Signature' => $expected,
			),
			$headers
		);
	}

	public function test_fresh_nonce_is_16_random_bytes_hex_and_timestamp_is_now(): void {
		$a = LuxeBrain_Signer::headers( 's', 'GET', '/', '' );
		$b = LuxeBrain_Signer::headers( 's', 'GET', '/', '' );
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{32}$/', $a['X-LuxeBrain-Nonce'] );
		$this->assertNotSame( $a['X-LuxeBrain-Nonce'], $b['X-LuxeBrain-Nonce'] );
		$this->assertEqualsWithDelta( time(), (int) $a['X-LuxeBrain-Timestamp'], 5 );
	}

	public function test_path_qs_encodes_like_rfc3986_and_drops_empty_values(): void {
		$this->assertSame( '/v1/widgets/cart?cart=1%2C2&limit=4', LuxeBrain_Agent_Client::path_qs( '/v1/widgets/cart', array( 'product_id' => '', 'cart' => '1,2', 'customer_id' => '', 'limit' => 4 ) ) );
		$this->assertSame( '/v1/status', LuxeBrain_Agent_Client::path_qs( '/v1/status', array() ) );
	}
}
