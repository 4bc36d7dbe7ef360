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
		$items = isset( $payload['items'] ) && is_array( $payload['items'] ) ? $payload['items'] : array();
		if ( ! $items ) {
			return '';
		}
		$title     = '' !== $title ? $title : (string) ( $payload['title'] ?? '' );
		$placement = (string) ( $payload['placement'] ?? '' );
		$html      = '<section class="luxebrain-widget__inner" data-placement="' . esc_attr( $placement ) . '">';
		if ( '' !== $title ) {
			$html .= '<h2 class="luxebrain-widget__title">' . esc_html( $title ) . '</h2>';
		}
		$html .= '<ul class="luxebrain-widget__items">';
		foreach ( $items as $item ) {
			if ( is_array( $item ) && isset( $item['id'] ) ) {
				$html .= self::item( $item );
			}
		}
		return $html . '</ul></section>';
	}

	/**
	 * One product card.
	 *
	 * @param array<string,mixed> $item Agent item.
	 */
	private static function item( array $item ): string {
		$name  = (string) ( $item['name'] ?? '' );
		$price = isset( $item['price_html'] ) && '' !== $item['price_html']
			? wp_kses( (string) $item['price_html'], self::PRICE_TAGS )
			: esc_html( (string) ( $item['price'] ?? '' ) );
		$html  = '<li class="luxebrain-widget__item" data-product-id="' . esc_attr( (string) $item['id'] ) . '" data-source="' . esc_attr( (string) ( $item['source'] ?? '' ) ) . '"';
		if ( ! empty( $item['reason'] ) ) {
			$html .= ' title="' . esc_attr( (string) $item['reason'] ) . '"';
		}
		$html .= '><a class="luxebrain-widget__link" href="' . esc_url( (string) ( $item['permalink'] ?? '' ) ) . '">';
		if ( ! empty( $item['image'] ) ) {
			$html .= '<img class="luxebrain-widget__image" src="' . esc_url( (string) $item['image'] ) . '" alt="' . esc_attr( $name ) . '" loading="lazy">';
		}
		$html .= '<span class="luxebrain-widget__name">' . esc_html( $name ) . '</span>';
		$html .= '<span class="luxebrain-widget__price">' . $price . '</span>';
		return $html . '</a></li>';
	}
}
