/**
 * Editor side of the luxebrain/recommendations block. The block is dynamic: WordPress renders it
 * on the server with the same code as the shortcode, so the editor only edits the attributes.
 */
( function ( blocks, element, blockEditor, components, i18n ) {
	'use strict';

	var el = element.createElement;
	var __ = i18n.__;

	blocks.registerBlockType( 'luxebrain/recommendations', {
		edit: function ( props ) {
			var attrs = props.attributes;
			return el(
				'div',
				blockEditor.useBlockProps(),
				el(
					blockEditor.InspectorControls,
					null,
					el(
						components.PanelBody,
						{ title: __( 'Recommendations', 'luxebrain' ) },
						el( components.SelectControl, {
							label: __( 'Placement', 'luxebrain' ),
							value: attrs.placement,
							options: [
								{ label: __( 'Shortcode and block', 'luxebrain' ), value: 'shortcode' },
								{ label: __( 'Product page', 'luxebrain' ), value: 'product' },
								{ label: __( 'Cart', 'luxebrain' ), value: 'cart' },
								{ label: __( 'Order received', 'luxebrain' ), value: 'thankyou' },
							],
							onChange: function ( value ) {
								props.setAttributes( { placement: value } );
							},
						} ),
						el( components.TextControl, {
							label: __( 'Product id (optional)', 'luxebrain' ),
							type: 'number',
							value: attrs.product || '',
							onChange: function ( value ) {
								props.setAttributes( { product: parseInt( value, 10 ) || 0 } );
							},
						} ),
						el( components.RangeControl, {
							label: __( 'Items (0 = the placement setting)', 'luxebrain' ),
							min: 0,
							max: 20,
							value: attrs.limit,
							onChange: function ( value ) {
								props.setAttributes( { limit: value || 0 } );
							},
						} )
					)
				),
				el( components.Placeholder, { icon: 'lightbulb', label: __( 'LuxeBrain recommendations', 'luxebrain' ), instructions: __( 'Shown to shoppers from your LuxeBrain agent.', 'luxebrain' ) } )
			);
		},
		save: function () {
			return null;
		},
	} );
}( window.wp.blocks, window.wp.element, window.wp.blockEditor, window.wp.components, window.wp.i18n ) );
