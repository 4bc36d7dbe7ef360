"""Contract fixtures: the recorded WooCommerce responses, and a local WooCommerce loaded with the
recorded store's objects so that every recorded request can be replayed against it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from woocommerce.oauth import OAuth

from connector_agent.demo.woo_double import WooDouble
from connector_agent.demo.woo_double.documents import (
    import_customer,
    import_order,
    import_product,
    import_webhook,
)
from luxebrain.clock import FrozenClock

WOO_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "woocommerce"
RECORDED_AT = datetime(2026, 11, 25, 23, 45, tzinfo=UTC)
ORDER_DOCS = (
    "orders_page1",
    "orders_page2_asc_by_modified",
    "orders_modified_after",
    "orders_after_gmt",
    "order_variation_coupon_fee_shipping",
    "order_delete_trash",
)
PRODUCT_DOCS = ("products_page1", "product_delete_trash", "product_delete_force")
CUSTOMER_DOCS = ("customers_page1", "customers_role_all", "customer_delete_force")


MONEY = re.compile(r"^-?\d+\.\d{2}$")
LOCAL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


def recorded(name: str) -> Any:
    """A recorded body (``<name>.json``)."""
    return json.loads((WOO_FIXTURES / f"{name}.json").read_text())


def signed_url(url: str, method: str, key: str, secret: str, timestamp: int) -> str:
    """``url`` signed the way the ``woocommerce`` PyPI client signs it (OAuth 1.0a, query)."""
    return OAuth(
        url, key, secret, version="wc/v3", method=method, oauth_timestamp=timestamp
    ).get_oauth_url()


def _as_list(body: Any) -> list[dict[str, Any]]:
    return body if isinstance(body, list) else [body]


def load_recorded_store(double: WooDouble) -> None:
    """Put the recorded store's orders, products, customers and webhooks into ``double``."""
    for name in ORDER_DOCS:
        for doc in _as_list(recorded(name)):
            import_order(double.state, doc)
    for name in ("refund_full", "refund_partial"):
        import_order(double.state, recorded(f"{name}_order"), recorded(f"{name}_refunds"))
    for name in PRODUCT_DOCS:
        for doc in _as_list(recorded(name)):
            import_product(double.state, doc)
    import_product(
        double.state, recorded("product_variable"), recorded("product_variable_variations")
    )
    for name in CUSTOMER_DOCS:
        for doc in _as_list(recorded(name)):
            import_customer(double.state, doc)
    for doc in recorded("webhooks"):
        import_webhook(double.hub, doc, double.webhook_secret)


@pytest.fixture
def woo_clock() -> FrozenClock:
    """The time of the recordings, so their date filters select the same kind of rows."""
    return FrozenClock(RECORDED_AT)


def build_recorded_store(clock: FrozenClock) -> WooDouble:
    """A started local WooCommerce: a few seeded orders plus the recorded store's objects."""
    double = WooDouble.demo(limit_orders=20, clock=clock, delivery_timeout=2.0)
    load_recorded_store(double)
    double.start()
    return double


@pytest.fixture(scope="session")
def woo_fixtures() -> Path:
    return WOO_FIXTURES


@pytest.fixture(scope="session")
def sign_oauth() -> Callable[[str, str, str, str, int], str]:
    """``sign_oauth(url, method, key, secret, timestamp)``: signed like the PyPI client."""
    return signed_url


@pytest.fixture(scope="module")
def replay_store() -> Iterator[WooDouble]:
    """One recorded store for a whole module (the replay runs its requests in order)."""
    double = build_recorded_store(FrozenClock(RECORDED_AT))
    yield double
    double.stop()


@pytest.fixture
def recorded_store(woo_clock: FrozenClock) -> Iterator[WooDouble]:
    double = build_recorded_store(woo_clock)
    yield double
    double.stop()


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


def _kind(path: str) -> str:
    """The resource a path answers with: ``orders``, ``orders/refunds``, ``products``, …"""
    return "/".join(p for p in path.split("/")[4:] if not p.isdigit())


def _corpus() -> dict[str, list[Any]]:
    """Every recorded 200 object per resource kind: one recording shows a few shapes only (a
    processing order has a null ``date_completed``, a variable product an empty price)."""
    corpus: dict[str, list[Any]] = {}
    for meta_path in sorted(WOO_FIXTURES.glob("*.meta.json")):
        name = meta_path.name[: -len(".meta.json")]
        meta = json.loads((WOO_FIXTURES / f"{name}.meta.json").read_text())
        fields = any(k == "_fields" for k, _ in meta.get("params", []))
        if meta["status"] != 200 or fields or "path" not in meta:
            continue
        body = json.loads((WOO_FIXTURES / f"{name}.json").read_text())
        corpus.setdefault(_kind(meta["path"]), []).extend(
            body if isinstance(body, list) else [body]
        )
    return corpus


@pytest.fixture(scope="session")
def recorded_corpus() -> dict[str, list[Any]]:
    """Every recorded 200 object per resource kind (``orders``, ``orders/refunds``, …)."""
    return _corpus()


@pytest.fixture(scope="session")
def shape_problems() -> Callable[[list[Any], list[Any]], list[str]]:
    """``shape_problems(examples, values)``: how each value differs in structure, types, money
    and date formats from the recorded ``examples`` (an empty list when none does)."""

    def problems(examples: list[Any], values: list[Any]) -> list[str]:
        schema = _merge(examples)
        return [p for i, value in enumerate(values) for p in _mismatches(schema, value, f"[{i}]")]

    return problems
