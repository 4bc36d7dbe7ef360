<?php
/**
 * The agent client: signed requests, the agent's error codes, short timeouts and a back-off.
 */

if ( ! function_exists( 'fastcgi_finish_request' ) ) {
	/**
	 * PHP-FPM's "send the response now", which the CLI lacks: records when it was called.
	 */
	function fastcgi_finish_request(): bool {
		$GLOBALS['luxebrain_test_finished'] = true;
		return true;
	}
}

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
		$args['after_response'] = ! empty( $GLOBALS['luxebrain_test_finished'] );
		$this->calls[]          = array( $url, $args );
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

	public function test_a_saved_timeout_below_curls_one_second_is_used_as_one_second(): void {
		$this->reply( 200, '{}' );
		$this->pair();
		update_option( LuxeBrain_Settings::OPTION, array( 'timeout' => 0.2 ) );
		LuxeBrain_Agent_Client::paired()->request( 'GET', '/v1/status' );
		$this->assertSame( 1.0, $this->calls[0][1]['timeout'] );
	}

	public function test_add_to_cart_reaches_the_agent_only_after_the_response_has_gone_out(): void {
		$this->reply( 202, '{"accepted":1,"duplicates":0}' );
		$this->pair();
		$GLOBALS['luxebrain_test_finished'] = false;
		LuxeBrain_Widgets::track_add_to_cart( 4 );
		LuxeBrain_Widgets::track_add_to_cart( 5 );
		$this->assertCount( 0, $this->calls, 'the add-to-cart request itself never waits on the agent' );
		$this->assertSame( PHP_INT_MAX, has_action( 'shutdown', array( 'LuxeBrain_Agent_Client', 'send_queued' ) ) );
		LuxeBrain_Agent_Client::send_queued();
		$this->assertCount( 2, $this->calls );
		foreach ( $this->calls as $index => list( $url, $args ) ) {
			$this->assertSame( 'http://127.0.0.1:8765/v1/events', $url );
			$this->assertTrue( $args['after_response'], 'sent after fastcgi_finish_request()' );
			$events = json_decode( $args['body'], true )['events'];
			$this->assertSame( array( 'add_to_cart', (string) ( 4 + $index ) ), array( $events[0]['type'], $events[0]['product_id'] ) );
		}
		LuxeBrain_Agent_Client::send_queued();
		$this->assertCount( 2, $this->calls, 'each event is sent once' );
	}

	public function test_an_agent_that_does_not_answer_in_time_sets_the_back_off(): void {
		// an agent that takes the connection but never answers: the real cURL transport times out
		remove_filter( 'pre_http_request', array( $this, 'fake' ), 10 );
		$attempts = 0;
		$count    = static function ( $pre ) use ( &$attempts ) {
			++$attempts;
			return $pre;
		};
		add_filter( 'pre_http_request', $count );
		$silent = stream_socket_server( 'tcp://127.0.0.1:0' );
		try {
			$this->pair( 'http://' . stream_socket_get_name( $silent, false ) );
			update_option( LuxeBrain_Settings::OPTION, array( 'timeout' => 1 ) );
			LuxeBrain_Widgets::track_add_to_cart( 4 );
			LuxeBrain_Agent_Client::send_queued();
			$this->assertSame( 1, $attempts );
			$this->assertNotFalse( get_transient( LuxeBrain_Agent_Client::DOWN_TRANSIENT ), 'a timeout marks the agent down' );
			LuxeBrain_Widgets::track_add_to_cart( 5 );
			LuxeBrain_Agent_Client::send_queued();
			$this->assertSame( 1, $attempts, 'later add-to-carts skip the agent while it is down' );
		} finally {
			remove_filter( 'pre_http_request', $count );
			fclose( $silent );
		}
	}
}
