<?php
/**
 * WooCommerce > LuxeBrain: status, Connect / Disconnect, the agent commands, and settings
 * (Settings API). Everything requires manage_woocommerce; actions carry nonces.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * The settings page and its actions.
 */
class LuxeBrain_Admin {

	const PAGE = 'luxebrain';

	const CAPABILITY = LuxeBrain_WooCommerce::CAPABILITY;

	/** Holds a fresh pairing code for one display, per user. */
	const CODE_TRANSIENT = 'luxebrain_code_';

	/**
	 * Hook the page, the settings and the actions.
	 */
	public static function register(): void {
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		add_action( 'admin_init', array( __CLASS__, 'settings' ) );
		add_action( 'admin_post_luxebrain_connect', array( __CLASS__, 'connect' ) );
		add_action( 'admin_post_luxebrain_disconnect', array( __CLASS__, 'disconnect' ) );
		add_filter( 'option_page_capability_' . self::PAGE, array( __CLASS__, 'capability' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( LUXEBRAIN_FILE ), array( __CLASS__, 'action_links' ) );
	}

	/**
	 * Shop managers may change the settings, not only administrators.
	 */
	public static function capability(): string {
		return self::CAPABILITY;
	}

	/**
	 * The Settings link on the Plugins screen.
	 *
	 * @param string[] $links Links.
	 * @return string[]
	 */
	public static function action_links( $links ): array {
		array_unshift( $links, '<a href="' . esc_url( self::page_url() ) . '">' . esc_html__( 'Settings', 'luxebrain' ) . '</a>' );
		return $links;
	}

	/**
	 * URL of the page.
	 *
	 * @param array<string,string> $args Extra query arguments.
	 */
	public static function page_url( array $args = array() ): string {
		return add_query_arg( array_merge( array( 'page' => self::PAGE ), $args ), admin_url( 'admin.php' ) );
	}

	/**
	 * Submenu under WooCommerce.
	 */
	public static function menu(): void {
		add_submenu_page( LuxeBrain_WooCommerce::MENU_PARENT, __( 'LuxeBrain', 'luxebrain' ), __( 'LuxeBrain', 'luxebrain' ), self::CAPABILITY, self::PAGE, array( __CLASS__, 'render' ) );
	}

	/**
	 * Register the option, sections and fields.
	 */
	public static function settings(): void {
		register_setting(
			self::PAGE,
			LuxeBrain_Settings::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( 'LuxeBrain_Settings', 'sanitize' ),
				'default'           => LuxeBrain_Settings::defaults(),
			)
		);
		add_settings_section( 'luxebrain_general', __( 'General', 'luxebrain' ), '__return_false', self::PAGE );
		add_settings_field( 'luxebrain_licence_key', __( 'Licence key', 'luxebrain' ), array( __CLASS__, 'field_licence' ), self::PAGE, 'luxebrain_general', array( 'label_for' => 'luxebrain_licence_key' ) );
		add_settings_field( 'luxebrain_render', __( 'Widget rendering', 'luxebrain' ), array( __CLASS__, 'field_render' ), self::PAGE, 'luxebrain_general', array( 'label_for' => 'luxebrain_render' ) );
		add_settings_field( 'luxebrain_timeout', __( 'Agent timeout (seconds)', 'luxebrain' ), array( __CLASS__, 'field_timeout' ), self::PAGE, 'luxebrain_general', array( 'label_for' => 'luxebrain_timeout' ) );
		add_settings_field( 'luxebrain_rate_limit', __( 'Visitor requests per minute', 'luxebrain' ), array( __CLASS__, 'field_rate_limit' ), self::PAGE, 'luxebrain_general', array( 'label_for' => 'luxebrain_rate_limit' ) );
		add_settings_section( 'luxebrain_widgets', __( 'Widgets', 'luxebrain' ), '__return_false', self::PAGE );
		foreach ( self::placement_labels() as $placement => $label ) {
			add_settings_field( 'luxebrain_widget_' . $placement, $label, array( __CLASS__, 'field_widget' ), self::PAGE, 'luxebrain_widgets', array( 'placement' => $placement ) );
		}
	}

	/**
	 * Translated placement names.
	 *
	 * @return array<string,string>
	 */
	private static function placement_labels(): array {
		return array(
			'product'   => __( 'Product page', 'luxebrain' ),
			'cart'      => __( 'Cart', 'luxebrain' ),
			'thankyou'  => __( 'Order received', 'luxebrain' ),
			'shortcode' => __( 'Shortcode and block', 'luxebrain' ),
		);
	}

	/**
	 * Licence key field.
	 */
	public static function field_licence(): void {
		// the saved key is never printed (a password field hides it on screen, not in the page's
		// source): the field is empty, and left empty it keeps the saved key.
		$saved = '' !== (string) LuxeBrain_Settings::get( 'licence_key' );
		printf(
			'<input type="password" autocomplete="off" class="regular-text" id="luxebrain_licence_key" name="%s[licence_key]" value="" placeholder="%s">',
			esc_attr( LuxeBrain_Settings::OPTION ),
			esc_attr( $saved ? __( 'A key is saved: leave empty to keep it', 'luxebrain' ) : '' )
		);
		if ( $saved ) {
			printf(
				' <label><input type="checkbox" name="%s[licence_key_remove]" value="1"> %s</label>',
				esc_attr( LuxeBrain_Settings::OPTION ),
				esc_html__( 'Remove the saved key', 'luxebrain' )
			);
		}
	}

	/**
	 * Rendering mode field.
	 */
	public static function field_render(): void {
		$current = LuxeBrain_Settings::get( 'render' );
		printf( '<select id="luxebrain_render" name="%s[render]">', esc_attr( LuxeBrain_Settings::OPTION ) );
		printf( '<option value="client" %s>%s</option>', selected( $current, 'client', false ), esc_html__( 'In the browser (works with full-page caches)', 'luxebrain' ) );
		printf( '<option value="server" %s>%s</option>', selected( $current, 'server', false ), esc_html__( 'On the server', 'luxebrain' ) );
		echo '</select>';
	}

	/**
	 * Timeout field.
	 */
	public static function field_timeout(): void {
		printf(
			'<input type="number" step="0.1" min="%s" max="%s" id="luxebrain_timeout" name="%s[timeout]" value="%s">',
			esc_attr( (string) LuxeBrain_Agent_Client::MIN_TIMEOUT ),
			esc_attr( (string) LuxeBrain_Agent_Client::MAX_TIMEOUT ),
			esc_attr( LuxeBrain_Settings::OPTION ),
			esc_attr( (string) LuxeBrain_Settings::get( 'timeout' ) )
		);
	}

	/**
	 * Rate limit field.
	 */
	public static function field_rate_limit(): void {
		printf(
			'<input type="number" min="1" id="luxebrain_rate_limit" name="%s[rate_limit]" value="%d">',
			esc_attr( LuxeBrain_Settings::OPTION ),
			(int) LuxeBrain_Settings::get( 'rate_limit' )
		);
	}

	/**
	 * One placement's on/off, title and count.
	 *
	 * @param array{placement:string} $args Field arguments.
	 */
	public static function field_widget( array $args ): void {
		$placement = $args['placement'];
		$widget    = LuxeBrain_Settings::widget( $placement );
		$name      = LuxeBrain_Settings::OPTION . '[widgets][' . $placement . ']';
		printf(
			'<label><input type="checkbox" name="%1$s[enabled]" value="1" %2$s> %3$s</label> ',
			esc_attr( $name ),
			checked( $widget['enabled'], true, false ),
			esc_html__( 'Show', 'luxebrain' )
		);
		printf(
			'<label>%1$s <input type="text" name="%2$s[title]" value="%3$s" placeholder="%4$s"></label> ',
			esc_html__( 'Title', 'luxebrain' ),
			esc_attr( $name ),
			esc_attr( $widget['title'] ),
			esc_attr__( "Agent's default", 'luxebrain' )
		);
		printf(
			'<label>%1$s <input type="number" min="1" max="%2$d" name="%3$s[limit]" value="%4$d"></label>',
			esc_html__( 'Items', 'luxebrain' ),
			(int) LuxeBrain_Settings::MAX_LIMIT,
			esc_attr( $name ),
			(int) $widget['limit']
		);
	}

	/**
	 * admin-post: Connect (new one-time pairing code).
	 */
	public static function connect(): void {
		self::guard( 'luxebrain_connect' );
		$code = LuxeBrain_Pairing::start( get_current_user_id() );
		set_transient( self::CODE_TRANSIENT . get_current_user_id(), $code, 5 * MINUTE_IN_SECONDS );
		wp_safe_redirect( self::page_url( array( 'luxebrain_notice' => 'code' ) ) );
		exit;
	}

	/**
	 * admin-post: Disconnect.
	 */
	public static function disconnect(): void {
		self::guard( 'luxebrain_disconnect' );
		$result = LuxeBrain_Pairing::disconnect();
		$notice = 'disconnected';
		if ( is_wp_error( $result ) ) {
			$notice = 'not_paired' === $result->get_error_code() ? 'not_paired' : 'disconnected_agent_error';
		}
		wp_safe_redirect( self::page_url( array( 'luxebrain_notice' => $notice ) ) );
		exit;
	}

	/**
	 * Capability and nonce check for an action; dies with 403 otherwise.
	 *
	 * @param string $action Nonce action.
	 */
	private static function guard( string $action ): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'You are not allowed to manage LuxeBrain.', 'luxebrain' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( $action );
	}

	/**
	 * The page.
	 */
	public static function render(): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			return;
		}
		$code = get_transient( self::CODE_TRANSIENT . get_current_user_id() );
		if ( $code ) {
			delete_transient( self::CODE_TRANSIENT . get_current_user_id() );
		}
		echo '<div class="wrap"><h1>' . esc_html__( 'LuxeBrain', 'luxebrain' ) . '</h1>';
		// Pages outside Settings must print the Settings API's messages themselves.
		settings_errors();
		self::notice();
		self::status();
		LuxeBrain_Account::render();
		self::connect_box( is_string( $code ) ? $code : '' );
		echo '<form method="post" action="options.php">';
		settings_fields( self::PAGE );
		do_settings_sections( self::PAGE );
		submit_button();
		echo '</form></div>';
	}

	/**
	 * Result of the last action.
	 */
	private static function notice(): void {
		$notices = array(
			'code'                     => array( 'info', __( 'Run the pair command below on the agent\'s machine within 15 minutes. The code works once.', 'luxebrain' ) ),
			'disconnected'             => array( 'success', __( 'Disconnected: the agent was told, and its keys, webhooks and secrets were removed.', 'luxebrain' ) ),
			'disconnected_agent_error' => array( 'warning', __( 'Disconnected here (keys, webhooks and secrets removed), but the agent could not be told. Run "luxebrain-agent pair" again when you reconnect.', 'luxebrain' ) ),
			'not_paired'               => array( 'info', __( 'This shop was not connected.', 'luxebrain' ) ),
		);
		$key = isset( $_GET['luxebrain_notice'] ) ? sanitize_key( wp_unslash( $_GET['luxebrain_notice'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- display only.
		if ( isset( $notices[ $key ] ) ) {
			printf( '<div class="notice notice-%s"><p>%s</p></div>', esc_attr( $notices[ $key ][0] ), esc_html( $notices[ $key ][1] ) );
		}
	}

	/**
	 * Agent URL and status (connected, last sync, models ready, licence).
	 */
	private static function status(): void {
		$client = LuxeBrain_Agent_Client::paired();
		$status = $client ? $client->request( 'GET', '/v1/status' ) : null;
		$rows   = array(
			__( 'Agent URL', 'luxebrain' ) => $client ? LuxeBrain_Connection::agent_url() : __( 'not connected', 'luxebrain' ),
		);
		if ( ! $client ) {
			$rows[ __( 'Status', 'luxebrain' ) ] = __( 'Not connected', 'luxebrain' );
		} elseif ( is_wp_error( $status ) ) {
			/* translators: %s: error message */
			$rows[ __( 'Status', 'luxebrain' ) ] = sprintf( __( 'Paired, but the agent does not answer: %s', 'luxebrain' ), $status->get_error_message() );
		} else {
			$rows[ __( 'Status', 'luxebrain' ) ]       = __( 'Connected', 'luxebrain' );
			$rows[ __( 'Last sync', 'luxebrain' ) ]    = LuxeBrain_Insights::text( $status['last_sync'] ?? null );
			$rows[ __( 'Models ready', 'luxebrain' ) ] = LuxeBrain_Insights::text( $status['models_ready'] ?? null );
			$rows[ __( 'Licence', 'luxebrain' ) ]      = self::licence( $status['licence'] ?? null );
			$problems                                  = self::problems( $status );
			if ( $problems ) {
				$rows[ __( 'Problems', 'luxebrain' ) ] = implode( ' ', $problems );
			}
		}
		echo '<table class="widefat striped luxebrain-status"><tbody>';
		foreach ( $rows as $label => $value ) {
			printf( '<tr><th scope="row">%s</th><td>%s</td></tr>', esc_html( $label ), esc_html( $value ) );
		}
		echo '</tbody></table>';
	}

	/**
	 * What the agent reports going wrong, one sentence each: a sync that failed (per resource,
	 * until one succeeds) and models it cannot save (a full disk), which go on in memory.
	 *
	 * @param array $status The agent's /v1/status answer.
	 * @return string[]
	 */
	public static function problems( array $status ): array {
		$problems = array();
		$snapshot = $status['snapshot_error'] ?? null;
		if ( self::has_message( $snapshot ) ) {
			/* translators: 1: since when (UTC), 2: the agent's error message */
			$problems[] = sprintf( __( 'The models cannot be saved since %1$s (%2$s); they keep learning in memory.', 'luxebrain' ), LuxeBrain_Agent_Client::text( $snapshot['since'] ?? '' ), LuxeBrain_Agent_Client::text( $snapshot['message'] ) );
		}
		$errors = $status['errors'] ?? array();
		foreach ( is_array( $errors ) ? $errors : array() as $resource => $error ) {
			if ( self::has_message( $error ) ) {
				/* translators: 1: what was synced, such as orders, 2: the agent's error message */
				$problems[] = sprintf( __( 'Syncing %1$s failed: %2$s', 'luxebrain' ), (string) $resource, LuxeBrain_Agent_Client::text( $error['message'] ) );
			}
		}
		return $problems;
	}

	/**
	 * Whether a problem the agent reports has a message to show: an object with a scalar
	 * message (anything else is skipped, not shown as "Array").
	 *
	 * @param mixed $problem One entry of the agent's status.
	 */
	private static function has_message( $problem ): bool {
		return is_array( $problem ) && isset( $problem['message'] ) && is_scalar( $problem['message'] );
	}

	/**
	 * The licence in one line: its status and the features it unlocks.
	 *
	 * @param mixed $licence The agent's licence summary.
	 */
	private static function licence( $licence ): string {
		if ( ! is_array( $licence ) || ! isset( $licence['status'] ) || ! is_scalar( $licence['status'] ) ) {
			return LuxeBrain_Insights::text( $licence );
		}
		// feature names only: anything else in the list would print as "Array".
		$features = isset( $licence['features'] ) && is_array( $licence['features'] ) ? implode( ', ', array_filter( $licence['features'], 'is_scalar' ) ) : '';
		/* translators: 1: licence status such as active or free, 2: comma-separated feature names */
		return '' === $features ? (string) $licence['status'] : sprintf( __( '%1$s (features: %2$s)', 'luxebrain' ), $licence['status'], $features );
	}

	/**
	 * Connect / Disconnect buttons and the agent commands. Secrets are never shown: only the
	 * one-time code, right after Connect.
	 *
	 * @param string $code Fresh pairing code, or empty.
	 */
	private static function connect_box( string $code ): void {
		$site = untrailingslashit( home_url() );
		echo '<h2>' . esc_html__( 'Connection', 'luxebrain' ) . '</h2>';
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" style="display:inline">';
		wp_nonce_field( 'luxebrain_connect' );
		echo '<input type="hidden" name="action" value="luxebrain_connect">';
		submit_button( LuxeBrain_Connection::is_paired() ? __( 'Connect again', 'luxebrain' ) : __( 'Connect', 'luxebrain' ), 'primary', 'luxebrain-connect', false );
		echo '</form> ';
		if ( LuxeBrain_Connection::is_paired() ) {
			echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" style="display:inline">';
			wp_nonce_field( 'luxebrain_disconnect' );
			echo '<input type="hidden" name="action" value="luxebrain_disconnect">';
			submit_button( __( 'Disconnect', 'luxebrain' ), 'secondary', 'luxebrain-disconnect', false );
			echo '</form>';
		}
		if ( '' === $code ) {
			echo '<p>' . esc_html__( 'Click Connect to get the one-line command that installs the agent, pairs it with this shop and starts it.', 'luxebrain' ) . '</p>';
			return;
		}
		$command = sprintf(
			'pip install luxebrain && luxebrain-agent pair --config %1$s --site %2$s --code %3$s && luxebrain-agent run --config %1$s',
			'agent.toml',
			escapeshellarg( $site ),
			$code
		);
		echo '<p>' . esc_html__( 'Run this on a machine that can reach this shop. The code works once and expires in 15 minutes:', 'luxebrain' ) . '</p>';
		echo '<p><code class="luxebrain-pair-command">' . esc_html( $command ) . '</code></p>';
	}
}
