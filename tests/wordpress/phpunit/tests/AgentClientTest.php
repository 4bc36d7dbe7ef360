<?php
/**
 * The agent client: signed requests, the agent's error codes, short timeouts and a back-off.
 */
class AgentClientTest extends LuxeBrain_TestCase {

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

	private function reply( int $code, string $body ): void {
		$this->reply = array( 'response' => array( 'code' => $code ), 'body' => $body, 'headers' => array(), 'cookies' => array() );
	}

	public function test_get_is_signed_over_path_and_query_with_the_configured_timeout(): void {
		$this->reply( 200, '{"placement":"cart","items":[]}' );
		$client = new LuxeBrain_Agent_Client( 'http://127.0.0.1:8765/', 's3cret', 1.5 );
		$this->assertSame( array( 'placement' => 'cart', 'items' => array() ), $client->request( 'GET', '/v1/widgets/cart', array( 'cart' => '3,4', 'limit' => 2 ) ) );
		list( $url, $args ) = $this->calls[0];
		$this->assertSame( 'http://127.0.0.1:8765/v1/widgets/cart?cart=3%2C4&limit=2', $url );
		$this->assertSame( 1.5, $args['timeout'] );
		$h = $args['headers'];
		$this->assertSame( LuxeBrain_Signer::signature( 's3cret', 'GET', '/v1/widgets/cart?cart=3%2C4&limit=2', '', (int) $h['X-LuxeBrain-Timestamp'], $h['X-LuxeBrain-Nonce'] ), $h['X-LuxeBrain-Signature'] );
	}

	public function test_agent_errors_keep_their_code_and_status(): void {
		$this->reply( 401, '{"error":{"code":"unauthorized","message":"wrong signature"}}' );
		$client = new LuxeBrain_Agent_Client( 'http://a', 's', 1 );
		$error  = $client->request( 'GET', '/v1/status' );
		$this->assertSame( 'unauthorized', $error->get_error_code() );
		$this->assertSame( 'wrong signature', $error->get_error_message() );
		$this->assertSame( array( 'status' => 401 ), $error->get_error_data() );
	}

	public function test_transport_failure_backs_off_shopper_calls_only(): void {
		$this->reply = new WP_Error( 'http_request_failed', 'timed out' );
		$client      = new LuxeBrain_Agent_Client( 'http://a', 's', 1 );
		$this->assertSame( 'agent_unavailable', $client->request( 'GET', '/v1/widgets/cart', array(), null, true )->get_error_code() );
		$this->assertSame( 'agent_unavailable', $client->request( 'GET', '/v1/widgets/cart', array(), null, true )->get_error_code() );
		$this->assertCount( 1, $this->calls, 'the second shopper call did not wait on the agent' );
		$this->reply( 200, '{}' );
		$this->assertSame( array(), $client->request( 'GET', '/v1/status' ), 'admin calls still try' );
		$this->assertFalse( get_transient( LuxeBrain_Agent_Client::DOWN_TRANSIENT ), 'a success clears the back-off' );
	}
}
