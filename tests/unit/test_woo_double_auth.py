"""OAuth 1.0a and Basic auth of the local WooCommerce, as the recorded store behaves."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from woocommerce import API
from woocommerce.oauth import OAuth

from connector_agent.demo.woo_double import WooDouble

REFUSED = "woocommerce_rest_authentication_error"


@pytest.fixture(scope="module")
def double() -> Iterator[WooDouble]:
    with WooDouble.demo(limit_orders=15) as store:
        store.start()
        yield store


def _signed(
    double: WooDouble,
    path: str = "orders?per_page=1",
    *,
    key: str = "ck_demo",
    secret: str = "cs_demo",
    timestamp: int | None = None,
) -> str:
    url = f"{double.url}/wp-json/wc/v3/{path}"
    stamp = int(double.clock.time()) if timestamp is None else timestamp
    return OAuth(
        url, key, secret, version="wc/v3", method="GET", oauth_timestamp=stamp
    ).get_oauth_url()


def _refusal(response: requests.Response) -> str:
    assert response.status_code == 401
    assert "WWW-Authenticate" not in response.headers
    body = response.json()
    assert body["code"] == REFUSED and body["data"] == {"status": 401}
    return str(body["message"])


def test_the_woocommerce_client_is_accepted(double: WooDouble) -> None:
    api = API(
        url=double.url,
        consumer_key="ck_demo",
        consumer_secret="cs_demo",
        version="wc/v3",
        timeout=10,
    )
    response = api.get("orders", params={"per_page": 2, "_fields": "id,status"})
    assert response.status_code == 200
    assert len(response.json()) == 2
    assert response.headers["X-WP-Total"] == "15"


def test_a_replaced_signature_is_refused(double: WooDouble) -> None:
    parts = urlsplit(_signed(double))
    query = [
        (k, base64.b64encode(b"x" * 32).decode() if k == "oauth_signature" else v)
        for k, v in parse_qsl(parts.query)
    ]
    forged = urlunsplit(parts._replace(query=urlencode(query)))
    message = _refusal(requests.get(forged, timeout=10))
    assert message == "Invalid signature - provided signature does not match."


def test_the_wrong_secret_reads_as_a_bad_signature(double: WooDouble) -> None:
    message = _refusal(requests.get(_signed(double, secret="cs_wrong"), timeout=10))
    assert message == "Invalid signature - provided signature does not match."


def test_an_unknown_key_is_refused_first(double: WooDouble) -> None:
    message = _refusal(requests.get(_signed(double, key="ck_x", secret="cs_x"), timeout=10))
    assert message == "Consumer key is invalid."


def test_a_timestamp_outside_15_minutes_is_refused(double: WooDouble) -> None:
    old = int(double.clock.time()) - 16 * 60
    assert (
        _refusal(requests.get(_signed(double, timestamp=old), timeout=10)) == "Invalid timestamp."
    )
    recent = int(double.clock.time()) - 14 * 60
    assert requests.get(_signed(double, timestamp=recent), timeout=10).status_code == 200


def test_a_reused_nonce_is_refused_even_for_the_same_url(double: WooDouble) -> None:
    url = _signed(double)
    assert requests.get(url, timeout=10).status_code == 200
    assert _refusal(requests.get(url, timeout=10)) == "Invalid nonce - nonce has already been used."


def test_a_partial_set_of_oauth_params_names_the_missing_ones(double: WooDouble) -> None:
    url = f"{double.url}/wp-json/wc/v3/orders?oauth_consumer_key=ck_demo&oauth_nonce=abc"
    response = requests.get(url, timeout=10)
    assert response.status_code == 401
    assert response.json()["message"] == (
        "Missing OAuth parameter oauth_timestamp, oauth_signature, oauth_signature_method"
    )


def test_basic_auth_over_http_is_just_not_logged_in(double: WooDouble) -> None:
    response = requests.get(
        f"{double.url}/wp-json/wc/v3/orders", auth=("ck_demo", "cs_demo"), timeout=10
    )
    assert response.status_code == 401
    assert response.json() == {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }
    assert "WWW-Authenticate" not in response.headers


def test_basic_auth_behind_a_tls_proxy_is_accepted_and_links_are_https(
    double: WooDouble,
) -> None:
    response = requests.get(
        f"{double.url}/wp-json/wc/v3/orders?per_page=1",
        auth=("ck_demo", "cs_demo"),
        headers={"X-Forwarded-Proto": "https"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Link"].startswith("<https://")
    assert response.json()[0]["_links"]["self"][0]["href"].startswith("https://")


def test_basic_auth_with_a_wrong_secret_over_tls_is_refused(double: WooDouble) -> None:
    response = requests.get(
        f"{double.url}/wp-json/wc/v3/orders",
        auth=("ck_demo", "nope"),
        headers={"X-Forwarded-Proto": "https"},
        timeout=10,
    )
    assert _refusal(response) == "Consumer secret is invalid."


def test_following_a_link_as_given_fails_because_it_repeats_the_signature(
    double: WooDouble,
) -> None:
    first = requests.get(_signed(double, "orders?per_page=5"), timeout=10)
    next_url = first.headers["Link"].split(">")[0].lstrip("<")
    assert "oauth_signature=" in next_url
    assert (
        _refusal(requests.get(next_url, timeout=10))
        == "Invalid signature - provided signature does not match."
    )


def test_the_indexes_are_public_and_writes_need_credentials(double: WooDouble) -> None:
    index = requests.get(f"{double.url}/wp-json/wc/v3", timeout=10)
    assert index.status_code == 200 and index.json()["namespace"] == "wc/v3"
    root = requests.get(f"{double.url}/wp-json/?_fields=namespaces", timeout=10).json()
    assert "wc/v3" in root["namespaces"]
    created = requests.post(f"{double.url}/wp-json/wc/v3/orders", json={}, timeout=10)
    assert created.status_code == 401
    assert created.json()["code"] == "woocommerce_rest_cannot_create"
