<?php
/**
 * Settings validation: good input is stored, bad input is refused whole with a named error.
 */
class SettingsTest extends LuxeBrain_TestCase {

	public function test_defaults_when_nothing_is_stored(): void {
		$settings = LuxeBrain_Settings::all();
		$this->assertSame( 'client', $settings['render'] );
		$this->assertSame( 2.0, $settings['timeout'] );
		$this->assertSame( array( 'enabled' => true, 'title' => '', 'limit' => 4 ), LuxeBrain_Settings::widget( 'cart' ) );
	}

	public function test_valid_input_is_cleaned(): void {
		$clean = LuxeBrain_Settings::validate(
			array(
				'render'  => 'server',
				'timeout' => '1.5',
				'widgets' => array( 'product' => array( 'title' => ' <b>Also bought</b> ', 'limit' => '6' ) ),
			),
			LuxeBrain_Settings::defaults()
		);
		$this->assertSame( 'server', $clean['render'] );
		$this->assertSame( 1.5, $clean['timeout'] );
		$this->assertSame( array( 'enabled' => false, 'title' => 'Also bought', 'limit' => 6 ), $clean['widgets']['product'] );
		$this->assertTrue( $clean['widgets']['cart']['enabled'], 'placements not submitted keep their values' );
	}

	public function test_the_saved_licence_key_is_never_printed_and_an_empty_field_keeps_it(): void {
		$saved = array_merge( LuxeBrain_Settings::defaults(), array( 'licence_key' => 'lic.eyJhYmMiOjF9.c2ln' ) );
		update_option( LuxeBrain_Settings::OPTION, $saved );
		ob_start();
		LuxeBrain_Admin::field_licence();
		$html = (string) ob_get_clean();
		$this->assertStringNotContainsString( 'eyJhYmMiOjF9', $html, 'a password field hides it on screen, not in the source' );
		$this->assertStringContainsString( 'value=""', $html );
		$this->assertStringContainsString( '[licence_key_remove]', $html );
		$kept = LuxeBrain_Settings::validate( array( 'licence_key' => '' ), $saved );
		$this->assertSame( 'lic.eyJhYmMiOjF9.c2ln', $kept['licence_key'], 'left empty: kept' );
		$new = LuxeBrain_Settings::validate( array( 'licence_key' => 'lic.new.key' ), $saved );
		$this->assertSame( 'lic.new.key', $new['licence_key'] );
		$removed = LuxeBrain_Settings::validate( array( 'licence_key' => '', 'licence_key_remove' => '1' ), $saved );
		$this->assertSame( '', $removed['licence_key'] );
		$this->assertArrayNotHasKey( 'licence_key_remove', $removed );
	}

	public function invalid(): array {
		return array(
			'render'     => array( array( 'render' => 'both' ), 'invalid_render' ),
			'timeout'    => array( array( 'timeout' => '30' ), 'invalid_timeout' ),
			// WordPress's cURL transport never gives up sooner than 1 s
			'timeout_1s' => array( array( 'timeout' => '0.5' ), 'invalid_timeout' ),
			'rate'       => array( array( 'rate_limit' => '-1' ), 'invalid_rate_limit' ),
			'limit'      => array( array( 'widgets' => array( 'cart' => array( 'limit' => '99' ) ) ), 'invalid_limit' ),
			'licence'    => array( array( 'licence_key' => 'bad key <script>' ), 'invalid_licence_key' ),
		);
	}

	/**
	 * @dataProvider invalid
	 */
	public function test_invalid_input_changes_nothing( array $input, string $code ): void {
		update_option( LuxeBrain_Settings::OPTION, array( 'render' => 'server', 'timeout' => 1.5 ) );
		$before = LuxeBrain_Settings::all();
		$error  = LuxeBrain_Settings::validate( $input, $before );
		$this->assertWPError( $error, $code );
		$this->assertSame( $before, LuxeBrain_Settings::sanitize( $input ) );
		$reported = wp_list_pluck( get_settings_errors( LuxeBrain_Settings::OPTION ), 'code' );
		$this->assertContains( $code, $reported );
	}

	private function assertWPError( $value, string $code ): void {
		$this->assertInstanceOf( WP_Error::class, $value );
		$this->assertSame( $code, $value->get_error_code() );
	}
}
