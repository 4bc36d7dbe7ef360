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

MONEY = re.compile(r"^-?\d+\.\d{2}$")
LOCAL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
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


def _types(value: Any) -> str:
    return {
        bool: "bool",
        int: "int",
        float: "float",
        str: "str",
        type(None): "null",
        list: "list",
        dict: "dict",
    }[type(value)]


def _merge(values: list[Any]) -> dict[str, Any]:
    """A schema of recorded values: types seen, string formats, keys (and which are always)."""
    schema: dict[str, Any] = {"types": {_types(v) for v in values}}
    strings = [v for v in values if isinstance(v, str)]
    schema["money"] = bool(strings) and all(MONEY.match(s) for s in strings)
    schema["date"] = bool(strings) and all(LOCAL_DATE.match(s) for s in strings)
    dicts = [v for v in values if isinstance(v, dict)]
    if dicts:
        keys = {k for d in dicts for k in d}
        schema["required"] = {k for k in keys if all(k in d for d in dicts)}
        schema["keys"] = {k: _merge([d[k] for d in dicts if k in d]) for k in keys}
    items = [i for v in values if isinstance(v, list) for i in v]
    schema["items"] = _merge(items) if items else None
    return schema


def _mismatches(schema: dict[str, Any], value: Any, where: str) -> list[str]:
    kind = _types(value)
    if kind not in schema["types"]:
        return [f"{where}: {kind} where the recording has {sorted(schema['types'])}"]
    problems = []
    if kind == "str" and schema["money"] and not MONEY.match(value):
        problems.append(f"{where}: {value!r} is not a 2-decimal money string")
    if kind == "str" and schema["date"] and not LOCAL_DATE.match(value):
        problems.append(f"{where}: {value!r} is not a date without offset")
    if kind == "dict":
        missing = schema["required"] - value.keys()
        extra = value.keys() - schema["keys"].keys()
        problems += [f"{where}: missing key {k}" for k in sorted(missing)]
        problems += [f"{where}: unexpected key {k}" for k in sorted(extra)]
        for k in value.keys() & schema["keys"].keys():
            problems += _mismatches(schema["keys"][k], value[k], f"{where}.{k}")
    if kind == "list" and schema["items"] is not None:
        for i, item in enumerate(value):
            problems += _mismatches(schema["items"], item, f"{where}[{i}]")
    return problems


def _rels(link: str) -> set[str]:
    return set(re.findall(r'rel="([^"]+)"', link))


def _kind(path: str) -> str:
    """The resource a path answers with: ``orders``, ``orders/refunds``, ``products``, …"""
    return "/".join(p for p in path.split("/")[4:] if not p.isdigit())


def _corpus() -> dict[str, list[Any]]:
    """Every recorded 200 object per resource kind: one recording shows a few shapes only (a
    processing order has a null ``date_completed``, a variable product an empty price)."""
    corpus: dict[str, list[Any]] = {}
    for name in RECORDINGS:
        meta = json.loads((WOO_FIXTURES / f"{name}.meta.json").read_text())
        fields = any(k == "_fields" for k, _ in meta.get("params", []))
        if meta["status"] != 200 or fields or "path" not in meta:
            continue
        body = json.loads((WOO_FIXTURES / f"{name}.json").read_text())
        corpus.setdefault(_kind(meta["path"]), []).extend(
            body if isinstance(body, list) else [body]
        )
    return corpus


CORPUS = _corpus()


@pytest.mark.parametrize("name", RECORDINGS)
def test_replay_matches_recording(
    replay_store: Any, sign_oauth: Callable[..., str], name: str
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
        problems = _mismatches(_merge([body]), got, "body")
    else:
        item = _merge(CORPUS.get(_kind(meta["path"]), body if isinstance(body, list) else [body]))
        items = got if isinstance(got, list) else [got]
        problems = [p for i, one in enumerate(items) for p in _mismatches(item, one, f"[{i}]")]
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
    sign_oauth: Callable[..., str], kind: str, path: str
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
    schema = _merge(CORPUS[kind])
    problems = [p for i, one in enumerate(got) for p in _mismatches(schema, one, f"[{i}]")]
    assert not problems, "\n".join(problems[:20])
