<?php
/**
 * WooCommerce > LuxeBrain Insights: forecasts, segments, price suggestions, flagged orders and
 * widget analytics, read from the agent; one clear notice when the agent is unreachable.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * The insights page.
 */
class LuxeBrain_Insights {

	const PAGE = 'luxebrain-insights';

	/**
	 * Hook the page.
	 */
	public static function register(): void {
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
	}

	/**
	 * Submenu under WooCommerce.
	 */
	public static function menu(): void {
		add_submenu_page( LuxeBrain_WooCommerce::MENU_PARENT, __( 'LuxeBrain Insights', 'luxebrain' ), __( 'LuxeBrain Insights', 'luxebrain' ), LuxeBrain_Admin::CAPABILITY, self::PAGE, array( __CLASS__, 'render' ) );
	}

	/**
	 * Sections: title => [path, query].
	 *
	 * @return array<string,array{0:string,1:array<string,string>}>
	 */
	private static function sections(): array {
		return array(
			__( 'Running out soon', 'luxebrain' )      => array( '/v1/insights/forecasts', array( 'running_out' => '1' ) ),
			__( 'Customer segments', 'luxebrain' )     => array( '/v1/insights/segments', array() ),
			__( 'Price suggestions', 'luxebrain' )     => array( '/v1/insights/prices', array() ),
			__( 'Flagged orders', 'luxebrain' )        => array( '/v1/insights/anomalies', array() ),
			__( 'Widget analytics', 'luxebrain' )      => array( '/v1/insights/analytics', array() ),
		);
	}

	/**
	 * The page.
	 */
	public static function render(): void {
		if ( ! current_user_can( LuxeBrain_Admin::CAPABILITY ) ) {
			return;
		}
		echo '<div class="wrap"><h1>' . esc_html__( 'LuxeBrain Insights', 'luxebrain' ) . '</h1>';
		$client = LuxeBrain_Agent_Client::paired();
		if ( ! $client ) {
			echo '<div class="notice notice-info"><p>' . esc_html__( 'Connect this shop to a LuxeBrain agent to see insights.', 'luxebrain' ) . '</p></div></div>';
			return;
		}
		foreach ( self::sections() as $title => list( $path, $query ) ) {
			$answer = $client->request( 'GET', $path, $query );
			if ( is_wp_error( $answer ) && 'agent_unavailable' === $answer->get_error_code() ) {
				echo '<div class="notice notice-error luxebrain-unreachable"><p>' . esc_html__( 'The LuxeBrain agent is unreachable, so there are no insights right now. Check that it is running.', 'luxebrain' ) . '</p></div></div>';
				return;
			}
			echo '<h2>' . esc_html( $title ) . '</h2>';
			if ( is_wp_error( $answer ) ) {
				echo '<p>' . esc_html( $answer->get_error_message() ) . '</p>';
				continue;
			}
			echo self::table( $answer ); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in table().
		}
		echo '</div>';
	}

	/**
	 * An agent answer as tables: a list of rows, or an object whose lists and maps of objects
	 * (such as analytics per placement) become tables and whose scalar fields and flat objects
	 * (such as totals) are shown as lines.
	 *
	 * @param array<mixed> $answer Decoded JSON.
	 */
	public static function table( array $answer ): string {
		if ( ! $answer || array_is_list( $answer ) ) {
			return self::rows( $answer );
		}
		$html   = '';
		$tables = '';
		foreach ( $answer as $key => $value ) {
			$label = ucfirst( str_replace( '_', ' ', (string) $key ) );
			if ( is_scalar( $value ) || null === $value ) {
				$html .= '<p><strong>' . esc_html( $label ) . ':</strong> ' . esc_html( self::text( $value ) ) . '</p>';
			} elseif ( array_is_list( $value ) ) {
				$tables .= self::rows( $value );
			} elseif ( array_filter( $value, 'is_array' ) === $value ) {
				$rows = array();
				foreach ( $value as $name => $row ) {
					$rows[] = array( rtrim( $label, 's' ) => $name ) + $row;
				}
				$tables .= self::rows( $rows );
			} else {
				$html .= '<p><strong>' . esc_html( $label ) . ':</strong> ' . esc_html( self::text( $value ) ) . '</p>';
			}
		}
		return $html . ( '' !== $tables ? $tables : self::rows( array() ) );
	}

	/**
	 * A list of objects as one table; the columns are the union of their keys.
	 *
	 * @param array<mixed> $rows Rows.
	 */
	private static function rows( array $rows ): string {
		$rows = array_values( array_filter( $rows, 'is_array' ) );
		if ( ! $rows ) {
			return '<p class="luxebrain-empty">' . esc_html__( 'Nothing to show yet.', 'luxebrain' ) . '</p>';
		}
		$columns = array();
		foreach ( $rows as $row ) {
			$columns = array_unique( array_merge( $columns, array_keys( $row ) ) );
		}
		$html = '<table class="widefat striped"><thead><tr>';
		foreach ( $columns as $column ) {
			$html .= '<th>' . esc_html( ucfirst( str_replace( '_', ' ', (string) $column ) ) ) . '</th>';
		}
		$html .= '</tr></thead><tbody>';
		foreach ( $rows as $row ) {
			$html .= '<tr>';
			foreach ( $columns as $column ) {
				$html .= '<td>' . esc_html( array_key_exists( $column, $row ) ? self::text( $row[ $column ] ) : '' ) . '</td>';
			}
			$html .= '</tr>';
		}
		return $html . '</tbody></table>';
	}

	/**
	 * Any JSON value as short text: "—" for null, "key: value" pairs for objects.
	 *
	 * @param mixed $value Value.
	 */
	public static function text( $value ): string {
		if ( null === $value || '' === $value ) {
			return '—';
		}
		if ( is_bool( $value ) ) {
			return $value ? __( 'yes', 'luxebrain' ) : __( 'no', 'luxebrain' );
		}
		if ( is_array( $value ) ) {
			$parts = array();
			foreach ( $value as $key => $item ) {
				$parts[] = ( is_string( $key ) ? $key . ': ' : '' ) . ( is_array( $item ) ? wp_json_encode( $item ) : self::text( $item ) );
			}
			return implode( ', ', $parts );
		}
		return (string) $value;
	}
}
