<?php
/**
 * Widget payloads: cached for the agent's TTL, the last good answer when the agent fails, else
 * nothing; containers for client- and server-side rendering.
 */
class WidgetsTest extends LuxeBrain_TestCase {

	/** @var int */
	private $calls = 0;

	/** @var array|WP_Error */
	private $reply;

	/** @var string */
	private $url = '';

	protected function setUp(): void {
		parent::setUp();
		add_filter( 'pre_http_request', array( $this, 'fake' ), 10, 3 );
		$this->pair();
		$this->calls = 0;
	}

	protected function tearDown(): void {
		remove_filter( 'pre_http_request', array( $this, 'fake' ), 10 );
		parent::tearDown();
	}

	public function fake( $preempt = false, $args = array(), $url = '' ) {
		++$this->calls;
		$this->url = (string) $url;
		return $this->reply;
	}

	private function agent_answers( array $payload ): void {
		$this->reply = array( 'response' => array( 'code' => 200 ), 'body' => wp_json_encode( $payload ), 'headers' => array(), 'cookies' => array() );
	}

	private function payload(): array {
		return array( 'placement' => 'product', 'title' => 'T', 'ttl' => 60, 'items' => array( array( 'id' => '5', 'name' => 'Five' ) ) );
	}

	private function context( int $product_id = 3 ): array {
		return LuxeBrain_Widgets::context( 'product', array( 'product_id' => $product_id ) );
	}

	public function test_payload_is_cached_for_its_ttl(): void {
		$this->agent_answers( $this->payload() );
		$this->assertSame( $this->payload(), LuxeBrain_Widgets::payload( 'product', $this->context() ) );
		$this->assertSame( $this->payload(), LuxeBrain_Widgets::payload( 'product', $this->context() ) );
		$this->assertSame( 1, $this->calls );
		global $wpdb;
		$expiries = $wpdb->get_col( "SELECT option_value FROM {$wpdb->options} WHERE option_name LIKE '\\_transient\\_timeout\\_luxebrain\\_w%' ORDER BY option_value" );
		$this->assertCount( 2, $expiries, 'fresh and last-good copies' );
		$this->assertEqualsWithDelta( time() + 60, (int) $expiries[0], 5, 'fresh copy lives for the payload ttl' );
		$this->assertEqualsWithDelta( time() + DAY_IN_SECONDS, (int) $expiries[1], 5 );
	}

	public function test_agent_down_serves_last_good_answer_then_nothing(): void {
		$this->agent_answers( $this->payload() );
		LuxeBrain_Widgets::payload( 'product', $this->context() );
		global $wpdb;
		$wpdb->query( "DELETE FROM {$wpdb->options} WHERE option_name LIKE '_transient%luxebrain_w\\_%'" );
		wp_cache_flush();
		$this->reply = new WP_Error( 'http_request_failed', 'refused' );
		$this->assertSame( $this->payload(), LuxeBrain_Widgets::payload( 'product', $this->context() ), 'last good answer' );
		$empty = LuxeBrain_Widgets::payload( 'product', $this->context( 4 ) );
		$this->assertSame( array(), $empty['items'], 'nothing cached for another product' );
	}

	public function test_a_cart_context_carries_at_most_50_distinct_ids(): void {
		$context = LuxeBrain_Widgets::context( 'cart', array( 'cart' => array_merge( array( 7, 7 ), range( 100, 159 ) ) ) );
		$this->assertSame( array_merge( array( 7 ), range( 100, 148 ) ), $context['cart'], 'the agent and the route take 50' );
		$html = LuxeBrain_Widgets::container( 'cart', array( 'cart' => range( 1, 60 ) ) );
		$this->assertStringContainsString( 'data-cart="' . implode( ',', range( 1, 50 ) ) . '"', $html );
	}

	public function test_the_widget_route_takes_only_published_products_as_context(): void {
		$this->agent_answers( $this->payload() );
		$mug   = wp_insert_post( array( 'post_type' => 'product', 'post_status' => 'publish', 'post_title' => 'Mug' ) );
		$draft = wp_insert_post( array( 'post_type' => 'product', 'post_status' => 'draft', 'post_title' => 'Draft' ) );
		$page  = wp_insert_post( array( 'post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'About' ) );
		try {
			foreach ( array( 900001, 900002, $draft, $page ) as $made_up ) {
				$request = new WP_REST_Request( 'GET', '/luxebrain/v1/widgets/product' );
				$request->set_param( 'product_id', $made_up );
				$request->set_param( 'cart', $made_up . ',900003' );
				$this->assertSame( 200, rest_do_request( $request )->get_status() );
			}
			$this->assertSame( 1, $this->calls, 'ids nothing sells are one context: one agent call, one cache entry' );
			$this->assertStringNotContainsString( 'product_id=', $this->url );
			$request = new WP_REST_Request( 'GET', '/luxebrain/v1/widgets/product' );
			$request->set_param( 'product_id', $mug );
			$request->set_param( 'cart', $mug . ',900003' );
			rest_do_request( $request );
			$this->assertSame( 2, $this->calls );
			$this->assertStringContainsString( 'product_id=' . $mug . '&', $this->url );
			$this->assertStringContainsString( 'cart=' . $mug . '&', $this->url );
		} finally {
			foreach ( array( $mug, $draft, $page ) as $post ) {
				wp_delete_post( $post, true );
			}
		}
	}

	public function test_a_cart_in_any_order_or_with_repeats_is_one_agent_call(): void {
		$this->agent_answers( $this->payload() );
		$ids = array();
		foreach ( array( 'Cup', 'Saucer', 'Spoon' ) as $title ) {
			$ids[] = wp_insert_post( array( 'post_type' => 'product', 'post_status' => 'publish', 'post_title' => $title ) );
		}
		try {
			foreach ( array( array( 2, 0, 1 ), array( 1, 2, 0 ), array( 0, 1, 2, 0 ) ) as $order ) {
				$request = new WP_REST_Request( 'GET', '/luxebrain/v1/widgets/cart' );
				$request->set_param( 'cart', implode( ',', array_map( static fn( $i ) => $ids[ $i ], $order ) ) );
				$this->assertSame( 200, rest_do_request( $request )->get_status() );
			}
			$this->assertSame( 1, $this->calls, 'one cart, one agent call and one cache entry' );
			$this->assertStringContainsString( 'cart=' . implode( '%2C', $ids ) . '&', $this->url );
		} finally {
			foreach ( $ids as $post ) {
				wp_delete_post( $post, true );
			}
		}
	}

	public function test_a_cart_answer_is_cached_for_its_ttl_without_a_day_long_copy(): void {
		$this->agent_answers( $this->payload() );
		$context = LuxeBrain_Widgets::context( 'cart', array( 'cart' => array( 3, 4 ) ) );
		$this->assertSame( $this->payload(), LuxeBrain_Widgets::payload( 'cart', $context ) );
		global $wpdb;
		$this->assertSame( array( '_transient_luxebrain_w_' ), $wpdb->get_col( "SELECT LEFT( option_name, 23 ) FROM {$wpdb->options} WHERE option_name LIKE '\\_transient\\_luxebrain\\_w%'" ), 'visitors name any carts: no day-long copy each' );
		$wpdb->query( "DELETE FROM {$wpdb->options} WHERE option_name LIKE '_transient%luxebrain_w\\_%'" );
		wp_cache_flush();
		$this->reply = new WP_Error( 'http_request_failed', 'refused' );
		$this->assertSame( array(), LuxeBrain_Widgets::payload( 'cart', $context )['items'] );
	}

	public function test_the_widget_route_skips_items_without_a_usable_id(): void {
		$this->agent_answers( array( 'items' => array( array( 'id' => array( 5 ) ), 'x', array( 'id' => 6, 'source' => array( 'y' ) ) ) ) );
		$response = rest_do_request( new WP_REST_Request( 'GET', '/luxebrain/v1/widgets/shortcode' ) );
		$this->assertSame( array( array( 'id' => '6', 'source' => '' ) ), $response->get_data()['items'] );
	}

	public function test_client_container_is_empty_with_data_attributes(): void {
		$html = LuxeBrain_Widgets::container( 'cart', array( 'cart' => array( 3, 4 ) ) );
		$this->assertSame( '<div class="luxebrain-widget" data-placement="cart" data-product-id="" data-cart="3,4" data-limit="4"></div>', $html );
		$this->assertSame( 0, $this->calls, 'client-side rendering never calls the agent while the page renders' );
	}

	public function test_server_container_is_rendered(): void {
		update_option( LuxeBrain_Settings::OPTION, array( 'render' => 'server' ) );
		$this->agent_answers( $this->payload() );
		$html = LuxeBrain_Widgets::container( 'product', array( 'product_id' => 3 ) );
		$this->assertStringContainsString( 'data-rendered="1"', $html );
		$this->assertStringContainsString( '<span class="luxebrain-widget__name">Five</span>', $html );
	}

	public function test_disabled_placement_or_unpaired_renders_nothing(): void {
		update_option( LuxeBrain_Settings::OPTION, array( 'widgets' => array( 'cart' => array( 'enabled' => false ) ) ) );
		$this->assertSame( '', LuxeBrain_Widgets::container( 'cart', array() ) );
		LuxeBrain_Connection::forget();
		$this->assertSame( '', LuxeBrain_Widgets::container( 'product', array( 'product_id' => 1 ) ) );
	}

	public function test_shortcode_attributes_are_validated(): void {
		$html = do_shortcode( '[luxebrain_recommendations placement="nowhere" product="-7" limit="500"]' );
		$this->assertSame( '<div class="luxebrain-widget" data-placement="shortcode" data-product-id="7" data-cart="" data-limit="20"></div>', $html );
	}

	public function test_block_renders_like_the_shortcode(): void {
		$html = render_block( array( 'blockName' => 'luxebrain/recommendations', 'attrs' => array( 'placement' => 'cart', 'limit' => 3 ), 'innerBlocks' => array(), 'innerHTML' => '', 'innerContent' => array() ) );
		$this->assertSame( '<div class="luxebrain-widget" data-placement="cart" data-product-id="" data-cart="" data-limit="3"></div>', $html );
	}
}
