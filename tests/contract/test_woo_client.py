"""The REST client against recorded WooCommerce answers, served through a requests adapter."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter

from connector_agent.errors import SyncError
from connector_agent.woo import WooClient, WooHTTPError
from connector_agent.woo.backoff import Backoff, parse_retry_after
from connector_agent.woo.client import _int_header

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "woocommerce"


def recorded(name: str) -> tuple[int, bytes, dict[str, str]]:
    meta = json.loads((FIXTURES / f"{name}.meta.json").read_text())
    return meta["status"], (FIXTURES / f"{name}.json").read_bytes(), meta["headers"]


class Scripted(BaseAdapter):
    """Answers requests from a script of (status, body, headers) or exceptions; records them."""

    def __init__(self, *answers):
        super().__init__()
        self.answers = list(answers)
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.headers.update(headers)
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


def client_for(adapter: Scripted, url: str = "http://shop.test", **options) -> WooClient:
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    delays: list[float] = []
    client = WooClient(
        url,
        "ck_key",
        "cs_secret",
        session=session,
        sleep=delays.append,
        backoff=Backoff(1.0, 8.0, rng=lambda: 1.0),
        **options,
    )
    client.delays = delays  # type: ignore[attr-defined]
    return client


def query(request: requests.PreparedRequest) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.url).query)


def test_a_page_is_parsed_with_its_totals_and_the_server_clock():
    adapter = Scripted(recorded("orders_page1"))
    reply = client_for(adapter).list_page("orders", {"per_page": 20, "page": 1})
    assert len(reply.body) == 20 and reply.body[0]["id"] == 2407
    assert (reply.total, reply.total_pages) == (1001, 51)
    assert reply.server_time == "2026-11-25T22:29:22Z"


def test_oauth_over_http_signs_every_attempt_afresh():
    adapter = Scripted(
        (503, b"{}", {}),
        requests.Timeout("slow"),
        recorded("orders_page1"),
    )
    client = client_for(adapter)
    client.list_page("orders", {"per_page": 20, "page": 1, "orderby": "id"})
    nonces = [query(r)["oauth_nonce"][0] for r in adapter.sent]
    assert len(adapter.sent) == 3 and len(set(nonces)) == 3
    for request in adapter.sent:
        q = query(request)
        assert q["per_page"] == ["20"] and q["orderby"] == ["id"]
        assert q["oauth_signature_method"] == ["HMAC-SHA256"]
        assert "Authorization" not in request.headers
    assert client.delays == [1.0, 2.0]  # exponential (jitter pinned by rng)


def test_the_link_header_is_never_followed():
    adapter = Scripted(recorded("orders_page1"))
    client_for(adapter).list_page("orders", {"per_page": 20, "page": 1})
    assert len(adapter.sent) == 1


def test_basic_auth_over_https_and_no_oauth_params():
    adapter = Scripted(recorded("orders_page1"))
    client_for(adapter, "https://shop.test").list_page("orders", {"page": 1})
    request = adapter.sent[0]
    token = base64.b64encode(b"ck_key:cs_secret").decode()
    assert request.headers["Authorization"] == f"Basic {token}"
    assert "oauth_nonce" not in query(request)


def test_429_honours_retry_after():
    adapter = Scripted((429, b"{}", {"Retry-After": "7"}), recorded("orders_page1"))
    client = client_for(adapter)
    client.list_page("orders", {"page": 1})
    assert client.delays == [7.0]


def test_retries_give_up_with_a_sync_error():
    adapter = Scripted(*[(500, b"{}", {})] * 3)
    client = client_for(adapter, max_retries=2)
    with pytest.raises(SyncError, match="gave up after 3 attempts"):
        client.list_page("orders", {"page": 1})


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("error_unauthenticated", 401, "woocommerce_rest_cannot_view"),
        ("error_oauth_bad_signature", 401, "woocommerce_rest_authentication_error"),
        ("error_order_not_found", 404, "woocommerce_rest_shop_order_invalid_id"),
        ("error_per_page_over_100", 400, "rest_invalid_param"),
    ],
)
def test_client_errors_fail_at_once_and_name_the_code(name, status, code):
    adapter = Scripted(recorded(name))
    client = client_for(adapter)
    with pytest.raises(WooHTTPError) as caught:
        client.list_page("orders", {"page": 1})
    assert caught.value.http_status == status
    assert code in caught.value.message and "/orders" in caught.value.message
    assert "cs_secret" not in caught.value.message and "oauth" not in caught.value.message
    assert len(adapter.sent) == 1 and client.delays == []


def test_an_unparseable_or_wrongly_shaped_page_is_an_error():
    status, body, headers = recorded("orders_page1")
    adapter = Scripted((status, body[: len(body) // 2], headers), (200, b'{"id": 1}', {}))
    client = client_for(adapter)
    with pytest.raises(WooHTTPError, match="unparseable"):
        client.list_page("orders", {"page": 1})
    with pytest.raises(WooHTTPError, match="not a list of records"):
        client.list_page("orders", {"page": 1})


def test_version_comes_from_system_status_fields():
    adapter = Scripted(recorded("system_status_version_fields"))
    version, server_time = client_for(adapter).detect_version()
    assert version == "7.8.2" and server_time is not None
    assert query(adapter.sent[0])["_fields"] == ["environment.version"]


def test_version_is_unknown_when_the_key_may_not_read_system_status():
    adapter = Scripted((403, b'{"code": "woocommerce_rest_cannot_view"}', {}))
    assert client_for(adapter).detect_version() == (None, None)


@pytest.mark.parametrize("status", [403, 404])
def test_a_refused_system_status_still_tells_the_servers_time(status):
    """Every answer carries the shop's Date, refusals included: the sync's watermark needs it."""
    _, body, headers = recorded("error_order_not_found")
    version, server_time = client_for(Scripted((status, body, headers))).detect_version()
    assert (version, server_time) == (None, "2026-11-25T22:29:24Z")


def test_the_client_keeps_the_date_of_the_last_answer_of_any_status():
    adapter = Scripted(
        (503, b"{}", {"Date": "Wed, 25 Nov 2026 22:29:20 GMT"}),  # retried
        recorded("orders_page1"),  # 22:29:22
        recorded("error_order_not_found"),  # 22:29:24
    )
    client = client_for(adapter)
    assert client.server_time is None
    client.list_page("orders", {"page": 1})
    assert client.server_time == "2026-11-25T22:29:22Z"
    with pytest.raises(WooHTTPError):
        client.get("orders/1")
    assert client.server_time == "2026-11-25T22:29:24Z"


def test_retry_after_as_http_date():
    assert parse_retry_after("Wed, 25 Nov 2026 22:29:30 GMT", 1795645762.0) == pytest.approx(8.0)
    assert parse_retry_after("soon", 0.0) is None
    assert parse_retry_after("²", 0.0) is None  # "²".isdigit() is true; float("²") raises


def test_totals_headers_that_are_not_ascii_digits_are_unknown():
    assert _int_header({"X-WP-Total": "²"}, "X-WP-Total") is None
    assert _int_header({"X-WP-Total": " 12 "}, "X-WP-Total") == 12


def test_the_last_page_is_known_from_the_total_pages_header_not_from_a_short_page():
    reply = client_for(Scripted(recorded("orders_page1"))).list_page("orders", {"page": 1})
    assert not reply.is_last_page(1, 20)
    assert reply.is_last_page(51, 20)  # X-WP-TotalPages: a server ignoring `page` cannot loop us
    # 20 records where 21 were asked: WooCommerce leaves out records the key may not read but
    # counts them in the totals, so a short page with pages to come is not the end
    assert not reply.is_last_page(1, 21)
    _, body, headers = recorded("orders_page1")
    no_totals = {k: v for k, v in headers.items() if not k.startswith("X-WP-Total")}
    bare = client_for(Scripted((200, body, no_totals))).list_page("orders", {"page": 1})
    assert bare.is_last_page(1, 21) and not bare.is_last_page(1, 20)  # no headers: short = end
    empty = client_for(Scripted(recorded("orders_past_last_page"))).list_page("orders", {})
    assert empty.is_last_page(1, 100)  # an empty page ends it whatever the headers say


def test_tls_and_url_errors_fail_at_once():
    adapter = Scripted(requests.exceptions.SSLError("certificate verify failed"),
                       requests.exceptions.InvalidURL("bad"))
    client = client_for(adapter, "https://shop.test")
    with pytest.raises(WooHTTPError, match="TLS failed"):
        client.list_page("orders", {"page": 1})
    with pytest.raises(WooHTTPError, match="InvalidURL"):
        client.list_page("orders", {"page": 1})
    assert client.delays == []


def test_a_redirect_is_not_followed_and_names_the_address_without_the_query():
    location = "https://shop.test/wp-json/wc/v3/orders?oauth_signature=abc&page=1"
    adapter = Scripted((301, b"", {"Location": location}))
    with pytest.raises(WooHTTPError) as caught:
        client_for(adapter).list_page("orders", {"page": 1})
    assert "redirect to https://shop.test/wp-json/wc/v3/orders;" in caught.value.message
    assert "oauth" not in caught.value.message and len(adapter.sent) == 1


def test_a_whole_collection_is_read_past_a_short_page_to_the_empty_one():
    adapter = Scripted(
        recorded("orders_page1"),
        recorded("orders_page2_asc_by_modified"),  # 5 records, X-WP-TotalPages 201
        recorded("orders_past_last_page"),  # []
    )
    records = list(client_for(adapter).list_all("orders", {"status": "any"}, 20))
    assert len(records) == 20 + 5 and records[0]["id"] == 2407
    assert [(query(r)["page"], query(r)["per_page"], query(r)["status"]) for r in adapter.sent] == [
        (["1"], ["20"], ["any"]), (["2"], ["20"], ["any"]), (["3"], ["20"], ["any"])
    ]  # the short second page did not end it (X-WP-TotalPages said more follow), [] did
