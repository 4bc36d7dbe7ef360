<?php
/**
 * The plugin's settings: one option, validated by the Settings API sanitize callback.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * Reads and validates the `luxebrain_settings` option.
 */
class LuxeBrain_Settings {

	const OPTION = 'luxebrain_settings';

	/** Widget placements the agent serves. */
	const PLACEMENTS = array( 'product', 'cart', 'thankyou', 'shortcode' );

	const MAX_LIMIT = 20;

	/**
	 * Defaults: client-side rendering so full-page caches keep working, a 2 s agent timeout.
	 *
	 * @return array<string,mixed>
	 */
	public static function defaults(): array {
		$widgets = array();
		foreach ( self::PLACEMENTS as $placement ) {
			$widgets[ $placement ] = array(
				'enabled' => true,
				'title'   => '',
				'limit'   => 4,
			);
		}
		return array(
			'licence_key' => '',
			'render'      => 'client',
			'timeout'     => 2.0,
			'rate_limit'  => 120,
			'widgets'     => $widgets,
		);
	}

	/**
	 * The current settings merged over the defaults.
	 *
	 * @return array<string,mixed>
	 */
	public static function all(): array {
		$stored   = get_option( self::OPTION, array() );
		$defaults = self::defaults();
		if ( ! is_array( $stored ) ) {
			return $defaults;
		}
		$merged            = array_merge( $defaults, array_intersect_key( $stored, $defaults ) );
		$merged['widgets'] = $defaults['widgets'];
		foreach ( self::PLACEMENTS as $placement ) {
			if ( isset( $stored['widgets'][ $placement ] ) && is_array( $stored['widgets'][ $placement ] ) ) {
				$merged['widgets'][ $placement ] = array_merge( $defaults['widgets'][ $placement ], $stored['widgets'][ $placement ] );
			}
		}
		return $merged;
	}

	/**
	 * One setting.
	 *
	 * @param string $key Setting name.
	 * @return mixed
	 */
	public static function get( string $key ) {
		$all = self::all();
		return $all[ $key ];
	}

	/**
	 * One placement's widget settings.
	 *
	 * @param string $placement Placement.
	 * @return array{enabled:bool,title:string,limit:int}
	 */
	public static function widget( string $placement ): array {
		$widgets = self::get( 'widgets' );
		return $widgets[ $placement ];
	}

	/**
	 * Validate submitted settings. Bad input reports a settings error and keeps the stored value,
	 * so a typo never half-applies.
	 *
	 * @param mixed $input Raw submitted value.
	 * @return array<string,mixed>
	 */
	public static function sanitize( $input ): array {
		$current = self::all();
		$errors  = self::validate( is_array( $input ) ? $input : array(), $current );
		if ( is_wp_error( $errors ) ) {
			add_settings_error( self::OPTION, $errors->get_error_code(), $errors->get_error_message() );
			return $current;
		}
		return $errors;
	}

	/**
	 * Pure validation: the new settings, or a WP_Error naming the first bad field.
	 *
	 * @param array<string,mixed> $input   Submitted values.
	 * @param array<string,mixed> $current Current settings, used for fields not submitted.
	 * @return array<string,mixed>|WP_Error
	 */
	public static function validate( array $input, array $current ) {
		$clean = $current;

		if ( isset( $input['licence_key'] ) ) {
			$licence = trim( (string) $input['licence_key'] );
			if ( '' !== $licence && ! preg_match( '/^[A-Za-z0-9._~+\/=-]{8,4096}$/', $licence ) ) {
				return new WP_Error( 'invalid_licence_key', __( 'The licence key contains characters a LuxeBrain licence never has.', 'luxebrain' ) );
			}
			// the settings page never shows the saved key, so an empty field keeps it
			if ( '' !== $licence ) {
				$clean['licence_key'] = $licence;
			}
		}
		if ( ! empty( $input['licence_key_remove'] ) ) {
			$clean['licence_key'] = '';
		}
		if ( isset( $input['render'] ) ) {
			if ( ! in_array( $input['render'], array( 'client', 'server' ), true ) ) {
				return new WP_Error( 'invalid_render', __( 'Rendering must be "client" or "server".', 'luxebrain' ) );
			}
			$clean['render'] = $input['render'];
		}
		if ( isset( $input['timeout'] ) ) {
			$timeout = filter_var( $input['timeout'], FILTER_VALIDATE_FLOAT );
			// at least 1 s: WordPress's cURL transport never gives up sooner, whatever it is told.
			if ( false === $timeout || $timeout < LuxeBrain_Agent_Client::MIN_TIMEOUT || $timeout > LuxeBrain_Agent_Client::MAX_TIMEOUT ) {
				return new WP_Error( 'invalid_timeout', __( 'The agent timeout must be a number of seconds from 1 to 10.', 'luxebrain' ) );
			}
			$clean['timeout'] = (float) $timeout;
		}
		if ( isset( $input['rate_limit'] ) ) {
			$rate = filter_var( $input['rate_limit'], FILTER_VALIDATE_INT, array( 'options' => array( 'min_range' => 1, 'max_range' => 100000 ) ) );
			if ( false === $rate ) {
				return new WP_Error( 'invalid_rate_limit', __( 'The rate limit must be a whole number of requests per minute from 1 to 100000.', 'luxebrain' ) );
			}
			$clean['rate_limit'] = $rate;
		}
		foreach ( self::PLACEMENTS as $placement ) {
			if ( ! isset( $input['widgets'][ $placement ] ) || ! is_array( $input['widgets'][ $placement ] ) ) {
				continue;
			}
			$given = $input['widgets'][ $placement ];
			$limit = filter_var( $given['limit'] ?? $current['widgets'][ $placement ]['limit'], FILTER_VALIDATE_INT, array( 'options' => array( 'min_range' => 1, 'max_range' => self::MAX_LIMIT ) ) );
			if ( false === $limit ) {
				/* translators: 1: widget placement, 2: maximum number of items */
				return new WP_Error( 'invalid_limit', sprintf( __( 'The %1$s widget count must be a whole number from 1 to %2$d.', 'luxebrain' ), $placement, self::MAX_LIMIT ) );
			}
			$clean['widgets'][ $placement ] = array(
				'enabled' => ! empty( $given['enabled'] ),
				'title'   => mb_substr( sanitize_text_field( (string) ( $given['title'] ?? '' ) ), 0, 100 ),
				'limit'   => $limit,
			);
		}
		return $clean;
	}
}
