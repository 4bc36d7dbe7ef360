"""A faithful local WooCommerce (REST API v3 + webhooks) for tests, the demo and the benchmark.

Behaviour follows the recordings of a real WooCommerce 7.8.2 store (``tests/contract/fixtures/
woocommerce``): JSON shapes, totals headers and ``Link``, strict date filters and their parsing,
``_fields``, trash semantics, OAuth 1.0a over http and Basic over https, coalesced signed
webhooks that are built at send time, and injected faults.
"""

from __future__ import annotations

from .double import DEMO_ORDERS, WooDouble
from .errors import WooRestError
from .seed import SeedError
from .webhooks import signature

__all__ = ["DEMO_ORDERS", "SeedError", "WooDouble", "WooRestError", "signature"]
