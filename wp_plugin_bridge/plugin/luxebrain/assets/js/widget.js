/**
 * LuxeBrain widgets in the browser: fills each .luxebrain-widget from the plugin's REST route
 * (so full-page caches keep serving the same HTML to everyone) and reports views, impressions and
 * clicks. Failures leave the container empty: the page never breaks.
 */
( function () {
	'use strict';

	var config = window.luxebrainConfig || {};
	var TIMEOUT_MS = 4000;

	function uuid() {
		if ( window.crypto && window.crypto.randomUUID ) {
			return window.crypto.randomUUID();
		}
		var bytes = new Uint8Array( 16 );
		window.crypto.getRandomValues( bytes );
		bytes[ 6 ] = ( bytes[ 6 ] & 0x0f ) | 0x40;
		bytes[ 8 ] = ( bytes[ 8 ] & 0x3f ) | 0x80;
		var hex = Array.prototype.map.call( bytes, function ( b ) {
			return ( '0' + b.toString( 16 ) ).slice( -2 );
		} ).join( '' );
		return hex.slice( 0, 8 ) + '-' + hex.slice( 8, 12 ) + '-' + hex.slice( 12, 16 ) + '-' + hex.slice( 16, 20 ) + '-' + hex.slice( 20 );
	}

	/** A per-browser session id, also in a cookie so server-side add-to-cart events carry it. */
	function sessionId() {
		var name = config.sessionCookie || 'luxebrain_sid';
		var match = document.cookie.match( new RegExp( '(?:^|; )' + name + '=([A-Za-z0-9-]{8,64})' ) );
		var id = match ? match[ 1 ] : uuid();
		document.cookie = name + '=' + id + '; path=/; max-age=2592000; SameSite=Lax';
		return id;
	}

	/** Works with pretty permalinks (/wp-json/…) and plain ones (?rest_route=/…). */
	function restUrl( route, params ) {
		var url = new URL( config.restUrl, window.location.href );
		if ( url.searchParams.has( 'rest_route' ) ) {
			url.searchParams.set( 'rest_route', url.searchParams.get( 'rest_route' ) + route );
		} else {
			url.pathname += route;
		}
		Object.keys( params || {} ).forEach( function ( key ) {
			if ( params[ key ] ) {
				url.searchParams.set( key, params[ key ] );
			}
		} );
		return url.toString();
	}

	function headers( json ) {
		var h = { Accept: 'application/json' };
		if ( json ) {
			h[ 'Content-Type' ] = 'application/json';
		}
		if ( config.nonce ) {
			h[ 'X-WP-Nonce' ] = config.nonce;
		}
		return h;
	}

	function send( events ) {
		window.fetch( restUrl( 'events' ), {
			method: 'POST',
			credentials: 'same-origin',
			keepalive: true,
			headers: headers( true ),
			body: JSON.stringify( { session_id: sessionId(), events: events } ),
		} ).catch( function () {} );
	}

	function track( container ) {
		var items = container.querySelectorAll( '.luxebrain-widget__item' );
		if ( ! items.length ) {
			return;
		}
		var placement = container.getAttribute( 'data-placement' );
		var ids = Array.prototype.map.call( items, function ( item ) {
			return item.getAttribute( 'data-product-id' );
		} );
		var anchor = container.getAttribute( 'data-product-id' ) || ids[ 0 ];
		send( [ { id: uuid(), type: 'rec_impression', product_id: anchor, placement: placement, recommended_ids: ids } ] );
		Array.prototype.forEach.call( items, function ( item ) {
			var link = item.querySelector( 'a' );
			if ( ! link ) {
				return;
			}
			link.addEventListener( 'click', function () {
				var event = { id: uuid(), type: 'rec_click', product_id: item.getAttribute( 'data-product-id' ), placement: placement, recommended_ids: ids };
				var source = item.getAttribute( 'data-source' );
				if ( source ) {
					event.source = source;
				}
				send( [ event ] );
			} );
		} );
	}

	function fill( container ) {
		if ( container.getAttribute( 'data-rendered' ) === '1' ) {
			track( container );
			return;
		}
		var controller = window.AbortController ? new AbortController() : null;
		var timer = controller ? window.setTimeout( function () {
			controller.abort();
		}, TIMEOUT_MS ) : null;
		var url = restUrl( 'widgets/' + container.getAttribute( 'data-placement' ), {
			product_id: container.getAttribute( 'data-product-id' ),
			cart: container.getAttribute( 'data-cart' ),
			limit: container.getAttribute( 'data-limit' ),
		} );
		window.fetch( url, { credentials: 'same-origin', headers: headers( false ), signal: controller ? controller.signal : undefined } )
			.then( function ( response ) {
				return response.ok ? response.json() : { html: '' };
			} )
			.then( function ( payload ) {
				// The HTML was escaped by the plugin's renderer on the server.
				container.innerHTML = payload.html || '';
				container.setAttribute( 'data-rendered', '1' );
				track( container );
			} )
			.catch( function () {} )
			.then( function () {
				if ( timer ) {
					window.clearTimeout( timer );
				}
			} );
	}

	function start() {
		if ( ! config.restUrl ) {
			return;
		}
		if ( window.luxebrainView ) {
			send( [ { id: uuid(), type: 'view', product_id: String( window.luxebrainView ) } ] );
		}
		Array.prototype.forEach.call( document.querySelectorAll( '.luxebrain-widget' ), fill );
	}

	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', start );
	} else {
		start();
	}
}() );
