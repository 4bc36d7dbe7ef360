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
	 * An agent answer as a table: a list of rows, or an object whose first list holds the rows
	 * (its other scalar fields are shown above it).
	 *
	 * @param array<mixed> $answer Decoded JSON.
	 */
	public static function table( array $answer ): string {
		$html = '';
		$rows = $answer;
		if ( ! array_is_list( $answer ) ) {
			$rows = array();
			foreach ( $answer as $key => $value ) {
				if ( is_array( $value ) && array_is_list( $value ) && ! $rows ) {
					$rows = $value;
				} elseif ( is_scalar( $value ) ) {
					$html .= '<p><strong>' . esc_html( ucfirst( str_replace( '_', ' ', (string) $key ) ) ) . ':</strong> ' . esc_html( (string) $value ) . '</p>';
				}
			}
		}
		$rows = array_values( array_filter( $rows, 'is_array' ) );
		if ( ! $rows ) {
			return $html . '<p class="luxebrain-empty">' . esc_html__( 'Nothing to show yet.', 'luxebrain' ) . '</p>';
		}
		$columns = array();
		foreach ( $rows as $row ) {
			$columns = array_unique( array_merge( $columns, array_keys( $row ) ) );
		}
		$html .= '<table class="widefat striped"><thead><tr>';
		foreach ( $columns as $column ) {
			$html .= '<th>' . esc_html( ucfirst( str_replace( '_', ' ', (string) $column ) ) ) . '</th>';
		}
		$html .= '</tr></thead><tbody>';
		foreach ( $rows as $row ) {
			$html .= '<tr>';
			foreach ( $columns as $column ) {
				$value = $row[ $column ] ?? '';
				$html .= '<td>' . esc_html( is_scalar( $value ) ? (string) $value : (string) wp_json_encode( $value ) ) . '</td>';
			}
			$html .= '</tr>';
		}
		return $html . '</tbody></table>';
	}
}
