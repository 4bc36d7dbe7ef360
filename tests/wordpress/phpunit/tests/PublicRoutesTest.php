<?php
/**
 * The public routes tell a visitor only what is theirs to fix; the privacy eraser reports what
 * the agent removed, not that it was asked.
 */
class PublicRoutesTest extends LuxeBrain_TestCase {

	/** @var array */
	private $reply;

	protected function setUp(): void {
		parent::setUp();
		add_filter( 'pre_http_request', array( $this, 'fake' ), 10, 3 );
		$this->pair();
	}

	protected function tearDown(): void {
		remove_filter( 'pre_http_request', array( $this, 'fake' ), 10 );
		parent::tearDown();
	}

	public function fake() {
		return $this->reply;
	}

	private function agent_says( int $status, array $body ): void {
		$this->reply = array( 'response' => array( 'code' => $status ), 'body' => wp_json_encode( $body ), 'headers' => array(), 'cookies' => array() );
	}

	private function agent_refuses( int $status, string $code ): void {
		$this->agent_says( $status, array( 'error' => array( 'code' => $code, 'message' => 'the agent operator\'s detail' ) ) );
	}

	private function send_events(): WP_REST_Response {
		$request = new WP_REST_Request( 'POST', '/luxebrain/v1/events' );
		$request->set_header( 'Content-Type', 'application/json' );
		$request->set_body(
			wp_json_encode(
				array(
					'session_id' => 'session-0001',
					'events'     => array( array( 'id' => wp_generate_uuid4(), 'type' => 'view', 'product_id' => '5' ) ),
				)
			)
		);
		return rest_do_request( $request );
	}

	public function test_visitors_hear_a_bad_batch_and_nothing_else_of_the_agent(): void {
		$this->agent_refuses( 400, 'invalid_event' );
		$this->assertSame( 400, $this->send_events()->get_status(), 'a bad batch is the visitor\'s to fix' );
		foreach ( array( array( 401, 'not_paired' ), array( 401, 'unauthorized' ), array( 500, 'internal_error' ) ) as $case ) {
			$this->agent_refuses( $case[0], $case[1] );
			$response = $this->send_events();
			$this->assertSame( 503, $response->get_status(), $case[1] );
			$this->assertSame( 'agent_unavailable', $response->get_data()['code'], $case[1] );
			$this->assertStringNotContainsString( 'operator', wp_json_encode( $response->get_data() ) );
		}
	}

	public function test_the_eraser_reports_removed_items_only_when_the_agent_removed_some(): void {
		$user = wp_insert_user( array( 'user_login' => 'eraser-test', 'user_email' => 'eraser@example.com', 'user_pass' => wp_generate_password() ) );
		try {
			$this->agent_says( 200, array( 'erased' => (string) $user, 'orders' => 0, 'events_redacted' => 0, 'guest' => 'x' ) );
			$this->assertFalse( LuxeBrain_Privacy::erase( 'eraser@example.com' )['items_removed'], 'the agent held nothing' );
			$this->agent_says( 200, array( 'erased' => (string) $user, 'orders' => 2, 'events_redacted' => 3 ) );
			$this->assertTrue( LuxeBrain_Privacy::erase( 'eraser@example.com' )['items_removed'] );
		} finally {
			require_once ABSPATH . 'wp-admin/includes/user.php';
			wp_delete_user( $user );
		}
	}
}
