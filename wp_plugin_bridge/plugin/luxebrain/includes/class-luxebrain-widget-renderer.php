<?php
/**
 * Turns an agent widget payload into escaped HTML. The one renderer: server-side rendering prints
 * it, and the REST route returns it to the client-side script, so both look the same.
 *
 * @package LuxeBrain
 */

defined( 'ABSPATH' ) || exit;

/**
 * HTML for a widget payload.
 */
class LuxeBrain_Widget_Renderer {

	/** Markup WooCommerce uses in price_html; everything else is stripped. */
	const PRICE_TAGS = array(
		'span' => array( 'class' => true ),
		'bdi'  => array(),
		'del'  => array( 'aria-hidden' => true ),
		'ins'  => array(),
		'small' => array( 'class' => true ),
	);

	/**
	 * Render a payload; an empty string when there is nothing to show (the empty state).
	 *
	 * @param array<string,mixed> $payload Agent payload (placement, title, items).
	 * @param string              $title   Title override from the settings; the agent's when empty.
	 */
	public static function render( array $payload, string $title = '' ): string {
		$items = isset( $payload['items'] ) && is_array( $payload['items'] ) ? array_filter( $payload['items'], array( __CLASS__, 'is_item' ) ) : array();
		if ( ! $items ) {
			return '';
		}
		$title     = '' !== $title ? $title : LuxeBrain_Agent_Client::text( $payload['title'] ?? '' );
		$placement = LuxeBrain_Agent_Client::text( $payload['placement'] ?? '' );
		$html      = '<section class="luxebrain-widget__inner" data-placement="' . esc_attr( $placement ) . '">';
		if ( '' !== $title ) {
			$html .= '<h2 class="luxebrain-widget__title">' . esc_html( $title ) . '</h2>';
		}
		$html .= '<ul class="luxebrain-widget__items">';
		foreach ( $items as $item ) {
			$html .= self::item( $item );
		}
		return $html . '</ul></section>';
	}

	/**
	 * Whether an agent item can be shown: an array with a scalar, non-empty id. Anything else
	 * (a bad answer, another agent version) is skipped rather than shown as "Array".
	 *
	 * @param mixed $item Agent item.
	 */
	public static function is_item( $item ): bool {
		return is_array( $item ) && isset( $item['id'] ) && is_scalar( $item['id'] ) && '' !== (string) $item['id'];
	}

	/**
	 * One product card.
	 *
	 * @param array<string,mixed> $item Agent item (see is_item()).
	 */
	private static function item( array $item ): string {
		$id         = LuxeBrain_Agent_Client::text( $item['id'] );
		$source     = LuxeBrain_Agent_Client::text( $item['source'] ?? '' );
		$name       = LuxeBrain_Agent_Client::text( $item['name'] ?? '' );
		$reason     = LuxeBrain_Agent_Client::text( $item['reason'] ?? '' );
		$image      = LuxeBrain_Agent_Client::text( $item['image'] ?? '' );
		$permalink  = LuxeBrain_Agent_Client::text( $item['permalink'] ?? '' );
		$price_html = LuxeBrain_Agent_Client::text( $item['price_html'] ?? '' );
		$price      = '' !== $price_html ? wp_kses( $price_html, self::PRICE_TAGS ) : esc_html( LuxeBrain_Agent_Client::text( $item['price'] ?? '' ) );

		$html = '<li class="luxebrain-widget__item" data-product-id="' . esc_attr( $id ) . '" data-source="' . esc_attr( $source ) . '"';
		if ( '' !== $reason ) {
			$html .= ' title="' . esc_attr( $reason ) . '"';
		}
		$html .= '><a class="luxebrain-widget__link" href="' . esc_url( $permalink ) . '">';
		if ( '' !== $image ) {
			$html .= '<img class="luxebrain-widget__image" src="' . esc_url( $image ) . '" alt="' . esc_attr( $name ) . '" loading="lazy">';
		}
		$html .= '<span class="luxebrain-widget__name">' . esc_html( $name ) . '</span>';
		$html .= '<span class="luxebrain-widget__price">' . $price . '</span>';
		return $html . '</a></li>';
	}
}
