<?php
/**
 * Visitor events: known shapes pass (cleaned), anything else is a 400 naming the field.
 */
class EventValidatorTest extends LuxeBrain_TestCase {

	const ID = '0b7c4f0e-9a3c-4c8e-8f1e-2d3c4b5a6978';

	public function test_valid_batch_is_cleaned_and_visitor_customer_id_is_dropped(): void {
		$batch = LuxeBrain_Event_Validator::validate(
			array(
				'session_id'  => 'abc-12345',
				'customer_id' => '999',
				'events'      => array(
					array( 'id' => strtoupper( self::ID ), 'type' => 'rec_click', 'product_id' => 12, 'placement' => 'product', 'source' => 'co_purchase', 'recommended_ids' => array( 12, '13' ), 'extra' => 'x' ),
				),
			)
		);
		$this->assertSame(
			array(
				'session_id' => 'abc-12345',
				'events'     => array(
					array( 'id' => self::ID, 'type' => 'rec_click', 'product_id' => '12', 'placement' => 'product', 'source' => 'co_purchase', 'recommended_ids' => array( '12', '13' ) ),
				),
			),
			$batch
		);
	}

	public function invalid(): array {
		$ok = array( 'id' => self::ID, 'type' => 'view', 'product_id' => 1 );
		return array(
			'not an object'   => array( 'x', 'body' ),
			'bad session'     => array( array( 'session_id' => 'a b', 'events' => array( $ok ) ), 'session_id' ),
			'no events'       => array( array( 'session_id' => 'abcdefgh', 'events' => array() ), 'events' ),
			'too many events' => array( array( 'session_id' => 'abcdefgh', 'events' => array_fill( 0, 51, $ok ) ), 'events' ),
			'bad id'          => array( array( 'session_id' => 'abcdefgh', 'events' => array( array( 'id' => 'x' ) + $ok ) ), 'events[0].id' ),
			'bad type'        => array( array( 'session_id' => 'abcdefgh', 'events' => array( array( 'type' => 'purchase' ) + $ok ) ), 'events[0].type' ),
			'bad product'     => array( array( 'session_id' => 'abcdefgh', 'events' => array( array( 'product_id' => '-3' ) + $ok ) ), 'events[0].product_id' ),
			'bad placement'   => array( array( 'session_id' => 'abcdefgh', 'events' => array( $ok + array( 'placement' => 'footer' ) ) ), 'events[0].placement' ),
			'bad source'      => array( array( 'session_id' => 'abcdefgh', 'events' => array( $ok + array( 'source' => '<b>' ) ) ), 'events[0].source' ),
			'bad recommended' => array( array( 'session_id' => 'abcdefgh', 'events' => array( $ok + array( 'recommended_ids' => array( 1, 'x' ) ) ) ), 'events[0].recommended_ids' ),
		);
	}

	/**
	 * @dataProvider invalid
	 */
	public function test_invalid_batches_name_the_field( $batch, string $field ): void {
		$error = LuxeBrain_Event_Validator::validate( $batch );
		$this->assertInstanceOf( WP_Error::class, $error );
		$this->assertSame( 'invalid_event', $error->get_error_code() );
		$this->assertSame( array( 'status' => 400, 'field' => $field ), $error->get_error_data() );
	}
}
