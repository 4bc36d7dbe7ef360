<?php
/**
 * The shop's own usage and invoices: fetched signed from the agent's /v1/account, cached in a
 * transient, escaped, and a clear empty state for every failure.
 */
class AccountTest extends LuxeBrain_TestCase {

	/** @var array<int,array{0:string,1:array}> */
	private $calls = array();

	/** @var array|WP_Error */
	private $reply;

	protected function setUp(): void {
		parent::setUp();
		$this->calls = array();
		add_filter( 'pre_http_request', array( $this, 'fake' ), 10, 3 );
	}

	protected function tearDown(): void {
		remove_filter( 'pre_http_request', array( $this, 'fake' ), 10 );
		parent::tearDown();
	}

	public function fake( $pre, $args, $url ) {
		$this->calls[] = array( $url, $args );
		return $this->reply;
	}

	private function reply( int $code, array $body ): void {
		$this->reply = array( 'response' => array( 'code' => $code ), 'body' => wp_json_encode( $body ), 'headers' => array(), 'cookies' => array() );
	}

	private function account(): array {
		return array(
			'tenant'         => 'Tea & <b>Cups</b>',
			'plan'           => array( 'plan' => 'pro', 'fee_cents' => 4900, 'currency' => 'EUR' ),
			'reduced_limits' => array(),
			'usage'          => array(
				array( 'store_url' => 'https://shop.example', 'period' => '2026-11', 'orders_synced' => 1234, 'recommendations_served' => 56, 'widget_impressions' => 7, 'widget_clicks' => 1 ),
			),
			'invoices'       => array(
				array( 'number' => 'LB-2026-10-0001', 'period' => '2026-10', 'status' => 'paid', 'currency' => 'EUR', 'total_cents' => 5150 ),
			),
		);
	}

	public function test_not_paired_is_an_empty_state_without_a_call(): void {
		$html = LuxeBrain_Account::html( LuxeBrain_Account::fetch() );
		$this->assertStringContainsString( 'Connect this shop to a LuxeBrain agent to see its usage and invoices.', $html );
		$this->assertCount( 0, $this->calls );
	}

	public function test_the_account_is_a_signed_get_cached_in_a_transient_and_escaped(): void {
		$this->pair();
		$this->reply( 200, $this->account() );
		$html = LuxeBrain_Account::html( LuxeBrain_Account::fetch() );
		$this->assertSame( $html, LuxeBrain_Account::html( LuxeBrain_Account::fetch() ) );
		$this->assertCount( 1, $this->calls, 'the second view is served from the transient' );
		list( $url, $args ) = $this->calls[0];
		$this->assertSame( 'http://127.0.0.1:8765/v1/account', $url );
		$this->assertSame( 'GET', $args['method'] );
		$this->assertSame( LuxeBrain_Account::TIMEOUT_SECONDS, $args['timeout'] );
		$this->assertArrayHasKey( 'X-LuxeBrain-Signature', $args['headers'] );
		$this->assertStringContainsString( 'Tea &amp; &lt;b&gt;Cups&lt;/b&gt;, plan pro (49.00 EUR a month)', $html );
		$this->assertStringNotContainsString( '<b>Cups', $html );
		$this->assertStringContainsString( '<td>2026-11</td><td>https://shop.example</td><td>1,234</td><td>56</td><td>7</td><td>1</td>', $html );
		$this->assertStringContainsString( '<td>LB-2026-10-0001</td><td>2026-10</td><td>paid</td><td>51.50 EUR</td>', $html );
	}

	public function test_no_licence_on_the_agent_is_its_own_empty_state_cached_briefly(): void {
		$this->pair();
		$this->reply( 409, array( 'error' => array( 'code' => 'no_licence', 'message' => 'no licence key' ) ) );
		$html = LuxeBrain_Account::html( LuxeBrain_Account::fetch() );
		$this->assertStringContainsString( 'No licence key is set on the agent.', $html );
		$this->assertSame( 'no_licence', LuxeBrain_Account::fetch()->get_error_code() );
		$this->assertCount( 1, $this->calls, 'a failure is not asked again at once' );
	}

	public function test_cloud_and_agent_failures_are_empty_states(): void {
		$this->pair();
		$this->reply( 503, array( 'error' => array( 'code' => 'cloud_unreachable', 'message' => 'down' ) ) );
		$this->assertStringContainsString( 'The LuxeBrain cloud cannot be reached right now.', LuxeBrain_Account::html( LuxeBrain_Account::fetch() ) );
		LuxeBrain_Account::forget();
		$this->reply = new WP_Error( 'http_request_failed', 'timed out' );
		$this->assertStringContainsString( 'The LuxeBrain agent is unreachable', LuxeBrain_Account::html( LuxeBrain_Account::fetch() ) );
	}

	public function test_a_new_pairing_forgets_the_previous_account(): void {
		$this->pair();
		$this->reply( 200, $this->account() );
		LuxeBrain_Account::fetch();
		$this->pair( 'http://127.0.0.1:9999' );
		$this->assertFalse( get_transient( LuxeBrain_Account::TRANSIENT ) );
		LuxeBrain_Account::fetch();
		$this->assertSame( 'http://127.0.0.1:9999/v1/account', $this->calls[1][0] );
	}
}
