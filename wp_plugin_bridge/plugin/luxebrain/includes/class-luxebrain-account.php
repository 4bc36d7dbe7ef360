<?php
/**
 * The shop's own usage and invoices on the LuxeBrain page, from the agent's GET /v1/account.
 *
 * The agent asks the LuxeBrain cloud with its own licence key, so the answer can only be this
 * shop's tenant: the plugin never talks to the cloud and never holds anyone else's data. The
 * answer is cached in a transient (the cloud is slow to ask and the numbers change daily), and a
 * failure is cached briefly too, so a dead agent or cloud does not slow every page view. Every
 * failure shows one clear, translated empty state.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * The "Usage and invoices" section.
 */
class LuxeBrain_Account {

	const TRANSIENT = 'luxebrain_account';

	const CACHE_SECONDS = 10 * MINUTE_IN_SECONDS;

	const ERROR_CACHE_SECONDS = MINUTE_IN_SECONDS;

	/** The agent asks the cloud with a 5 s limit; wait a little longer than that. */
	const TIMEOUT_SECONDS = 6.0;

	/** Usage metrics in display order. */
	const METRICS = array( 'orders_synced', 'recommendations_served', 'widget_impressions', 'widget_clicks' );

	/**
	 * Forget the cached account when the connection or the settings change, so a shop paired
	 * with another agent (another licence) never sees the previous one's numbers.
	 */
	public static function register(): void {
		foreach ( array( LuxeBrain_Connection::OPTION, LuxeBrain_Settings::OPTION ) as $option ) {
			add_action( 'update_option_' . $option, array( __CLASS__, 'forget' ) );
			add_action( 'add_option_' . $option, array( __CLASS__, 'forget' ) );
			add_action( 'delete_option_' . $option, array( __CLASS__, 'forget' ) );
		}
	}

	/**
	 * Drop the cached answer.
	 */
	public static function forget(): void {
		delete_transient( self::TRANSIENT );
	}

	/**
	 * The account from the cache or the agent.
	 *
	 * @return array<mixed>|WP_Error The agent's answer, or why there is none.
	 */
	public static function fetch() {
		$cached = get_transient( self::TRANSIENT );
		if ( is_array( $cached ) && isset( $cached['account'] ) && is_array( $cached['account'] ) ) {
			return $cached['account'];
		}
		if ( is_array( $cached ) && isset( $cached['error'] ) ) {
			return new WP_Error( (string) $cached['error'], '' );
		}
		$client = LuxeBrain_Agent_Client::paired( self::TIMEOUT_SECONDS );
		if ( ! $client ) {
			return new WP_Error( 'not_paired', '' );
		}
		$answer = $client->request( 'GET', '/v1/account', array(), null, true );
		if ( is_wp_error( $answer ) ) {
			set_transient( self::TRANSIENT, array( 'error' => $answer->get_error_code() ), self::ERROR_CACHE_SECONDS );
			return $answer;
		}
		set_transient( self::TRANSIENT, array( 'account' => $answer ), self::CACHE_SECONDS );
		return $answer;
	}

	/**
	 * What to say instead of the numbers, by error code.
	 *
	 * @param string $code The error code (the agent's, or the client's).
	 */
	public static function empty_state( string $code ): string {
		switch ( $code ) {
			case 'not_paired':
				return __( 'Connect this shop to a LuxeBrain agent to see its usage and invoices.', 'luxebrain' );
			case 'agent_unavailable':
				return __( 'The LuxeBrain agent is unreachable, so usage and invoices cannot be shown right now.', 'luxebrain' );
			case 'no_licence':
				return __( 'No licence key is set on the agent. Usage and invoices appear once a licence is installed.', 'luxebrain' );
			default:
				return __( 'The LuxeBrain cloud cannot be reached right now. Usage and invoices will show when it answers.', 'luxebrain' );
		}
	}

	/**
	 * The section as HTML (escaped).
	 *
	 * @param array<mixed>|WP_Error $account The account, or why there is none.
	 */
	public static function html( $account ): string {
		$html = '<h2>' . esc_html__( 'Usage and invoices', 'luxebrain' ) . '</h2>';
		if ( is_wp_error( $account ) ) {
			return $html . '<div class="notice notice-info inline luxebrain-account-empty"><p>' . esc_html( self::empty_state( $account->get_error_code() ) ) . '</p></div>';
		}
		$plan = isset( $account['plan'] ) && is_array( $account['plan'] ) ? $account['plan'] : array();
		$html .= '<p class="luxebrain-account-plan">' . esc_html(
			sprintf(
				/* translators: 1: account (tenant) name, 2: plan name, 3: monthly fee with currency */
				__( '%1$s, plan %2$s (%3$s a month)', 'luxebrain' ),
				(string) ( $account['tenant'] ?? '' ),
				(string) ( $plan['plan'] ?? '—' ),
				self::money( (int) ( $plan['fee_cents'] ?? 0 ), (string) ( $plan['currency'] ?? '' ) )
			)
		) . '</p>';
		return $html . self::usage( self::rows( $account, 'usage' ) ) . self::invoices( self::rows( $account, 'invoices' ) );
	}

	/**
	 * Print the section (called from the LuxeBrain page).
	 */
	public static function render(): void {
		echo self::html( self::fetch() ); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in html().
	}

	/**
	 * A list of objects from the answer.
	 *
	 * @param array<mixed> $account The account.
	 * @param string       $key     usage or invoices.
	 * @return array<int,array<mixed>>
	 */
	private static function rows( array $account, string $key ): array {
		$rows = isset( $account[ $key ] ) && is_array( $account[ $key ] ) ? $account[ $key ] : array();
		return array_values( array_filter( $rows, 'is_array' ) );
	}

	/**
	 * Usage per month and store.
	 *
	 * @param array<int,array<mixed>> $rows Usage rows.
	 */
	private static function usage( array $rows ): string {
		if ( ! $rows ) {
			return '<p class="luxebrain-empty">' . esc_html__( 'No usage reported yet.', 'luxebrain' ) . '</p>';
		}
		$labels = array(
			__( 'Month', 'luxebrain' ),
			__( 'Store', 'luxebrain' ),
			__( 'Orders synced', 'luxebrain' ),
			__( 'Recommendations served', 'luxebrain' ),
			__( 'Widget impressions', 'luxebrain' ),
			__( 'Widget clicks', 'luxebrain' ),
		);
		$cells  = array();
		foreach ( $rows as $row ) {
			$line = array( (string) ( $row['period'] ?? '' ), (string) ( $row['store_url'] ?? '' ) );
			foreach ( self::METRICS as $metric ) {
				$line[] = number_format_i18n( (int) ( $row[ $metric ] ?? 0 ) );
			}
			$cells[] = $line;
		}
		return self::table( 'luxebrain-usage', $labels, $cells );
	}

	/**
	 * Invoices, newest first as the cloud lists them.
	 *
	 * @param array<int,array<mixed>> $rows Invoice rows.
	 */
	private static function invoices( array $rows ): string {
		if ( ! $rows ) {
			return '<p class="luxebrain-empty">' . esc_html__( 'No invoices yet.', 'luxebrain' ) . '</p>';
		}
		$labels = array( __( 'Invoice', 'luxebrain' ), __( 'Month', 'luxebrain' ), __( 'Status', 'luxebrain' ), __( 'Total', 'luxebrain' ) );
		$cells  = array();
		foreach ( $rows as $row ) {
			$cells[] = array(
				(string) ( $row['number'] ?? '' ),
				(string) ( $row['period'] ?? '' ),
				(string) ( $row['status'] ?? '' ),
				self::money( (int) ( $row['total_cents'] ?? 0 ), (string) ( $row['currency'] ?? '' ) ),
			);
		}
		return self::table( 'luxebrain-invoices', $labels, $cells );
	}

	/**
	 * Cents as "12.34 EUR".
	 *
	 * @param int    $cents    Amount in cents.
	 * @param string $currency ISO currency code.
	 */
	private static function money( int $cents, string $currency ): string {
		return trim( number_format_i18n( $cents / 100, 2 ) . ' ' . $currency );
	}

	/**
	 * An escaped table.
	 *
	 * @param string                 $class  CSS class.
	 * @param string[]               $labels Column headings.
	 * @param array<int,string[]>    $cells  Rows of cell texts.
	 */
	private static function table( string $class, array $labels, array $cells ): string {
		$html = '<table class="widefat striped ' . esc_attr( $class ) . '"><thead><tr>';
		foreach ( $labels as $label ) {
			$html .= '<th>' . esc_html( $label ) . '</th>';
		}
		$html .= '</tr></thead><tbody>';
		foreach ( $cells as $line ) {
			$html .= '<tr>';
			foreach ( $line as $cell ) {
				$html .= '<td>' . esc_html( $cell ) . '</td>';
			}
			$html .= '</tr>';
		}
		return $html . '</tbody></table>';
	}
}
