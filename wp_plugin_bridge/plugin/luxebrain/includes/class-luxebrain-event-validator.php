<?php
/**
 * Validates browsing events from visitors before they are forwarded to the agent. Visitors are
 * untrusted: only known types and well-formed ids pass, and customer_id is never taken from them.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * Shape checks for POST luxebrain/v1/events.
 */
class LuxeBrain_Event_Validator {

	const TYPES = array( 'view', 'add_to_cart', 'rec_impression', 'rec_click' );

	const MAX_EVENTS = 50;

	const MAX_RECOMMENDED = 50;

	const UUID = '/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/';

	const SESSION = '/^[A-Za-z0-9-]{8,64}$/';

	const SOURCE = '/^[a-z0-9_:-]{1,40}$/';

	/**
	 * Validate a batch; returns the cleaned batch (without customer_id) or a WP_Error naming the field.
	 *
	 * @param mixed $batch Decoded JSON body.
	 * @return array{session_id:string,events:array<int,array<string,mixed>>}|WP_Error
	 */
	public static function validate( $batch ) {
		if ( ! is_array( $batch ) ) {
			return self::error( 'body', __( 'The body must be a JSON object.', 'luxebrain' ) );
		}
		$session = $batch['session_id'] ?? null;
		if ( ! is_string( $session ) || ! preg_match( self::SESSION, $session ) ) {
			return self::error( 'session_id', __( 'session_id must be 8 to 64 letters, digits or dashes.', 'luxebrain' ) );
		}
		$events = $batch['events'] ?? null;
		if ( ! is_array( $events ) || ! $events || count( $events ) > self::MAX_EVENTS || array_values( $events ) !== $events ) {
			/* translators: %d: maximum number of events in one request */
			return self::error( 'events', sprintf( __( 'events must be a list of 1 to %d events.', 'luxebrain' ), self::MAX_EVENTS ) );
		}
		$clean = array();
		foreach ( $events as $index => $event ) {
			$checked = self::event( $event, "events[$index]" );
			if ( is_wp_error( $checked ) ) {
				return $checked;
			}
			$clean[] = $checked;
		}
		return array(
			'session_id' => $session,
			'events'     => $clean,
		);
	}

	/**
	 * One event.
	 *
	 * @param mixed  $event Decoded event.
	 * @param string $where Field path for errors.
	 * @return array<string,mixed>|WP_Error
	 */
	private static function event( $event, string $where ) {
		if ( ! is_array( $event ) ) {
			return self::error( $where, __( 'Each event must be a JSON object.', 'luxebrain' ) );
		}
		if ( ! is_string( $event['id'] ?? null ) || ! preg_match( self::UUID, strtolower( $event['id'] ) ) ) {
			return self::error( "$where.id", __( 'id must be a UUID.', 'luxebrain' ) );
		}
		if ( ! in_array( $event['type'] ?? null, self::TYPES, true ) ) {
			return self::error( "$where.type", __( 'type must be view, add_to_cart, rec_impression or rec_click.', 'luxebrain' ) );
		}
		$product_id = self::positive_id( $event['product_id'] ?? null );
		if ( ! $product_id ) {
			return self::error( "$where.product_id", __( 'product_id must be a positive whole number.', 'luxebrain' ) );
		}
		$clean = array(
			'id'         => strtolower( $event['id'] ),
			'type'       => $event['type'],
			'product_id' => (string) $product_id,
		);
		if ( isset( $event['placement'] ) ) {
			if ( ! in_array( $event['placement'], LuxeBrain_Settings::PLACEMENTS, true ) ) {
				return self::error( "$where.placement", __( 'placement must be product, cart, thankyou or shortcode.', 'luxebrain' ) );
			}
			$clean['placement'] = $event['placement'];
		}
		if ( isset( $event['source'] ) ) {
			if ( ! is_string( $event['source'] ) || ! preg_match( self::SOURCE, $event['source'] ) ) {
				return self::error( "$where.source", __( 'source must be a short lowercase name.', 'luxebrain' ) );
			}
			$clean['source'] = $event['source'];
		}
		if ( isset( $event['recommended_ids'] ) ) {
			$ids = $event['recommended_ids'];
			if ( ! is_array( $ids ) || count( $ids ) > self::MAX_RECOMMENDED ) {
				/* translators: %d: maximum number of ids */
				return self::error( "$where.recommended_ids", sprintf( __( 'recommended_ids must be a list of at most %d product ids.', 'luxebrain' ), self::MAX_RECOMMENDED ) );
			}
			$clean_ids = array();
			foreach ( $ids as $id ) {
				$id = self::positive_id( $id );
				if ( ! $id ) {
					return self::error( "$where.recommended_ids", __( 'recommended_ids must hold positive whole numbers.', 'luxebrain' ) );
				}
				$clean_ids[] = (string) $id;
			}
			$clean['recommended_ids'] = $clean_ids;
		}
		return $clean;
	}

	/**
	 * A positive integer id from an int or a digit string, else 0.
	 *
	 * @param mixed $value Candidate.
	 */
	private static function positive_id( $value ): int {
		if ( is_int( $value ) ) {
			return $value > 0 ? $value : 0;
		}
		return is_string( $value ) && preg_match( '/^[1-9][0-9]{0,18}$/', $value ) ? (int) $value : 0;
	}

	/**
	 * A 400 with the agent's error code and the offending field.
	 *
	 * @param string $field   Field path.
	 * @param string $message Message.
	 */
	private static function error( string $field, string $message ): WP_Error {
		return new WP_Error( 'invalid_event', $message, array( 'status' => 400, 'field' => $field ) );
	}
}
