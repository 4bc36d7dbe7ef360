<?php
/**
 * WordPress's personal-data eraser and exporter, wired to the agent so a customer's data is
 * erased from (or exported out of) the agent's store and models too.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * Privacy hooks.
 */
class LuxeBrain_Privacy {

	/**
	 * Register the eraser and exporter.
	 */
	public static function register(): void {
		add_filter( 'wp_privacy_personal_data_erasers', array( __CLASS__, 'add_eraser' ) );
		add_filter( 'wp_privacy_personal_data_exporters', array( __CLASS__, 'add_exporter' ) );
	}

	/**
	 * Filter: add the eraser.
	 *
	 * @param array<string,array<string,mixed>> $erasers Erasers.
	 * @return array<string,array<string,mixed>>
	 */
	public static function add_eraser( $erasers ): array {
		$erasers['luxebrain'] = array(
			'eraser_friendly_name' => __( 'LuxeBrain agent', 'luxebrain' ),
			'callback'             => array( __CLASS__, 'erase' ),
		);
		return $erasers;
	}

	/**
	 * Filter: add the exporter.
	 *
	 * @param array<string,array<string,mixed>> $exporters Exporters.
	 * @return array<string,array<string,mixed>>
	 */
	public static function add_exporter( $exporters ): array {
		$exporters['luxebrain'] = array(
			'exporter_friendly_name' => __( 'LuxeBrain agent', 'luxebrain' ),
			'callback'               => array( __CLASS__, 'export' ),
		);
		return $exporters;
	}

	/**
	 * Erase what the agent holds about an email address: the registered customer with it
	 * (WooCommerce customer ids are WordPress user ids) and the guest checkouts billed to it,
	 * a registered customer's own from before they signed up included.
	 *
	 * @param string $email Email address.
	 * @return array{items_removed:bool,items_retained:bool,messages:string[],done:bool}
	 */
	public static function erase( $email ): array {
		$result = array(
			'items_removed'  => false,
			'items_retained' => false,
			'messages'       => array(),
			'done'           => true,
		);
		$client = LuxeBrain_Agent_Client::paired();
		if ( ! $client ) {
			return $result;
		}
		$email = (string) $email;
		$user  = get_user_by( 'email', $email );
		if ( $user ) {
			$answer = $client->request( 'POST', '/v1/customers/' . (int) $user->ID . '/erase', array(), array() );
			// the agent names the customer it was asked about either way: what it removed is in the counts
			self::note( $result, $answer, is_array( $answer ) && ( ! empty( $answer['orders'] ) || ! empty( $answer['events_redacted'] ) ) );
		}
		$answer = $client->request( 'POST', '/v1/guests/erase', array(), array( 'email' => $email ) );
		self::note( $result, $answer, is_array( $answer ) && ! empty( $answer['orders'] ) );
		return $result;
	}

	/**
	 * Fold one erase call's answer into the eraser's result.
	 *
	 * @param array<string,mixed> $result  The eraser's result (changed in place).
	 * @param array|WP_Error      $answer  The agent's answer.
	 * @param bool                $removed Whether the answer says something was removed.
	 */
	private static function note( array &$result, $answer, bool $removed ): void {
		if ( is_wp_error( $answer ) ) {
			$result['items_retained'] = true;
			/* translators: %s: error message */
			$result['messages'][] = sprintf( __( 'The LuxeBrain agent could not erase this customer: %s', 'luxebrain' ), $answer->get_error_message() );
			return;
		}
		$result['items_removed'] = $result['items_removed'] || $removed;
	}

	/**
	 * Export what the agent holds about an email address: the registered customer's profile
	 * and orders, and the orders of guest checkouts billed to it.
	 *
	 * @param string $email Email address.
	 * @return array{data:array<int,array<string,mixed>>,done:bool}
	 */
	public static function export( $email ): array {
		$client = LuxeBrain_Agent_Client::paired();
		$items  = array();
		if ( ! $client ) {
			return array(
				'data' => $items,
				'done' => true,
			);
		}
		$email = (string) $email;
		$user  = get_user_by( 'email', $email );
		if ( $user ) {
			$answer = $client->request( 'GET', '/v1/customers/' . (int) $user->ID . '/export' );
			if ( ! is_wp_error( $answer ) ) {
				$items[] = self::item( 'luxebrain-customer', __( 'LuxeBrain customer profile', 'luxebrain' ), 'customer', (array) ( $answer['customer'] ?? array() ) );
				self::add_orders( $items, $answer, 'order-' );
			}
		}
		$answer = $client->request( 'POST', '/v1/guests/export', array(), array( 'email' => $email ) );
		if ( ! is_wp_error( $answer ) ) {
			self::add_orders( $items, $answer, 'guest-order-' );
		}
		return array(
			'data' => $items,
			'done' => true,
		);
	}

	/**
	 * Add an export answer's orders to the export items.
	 *
	 * @param array<int,array<string,mixed>> $items  Export items (changed in place).
	 * @param array<string,mixed>            $answer The agent's answer, with ``orders``.
	 * @param string                         $prefix Item id prefix (registered or guest orders).
	 */
	private static function add_orders( array &$items, array $answer, string $prefix ): void {
		foreach ( (array) ( $answer['orders'] ?? array() ) as $index => $order ) {
			$items[] = self::item( 'luxebrain-orders', __( 'LuxeBrain orders', 'luxebrain' ), $prefix . $index, (array) $order );
		}
	}

	/**
	 * One export item in WordPress's format.
	 *
	 * @param string              $group_id    Group id.
	 * @param string              $group_label Group label.
	 * @param string              $item_id     Item id.
	 * @param array<string,mixed> $fields      Fields.
	 * @return array<string,mixed>
	 */
	private static function item( string $group_id, string $group_label, string $item_id, array $fields ): array {
		$data = array();
		foreach ( $fields as $name => $value ) {
			$data[] = array(
				'name'  => (string) $name,
				'value' => is_scalar( $value ) ? (string) $value : (string) wp_json_encode( $value ),
			);
		}
		return array(
			'group_id'    => $group_id,
			'group_label' => $group_label,
			'item_id'     => $item_id,
			'data'        => $data,
		);
	}
}
