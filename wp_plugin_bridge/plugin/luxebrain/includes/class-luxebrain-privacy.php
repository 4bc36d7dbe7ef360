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
	 * Erase a customer (WooCommerce customer ids are WordPress user ids).
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
		$user   = get_user_by( 'email', (string) $email );
		$client = LuxeBrain_Agent_Client::paired();
		if ( ! $user || ! $client ) {
			return $result;
		}
		$answer = $client->request( 'POST', '/v1/customers/' . (int) $user->ID . '/erase', array(), array() );
		if ( is_wp_error( $answer ) ) {
			$result['items_retained'] = true;
			/* translators: %s: error message */
			$result['messages'][] = sprintf( __( 'The LuxeBrain agent could not erase this customer: %s', 'luxebrain' ), $answer->get_error_message() );
			return $result;
		}
		$result['items_removed'] = ! empty( $answer['erased'] );
		return $result;
	}

	/**
	 * Export what the agent holds about a customer.
	 *
	 * @param string $email Email address.
	 * @return array{data:array<int,array<string,mixed>>,done:bool}
	 */
	public static function export( $email ): array {
		$user   = get_user_by( 'email', (string) $email );
		$client = LuxeBrain_Agent_Client::paired();
		if ( ! $user || ! $client ) {
			return array(
				'data' => array(),
				'done' => true,
			);
		}
		$answer = $client->request( 'GET', '/v1/customers/' . (int) $user->ID . '/export' );
		if ( is_wp_error( $answer ) ) {
			return array(
				'data' => array(),
				'done' => true,
			);
		}
		$items = array(
			self::item( 'luxebrain-customer', __( 'LuxeBrain customer profile', 'luxebrain' ), 'customer', (array) ( $answer['customer'] ?? array() ) ),
		);
		foreach ( (array) ( $answer['orders'] ?? array() ) as $index => $order ) {
			$items[] = self::item( 'luxebrain-orders', __( 'LuxeBrain orders', 'luxebrain' ), 'order-' . $index, (array) $order );
		}
		return array(
			'data' => $items,
			'done' => true,
		);
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
