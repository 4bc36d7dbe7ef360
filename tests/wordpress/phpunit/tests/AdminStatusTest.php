<?php
/**
 * The plugin page's status table: what the agent reports going wrong is shown, escaped.
 */
class AdminStatusTest extends LuxeBrain_TestCase {

	/** @var array */
	private $status = array();

	protected function setUp(): void {
		parent::setUp();
		add_filter( 'pre_http_request', array( $this, 'fake' ), 10, 3 );
		wp_set_current_user( 1 );
	}

	protected function tearDown(): void {
		remove_filter( 'pre_http_request', array( $this, 'fake' ), 10 );
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	public function fake( $pre, $args, $url ) {
		$body = '/v1/status' === wp_parse_url( $url, PHP_URL_PATH ) ? $this->status : array();
		return array( 'response' => array( 'code' => 200 ), 'body' => wp_json_encode( $body ), 'headers' => array(), 'cookies' => array() );
	}

	private function page(): string {
		// what wp-admin loads before a plugin page renders (Settings API, buttons)
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		require_once ABSPATH . 'wp-admin/includes/template.php';
		ob_start();
		LuxeBrain_Admin::render();
		return (string) ob_get_clean();
	}

	private function healthy(): array {
		return array(
			'last_sync'      => array( 'orders' => '2026-12-07T11:00:00Z' ),
			'errors'         => array(),
			'models_ready'   => true,
			'snapshot_error' => null,
			'licence'        => array( 'status' => 'active', 'features' => array( 'recommendations' ) ),
		);
	}

	public function test_a_healthy_agent_shows_no_problems_row(): void {
		$this->pair();
		$this->status = $this->healthy();
		$page         = $this->page();
		$this->assertStringContainsString( '<td>Connected</td>', $page );
		$this->assertStringNotContainsString( 'Problems', $page );
		$this->assertSame( array(), LuxeBrain_Admin::problems( $this->status ) );
	}

	public function test_a_full_disk_and_a_failed_sync_are_shown_escaped(): void {
		$this->pair();
		$this->status = array_merge(
			$this->healthy(),
			array(
				'snapshot_error' => array( 'message' => '/var/lib/luxebrain/agent.sqlite: cannot write (database or disk is full)', 'since' => '2026-12-07T10:00:00Z' ),
				'errors'         => array( 'orders' => array( 'message' => 'WooCommerce GET /orders: HTTP 500 <b>boom</b>', 'at' => '2026-12-07T10:05:00Z' ) ),
			)
		);
		$page = $this->page();
		$this->assertStringContainsString( '<th scope="row">Problems</th>', $page );
		$this->assertStringContainsString( 'The models cannot be saved since 2026-12-07T10:00:00Z (/var/lib/luxebrain/agent.sqlite: cannot write (database or disk is full)); they keep learning in memory.', $page );
		$this->assertStringContainsString( 'Syncing orders failed: WooCommerce GET /orders: HTTP 500 &lt;b&gt;boom&lt;/b&gt;', $page );
		$this->assertStringNotContainsString( '<b>boom', $page );
	}

	public function test_odd_shapes_in_the_answer_are_ignored(): void {
		$odd = array( 'snapshot_error' => 'full', 'errors' => array( 'orders' => 'x', 'products' => array( 'at' => 'now' ) ) );
		$this->assertSame( array(), LuxeBrain_Admin::problems( $odd ) );
		$this->assertSame( array(), LuxeBrain_Admin::problems( array( 'errors' => 'none' ) ) );
	}

	public function test_objects_where_the_agent_should_send_text_show_no_array_and_raise_no_warning(): void {
		$this->pair();
		$this->status = array(
			'last_sync'      => '2026-01-01T00:00:00Z',
			'models_ready'   => true,
			'licence'        => array( 'status' => 'active', 'features' => array( array( 'name' => 'personalised' ), 'recommendations' ) ),
			'snapshot_error' => array( 'message' => 'disk full', 'since' => array( 't' => 1 ) ),
			'errors'         => array( 'orders' => array( 'message' => array( 'HTTP 500' ) ) ),
		);
		$page = $this->page();
		$this->assertStringNotContainsString( 'Array', $page );
		$this->assertStringContainsString( '<td>active (features: recommendations)</td>', $page );
		$this->assertSame( array( 'The models cannot be saved since  (disk full); they keep learning in memory.' ), LuxeBrain_Admin::problems( $this->status ), 'a sync error without a text message is skipped' );
		$this->status['licence'] = array( 'status' => array( 'active' ) );
		$this->assertStringNotContainsString( 'Array', $this->page() );
	}
}
