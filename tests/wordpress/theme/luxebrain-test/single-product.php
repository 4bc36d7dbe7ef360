<?php
/* The hooks of WooCommerce's content-single-product.php template, in its order. */
get_header();
while ( have_posts() ) {
	the_post();
	echo '<div class="product" id="product-' . (int) get_the_ID() . '">';
	do_action( 'woocommerce_before_single_product_summary' );
	echo '<div class="summary"><h1 class="product_title">' . esc_html( get_the_title() ) . '</h1>';
	do_action( 'woocommerce_single_product_summary' );
	echo '</div>';
	do_action( 'woocommerce_after_single_product_summary' );
	echo '</div>';
}
get_footer();
