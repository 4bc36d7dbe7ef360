"""Contract fixtures: the recorded WooCommerce responses, and a local WooCommerce loaded with the
recorded store's objects so that every recorded request can be replayed against it."""

from __future__ import annotations

import json
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
