"""The public REST proxy and the widgets when the agent is down or hanging: visitors' input is
validated and rate-limited, pages stay 200 and the proxy gives up at its configured timeout."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from agent_process import HangingServer
from harness import WordPressSite, free_port

TIMEOUT = 1.0  # the plugin's agent timeout in these tests
BOUND = 5 * TIMEOUT  # how long a request may take before the test fails
EVENT = {"id": "0b7c4f0e-9a3c-4c8e-8f1e-2d3c4b5a6978", "type": "view", "product_id": 5}


def _configure(site: WordPressSite, agent_url: str, *, render: str, rate_limit: int = 1000) -> None:
    site.php(
        f"""
        global $wpdb;
        $wpdb->query( "DELETE FROM {{$wpdb->options}}
            WHERE option_name LIKE '%\\\\_luxebrain\\\\_%'" );
        update_option( 'luxebrain_settings', array( 'render' => '{render}',
            'timeout' => {TIMEOUT}, 'rate_limit' => {rate_limit} ) );
        LuxeBrain_Connection::save( '{agent_url}', str_repeat( 'a', 64 ), 0, array() );
        return true;
        """
    )


@pytest.fixture(scope="module")
def product(site: WordPressSite) -> dict:
    return site.php(
        "$id = wp_insert_post( array( 'post_type' => 'product', 'post_status' => 'publish',"
        " 'post_title' => 'Blue mug' ) );"
        "return array( 'id' => $id, 'url' => get_permalink( $id ) );"
    )


@pytest.fixture
def hanging(site: WordPressSite) -> Iterator[HangingServer]:
    server = HangingServer()
    yield server
    server.close()


@pytest.mark.parametrize("render", ["server", "client"])
def test_product_page_stays_200_with_an_empty_widget_when_the_agent_hangs(
    site: WordPressSite, product: dict, hanging: HangingServer, render: str
) -> None:
    _configure(site, hanging.url, render=render)
    page = requests.get(product["url"], timeout=BOUND)
    assert page.status_code == 200
    assert '<h1 class="product_title">Blue mug</h1>' in page.text
    rendered = ' data-rendered="1"' if render == "server" else ""
    assert (
        f'<div class="luxebrain-widget" data-placement="product" data-product-id="{product["id"]}"'
        f' data-cart="" data-limit="4"{rendered}></div>'
    ) in page.text
    assert f"window.luxebrainView = {product['id']};" in page.text
    assert "/plugins/luxebrain/assets/js/widget.js" in page.text


def test_cart_and_order_received_pages_carry_their_products(
    site: WordPressSite, product: dict
) -> None:
    _configure(site, f"http://127.0.0.1:{free_port()}", render="client")
    cart = requests.get(
        f"{site.url}/?shim_page=cart", cookies={"shim_cart": f"{product['id']},3"}, timeout=BOUND
    )
    assert cart.status_code == 200
    assert f'data-placement="cart" data-product-id="" data-cart="{product["id"]},3"' in cart.text
    order = site.php(
        "$id = wp_insert_post( array( 'post_type' => 'shop_order', 'post_status' => 'publish',"
        " 'post_title' => 'Order' ) ); update_post_meta( $id, '_product_ids', '7,8' );"
        " return $id;"
    )
    thanks = requests.get(f"{site.url}/?shim_page=thankyou&order={order}", timeout=BOUND)
    assert thanks.status_code == 200
    assert 'data-placement="thankyou" data-product-id="" data-cart="7,8"' in thanks.text


def test_widget_route_answers_empty_when_the_agent_hangs_or_is_down(
    site: WordPressSite, product: dict, hanging: HangingServer
) -> None:
    for agent_url in (hanging.url, f"http://127.0.0.1:{free_port()}"):
        _configure(site, agent_url, render="client")
        for _ in range(2):  # the second call is answered from the back-off, without waiting
            answer = requests.get(
                f"{site.url}/wp-json/luxebrain/v1/widgets/product",
                params={"product_id": product["id"]},
                timeout=BOUND,
            )
            assert answer.status_code == 200
            assert answer.json() == {"placement": "product", "items": [], "html": ""}


def test_events_are_refused_with_503_when_the_agent_is_down(site: WordPressSite) -> None:
    _configure(site, f"http://127.0.0.1:{free_port()}", render="client")
    answer = requests.post(
        f"{site.url}/wp-json/luxebrain/v1/events",
        json={"session_id": "session-1", "events": [EVENT]},
        timeout=BOUND,
    )
    assert answer.status_code == 503
    assert answer.json()["code"] == "agent_unavailable"


@pytest.mark.parametrize(
    "query",
    [{"product_id": "abc"}, {"product_id": "0"}, {"cart": "1,x"}, {"limit": "99"}],
)
def test_widget_route_validates_visitor_input(site: WordPressSite, query: dict) -> None:
    _configure(site, f"http://127.0.0.1:{free_port()}", render="client")
    answer = requests.get(
        f"{site.url}/wp-json/luxebrain/v1/widgets/cart", params=query, timeout=BOUND
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "rest_invalid_param"


def test_unknown_placement_is_404(site: WordPressSite) -> None:
    answer = requests.get(f"{site.url}/wp-json/luxebrain/v1/widgets/footer", timeout=BOUND)
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"session_id": "session-1", "events": [{**EVENT, "type": "purchase"}]}, "events[0].type"),
        ({"session_id": "x", "events": [EVENT]}, "session_id"),
        ({"session_id": "session-1", "events": [{**EVENT, "product_id": "<b>"}]},
         "events[0].product_id"),
    ],
)
def test_events_route_validates_visitor_input(site: WordPressSite, body: dict, field: str) -> None:
    _configure(site, f"http://127.0.0.1:{free_port()}", render="client")
    answer = requests.post(f"{site.url}/wp-json/luxebrain/v1/events", json=body, timeout=BOUND)
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_event"
    assert answer.json()["data"]["field"] == field


def test_visitors_are_rate_limited(site: WordPressSite) -> None:
    _configure(site, f"http://127.0.0.1:{free_port()}", render="client", rate_limit=3)
    statuses = [
        requests.get(f"{site.url}/wp-json/luxebrain/v1/widgets/cart", timeout=BOUND).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_insights_page_says_when_the_agent_is_unreachable(
    site: WordPressSite, admin: requests.Session
) -> None:
    _configure(site, f"http://127.0.0.1:{free_port()}", render="client")
    page = admin.get(f"{site.url}/wp-admin/admin.php?page=luxebrain-insights", timeout=BOUND)
    assert page.status_code == 200
    assert "The LuxeBrain agent is unreachable, so there are no insights right now." in page.text
    status = admin.get(f"{site.url}/wp-admin/admin.php?page=luxebrain", timeout=BOUND).text
    assert "Paired, but the agent does not answer" in status
