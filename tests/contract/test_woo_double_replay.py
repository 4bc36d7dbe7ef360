"""Replay every recorded WooCommerce request against the local WooCommerce.

For each ``<name>.meta.json`` the same request (method, path, business params, signed like the
``woocommerce`` client signs, or deliberately mis-signed for the ``error_oauth_*`` recordings) is
sent to a double holding the recorded store's objects, and the answer is compared with the
recording: status; the totals headers (present, integers), ``Content-Type``, ``Allow``, the
``Link`` relations (and that they repeat the ``oauth_*`` params), no ``WWW-Authenticate``; error
bodies exactly; other bodies by structure and types, recursively (money and dates by format).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests

WOO_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "woocommerce"
RECORDINGS = sorted(p.name[: -len(".meta.json")] for p in WOO_FIXTURES.glob("*.meta.json"))
UNSIGNED = ("index_root_namespaces", "index_wc_v3", "error_unauthenticated")


def _send(
    store: Any, sign: Callable[..., str], name: str, meta: dict[str, Any]
) -> requests.Response:
    method = meta.get("method", "GET")
    path = meta.get("path", "/wp-json/wc/v3/orders")
    params = [tuple(pair) for pair in meta.get("params", [])]
    url = store.url + path + (f"?{urlencode(params)}" if params else "")
    now = int(store.clock.time())
    key, secret, stamp = store.consumer_key, store.consumer_secret, now
    if name in UNSIGNED:
        return requests.request(method, url, timeout=10)
    if name == "error_oauth_unknown_consumer_key":
        key, secret = "ck_unknown", "cs_unknown"
    elif name == "error_oauth_wrong_secret":
        secret = "cs_wrong"
    elif name == "error_oauth_old_timestamp":
        stamp = now - 20 * 60
    signed = sign(url, method, key, secret, stamp)
    if name == "error_oauth_bad_signature":
        parts = urlsplit(signed)
        query = [
            (k, base64.b64encode(b"x" * 32).decode() if k == "oauth_signature" else v)
            for k, v in parse_qsl(parts.query)
        ]
        signed = urlunsplit(parts._replace(query=urlencode(query)))
    if name == "error_oauth_nonce_reused":
        first = requests.request(method, signed, timeout=10)
        assert first.status_code == 200, first.text
    return requests.request(method, signed, timeout=10)


def _rels(link: str) -> set[str]:
    return set(re.findall(r'rel="([^"]+)"', link))


@pytest.mark.parametrize("name", RECORDINGS)
def test_replay_matches_recording(
    replay_store: Any,
    sign_oauth: Callable[..., str],
    recorded_corpus: dict[str, list[Any]],
    shape_problems: Callable[..., list[str]],
    name: str,
) -> None:
    meta = json.loads((WOO_FIXTURES / f"{name}.meta.json").read_text())
    body = json.loads((WOO_FIXTURES / f"{name}.json").read_text())
    response = _send(replay_store, sign_oauth, name, meta)
    recorded_headers = meta["headers"]

    assert response.status_code == meta["status"], response.text[:300]
    assert response.headers["Content-Type"] == recorded_headers["Content-Type"]
    assert "WWW-Authenticate" not in response.headers
    for header in ("X-WP-Total", "X-WP-TotalPages"):
        assert (header in response.headers) == (header in recorded_headers), header
        if header in response.headers:
            assert response.headers[header].isdigit()
    if "Allow" in recorded_headers:
        assert response.headers.get("Allow") == recorded_headers["Allow"]
    assert _rels(response.headers.get("Link", "")) == _rels(recorded_headers.get("Link", ""))
    if "oauth_signature=" in recorded_headers.get("Link", ""):
        assert "oauth_signature=" in response.headers["Link"]

    got = response.json()
    if meta["status"] >= 400:
        assert got == body
        return
    if isinstance(body, list):
        assert bool(got) == bool(body), "empty where the recording is not (or the reverse)"
    if any(k == "_fields" for k, _ in meta.get("params", [])):
        problems = shape_problems([body], [got])
    else:
        kind = "/".join(p for p in meta["path"].split("/")[4:] if not p.isdigit())
        examples = recorded_corpus.get(kind, body if isinstance(body, list) else [body])
        problems = shape_problems(examples, got if isinstance(got, list) else [got])
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("orders", "orders"),
        ("products", "products"),
        ("customers", "customers"),
        ("orders/refunds", "orders/{order}/refunds"),
        ("webhooks", "webhooks"),
    ],
)
def test_seeded_objects_have_the_recorded_shapes(
    sign_oauth: Callable[..., str],
    recorded_corpus: dict[str, list[Any]],
    shape_problems: Callable[..., list[str]],
    kind: str,
    path: str,
) -> None:
    """Objects built from the seed data (not imported documents) match the recorded shapes."""
    from connector_agent.demo.woo_double import WooDouble

    with WooDouble.demo(limit_orders=30, delivery_timeout=0.5) as double:
        url = double.start()
        order_id = next(iter(double.state.orders))
        double.refund_order(order_id, "1.00", "damaged")
        double.create_order(13085, [(10, 1)])
        double.add_webhook("order.updated", "http://127.0.0.1:9/unreachable")
        target = f"{url}/wp-json/wc/v3/{path.format(order=order_id)}?per_page=100"
        signed = sign_oauth(
            target, "GET", double.consumer_key, double.consumer_secret, int(double.clock.time())
        )
        got = requests.get(signed, timeout=10).json()
    assert got
    problems = shape_problems(recorded_corpus[kind], got)
    assert not problems, "\n".join(problems[:20])
