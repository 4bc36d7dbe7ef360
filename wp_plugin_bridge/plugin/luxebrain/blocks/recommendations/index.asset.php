<?php
/**
 * Script dependencies of the block editor script (no build step: plain wp.* globals).
 *
 * @package LuxeBrain
 */

return array(
	'dependencies' => array( 'wp-blocks', 'wp-element', 'wp-block-editor', 'wp-components', 'wp-i18n' ),
	'version'      => '0.1.0',
);
