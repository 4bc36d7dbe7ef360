<?php
/**
 * The renderer escapes everything from the agent and renders nothing for an empty payload.
 */
class WidgetRendererTest extends LuxeBrain_TestCase {

	public function test_empty_payload_renders_nothing(): void {
		$this->assertSame( '', LuxeBrain_Widget_Renderer::render( array( 'title' => 'x', 'items' => array() ) ) );
		$this->assertSame( '', LuxeBrain_Widget_Renderer::render( array() ) );
	}

	public function test_items_are_escaped_and_price_html_is_filtered(): void {
		$html = LuxeBrain_Widget_Renderer::render(
			array(
				'placement' => 'product',
				'title'     => 'Bought <together>',
				'items'     => array(
					array(
						'id'         => '7',
						'name'       => 'Mug <script>alert(1)</script>',
						'permalink'  => 'javascript:alert(1)',
						'image'      => 'http://shop.example/mug.jpg"onerror="x',
						'price_html' => '<span class="amount">€9</span><script>x</script>',
						'source'     => 'co_purchase',
						'reason'     => 'bought "together" 3 times',
					),
				),
			)
		);
		$this->assertStringContainsString( '<h2 class="luxebrain-widget__title">Bought &lt;together&gt;</h2>', $html );
		$this->assertStringContainsString( 'Mug &lt;script&gt;alert(1)&lt;/script&gt;', $html );
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertStringNotContainsString( 'javascript:', $html );
		$this->assertStringNotContainsString( '"onerror=', $html );
		$this->assertStringContainsString( '<span class="amount">€9</span>x', $html );
		$this->assertStringContainsString( 'data-product-id="7" data-source="co_purchase" title="bought &quot;together&quot; 3 times"', $html );
	}

	public function test_settings_title_overrides_the_agents(): void {
		$html = LuxeBrain_Widget_Renderer::render( array( 'title' => 'Agent', 'items' => array( array( 'id' => 1, 'name' => 'A', 'price' => '2.50' ) ) ), 'Mine' );
		$this->assertStringContainsString( '>Mine</h2>', $html );
		$this->assertStringContainsString( '<span class="luxebrain-widget__price">2.50</span>', $html );
	}

	public function test_malformed_agent_fields_show_nothing_and_bad_items_are_skipped(): void {
		$html = LuxeBrain_Widget_Renderer::render(
			array(
				'placement' => array( 'product' ),
				'title'     => array( 'Top' ),
				'items'     => array(
					'not an item',
					array( 'name' => 'No id' ),
					array( 'id' => array( 5 ), 'name' => 'Id is a list' ),
					array(
						'id'         => '5',
						'name'       => array( 'en' => 'Red shoe' ),
						'permalink'  => array( 'http://shop.example/p5' ),
						'image'      => array( 'src' => 'http://shop.example/p5.jpg' ),
						'price_html' => array( '<b>1</b>' ),
						'price'      => '9.50',
						'source'     => array( 'co_purchase' ),
						'reason'     => array( 'bought with X' ),
					),
				),
			)
		);
		$this->assertStringNotContainsString( 'Array', $html );
		$this->assertSame( 1, substr_count( $html, '<li ' ), 'only the item with a usable id' );
		$this->assertStringContainsString( '<li class="luxebrain-widget__item" data-product-id="5" data-source=""><a class="luxebrain-widget__link" href=""><span class="luxebrain-widget__name"></span><span class="luxebrain-widget__price">9.50</span></a></li>', $html );
		$this->assertStringNotContainsString( '<h2', $html );
		$this->assertSame( '', LuxeBrain_Widget_Renderer::render( array( 'items' => array( array( 'id' => array() ), 'x' ) ) ), 'no usable item: the empty state' );
	}
}
