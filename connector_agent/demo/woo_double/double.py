"""``WooDouble``: a faithful local WooCommerce (REST API v3 and webhooks) for tests and the demo.

Build it from an order-history CSV, start it on a port in a background thread, point the agent's
WooCommerce client at ``double.url``; change the store with the same writes a shop makes
(``create_order``, ``trash_order``, …) and deliver the queued webhooks with ``flush_webhooks``
(the real store waits for WP-Cron; here the caller decides when).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from luxebrain.clock import Clock, SystemClock

from . import control
from .api import RestApi
from .auth import Authenticator
from .dates import StoreTime
from .errors import invalid_id
from .faults import Faults
from .messages import encode
from .model import Webhook
from .render import Renderer
from .seed import Seed, load
from .server import SiteServer
from .site import WP_VERSION, SiteDocuments
from .state import StoreState
from .webhooks import TOPICS, WebhookHub
from .wp_http import AgentGuard

DEMO_ORDERS = Path(__file__).resolve().parent.parent / "data" / "orders_2009-12_2010-01.csv.gz"


class WooDouble:
    """One local store. Also a context manager: ``with WooDouble.demo() as d: d.start()``."""

    def __init__(
        self,
        seed: Seed,
        *,
        consumer_key: str = "ck_demo",
        consumer_secret: str = "cs_demo",
        webhook_secret: str = "harness-webhook-secret",
        wc_version: str = "7.8.2",
        timezone: str = "America/New_York",
        clock: Clock | None = None,
        delivery_timeout: float = 60.0,
        random_seed: int = 0,
    ) -> None:
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.webhook_secret = webhook_secret
        self.wc_version = wc_version
        self.clock = clock or SystemClock()
        self.time = StoreTime(timezone)
        self._url = "http://127.0.0.1"
        self.renderer = Renderer(self._url, self.time, seed.currency, wc_version, seed.categories)
        self.hub = WebhookHub(
            lambda: self._url,
            self._payload,
            f"WooCommerce/{wc_version} Hookshot (WordPress/{WP_VERSION})",
            now=self.clock.time,
            timeout=delivery_timeout,
            seed=random_seed,
        )
        self.state = StoreState(seed, self.clock, self.hub)
        self.faults = Faults()
        self.site = SiteDocuments(lambda: self._url, wc_version, seed.currency)
        self.auth = Authenticator(consumer_key, consumer_secret, self.clock)
        self.api = RestApi(
            self.state,
            self.hub,
            self.renderer,
            self.time,
            self.site.system_status,
            self.site.index,
            seed=random_seed,
        )
        self._server: SiteServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_orders_csv(
        cls,
        path: Path | str,
        *,
        limit_orders: int | None = None,
        ending_now: bool = False,
        **options: Any,
    ) -> WooDouble:
        """A store holding the orders of a normalised order CSV (each invoice one order); with
        ``ending_now`` its history is moved forward by whole weeks to end in the past week of
        the store's clock (see ``seed.load``)."""
        ending_before = None
        if ending_now:
            clock = options["clock"] = options.get("clock") or SystemClock()
            ending_before = int(clock.time())
        return cls(load(path, limit_orders, ending_before=ending_before), **options)

    @classmethod
    def demo(cls, **options: Any) -> WooDouble:
        """A store seeded from the slice shipped in the repository (Dec 2009 – Jan 2010)."""
        return cls.from_orders_csv(DEMO_ORDERS, **options)

    # serving ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The site root (REST under ``/wp-json/wc/v3/``)."""
        return self._url

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; returns the base URL."""
        if self._server is not None:
            return self._url
        self._server = SiteServer(
            (host, port),
            self.api,
            self.auth,
            self.faults,
            lambda method, action, body: control.handle(self, method, action, body),
            lambda: self._url,
        )
        # The seeded store is up to a million long-lived objects: while serving, keep the
        # cyclic collector from walking them on every full collection (100s of ms per pause).
        gc.freeze()
        bound_host, bound_port = self._server.server_address[:2]
        self._url = f"http://{host or bound_host}:{bound_port}"
        self.renderer.base_url = self._url
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="woo-double", daemon=True
        )
        self._thread.start()
        return self._url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
            gc.unfreeze()  # a stopped store can be collected again

    def __enter__(self) -> WooDouble:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # writes (like REST or wp-admin; each queues its webhooks) ----------------------------
    def create_order(
        self,
        customer_id: int,
        lines: list[tuple[int, int]],
        status: str = "processing",
        created_via: str = "rest-api",
    ) -> dict[str, Any]:
        """A new order; ``created_via="subscription"`` is a renewal as WooCommerce Subscriptions
        places it."""
        with self.state.lock:
            order = self.state.create_order(customer_id, lines, status, created_via)
            return self.renderer.order(order)

    def update_order(self, order_id: int, **fields: Any) -> dict[str, Any]:
        with self.state.lock:
            return self.renderer.order(self.state.update_order(order_id, **fields))

    def trash_order(self, order_id: int) -> dict[str, Any]:
        with self.state.lock:
            return self.renderer.order(self.state.trash_order(order_id))

    def restore_order(self, order_id: int) -> dict[str, Any]:
        with self.state.lock:
            return self.renderer.order(self.state.restore_order(order_id))

    def force_delete_order(self, order_id: int) -> dict[str, Any]:
        with self.state.lock:
            return self.renderer.order(self.state.force_delete_order(order_id))

    def refund_order(
        self, order_id: int, amount: str, reason: str = "", lines: Sequence[tuple[int, int]] = ()
    ) -> dict[str, Any]:
        """A refund of ``amount``; ``lines``: (order line item id, units given back)."""
        with self.state.lock:
            refund = self.state.refund_order(order_id, amount, reason, lines)
            return self.renderer.refund(order_id, refund)

    def create_product(
        self,
        name: str,
        regular_price: str,
        sku: str = "",
        stock_quantity: int | None = None,
        categories: list[int] | None = None,
        product_type: str = "simple",
    ) -> dict[str, Any]:
        with self.state.lock:
            return self.renderer.product(
                self.state.create_product(
                    name, regular_price, sku, stock_quantity, categories or (), product_type
                )
            )

    def create_variation(
        self,
        parent_id: int,
        regular_price: str,
        options: dict[str, str],
        stock_quantity: int | None = None,
    ) -> dict[str, Any]:
        """A variation of a variable product (answered in the webhook shape, with its name)."""
        with self.state.lock:
            return self.renderer.product(
                self.state.create_variation(parent_id, regular_price, options, stock_quantity)
            )

    def delete_variation(self, parent_id: int, variation_id: int, force: bool = True) -> dict:
        """Delete a variation (``force`` only, and no webhook fires, as in WooCommerce)."""
        with self.state.lock:
            return self.renderer.variation(
                self.state.delete_variation(parent_id, variation_id, force)
            )

    def update_product(self, product_id: int, **fields: Any) -> dict[str, Any]:
        with self.state.lock:
            return self.renderer.product(self.state.update_product(product_id, **fields))

    def trash_product(self, product_id: int) -> dict[str, Any]:
        with self.state.lock:
            return self.renderer.product(self.state.trash_product(product_id))

    def restore_product(self, product_id: int) -> dict[str, Any]:
        with self.state.lock:
            return self.renderer.product(self.state.restore_product(product_id))

    def create_customer(
        self, email: str, first_name: str = "", last_name: str = "", username: str | None = None
    ) -> dict[str, Any]:
        with self.state.lock:
            return self.renderer.customer(
                self.state.create_customer(email, first_name, last_name, username)
            )

    def update_customer(self, customer_id: int, **fields: Any) -> dict[str, Any]:
        with self.state.lock:
            return self.renderer.customer(self.state.update_customer(customer_id, **fields))

    def delete_customer(self, customer_id: int) -> dict[str, Any]:
        with self.state.lock:
            return self.renderer.customer(self.state.delete_customer(customer_id))

    def bulk_touch_orders(self, ids: list[int], at: datetime) -> list[int]:
        """Stamp many orders with one ``date_modified`` second (the no-tie-breaker case)."""
        return [o.id for o in self.state.bulk_touch_orders(ids, at)]

    # webhooks -----------------------------------------------------------------------------
    def pair_agent(self, agent_url: str | None) -> dict[str, Any]:
        """Pair the store with an agent as the LuxeBrain plugin does: its delivery guard then
        lets webhooks reach that agent's scheme, host and port (any path), which WordPress
        otherwise refuses on a loopback or private address or an unusual port. ``None``
        unpairs (plain WordPress). Pair before ``add_webhook``, as the plugin does, so the
        creation pings pass."""
        guard = AgentGuard(_agent_url(agent_url)) if agent_url is not None else None
        self.hub.guard = guard
        return {"agent_url": guard.agent_url if guard else None}

    def add_webhook(
        self,
        topic: str,
        delivery_url: str,
        secret: str | None = None,
        name: str | None = None,
        status: str = "active",
    ) -> dict[str, Any]:
        """Register a webhook as ``POST /webhooks`` does (and ping it); the secret defaults to
        ``webhook_secret``. Returns the webhook object plus ``ping`` (the ping's outcome)."""
        if topic not in TOPICS:
            raise ValueError(f"unknown webhook topic {topic!r}")
        now = self.state.now()
        hook = Webhook(
            self.hub.allocate_id(),
            name or f"Webhook {topic}",
            topic,
            delivery_url,
            secret or self.webhook_secret,
            now,
            now,
            status=status,
        )
        ping = self.hub.add(hook)
        return {**self.renderer.webhook(hook), "ping": ping.as_dict() if ping else None}

    def flush_webhooks(self) -> list[dict[str, Any]]:
        """Send the queued deliveries now (one attempt each, shuffled); their outcomes."""
        return [d.as_dict() for d in self.hub.flush()]

    def _payload(self, resource: str, resource_id: int) -> bytes:
        """A webhook body built at send time: the resource as GET shows it, or its 404."""
        lookups = {
            "order": (self.state.orders, self.renderer.order),
            "product": (self.state.products, self.renderer.product),
            "customer": (self.state.customers, self.renderer.customer),
        }
        records, render = lookups[resource]
        with self.state.lock:
            record = records.get(resource_id)
            body = render(record) if record is not None else invalid_id(resource).body()
        return encode(body)

    def stats(self) -> dict[str, Any]:
        """Counts for tests and the demo: records, queued and sent deliveries, faults left."""
        with self.state.lock:
            counts = {
                "orders": len(self.state.orders),
                "products": len(self.state.products),
                "customers": len(self.state.customers),
            }
        return {
            **counts,
            "webhooks": len(self.hub.webhooks),
            "pending_deliveries": len(self.hub.pending),
            "deliveries": len(self.hub.delivered),
            "faults_pending": self.faults.pending,
            "requests": self._server.requests_served if self._server else 0,
        }


def _agent_url(agent_url: str) -> str:
    """``LuxeBrain_Pairing::normalise_agent_url``: an http(s) URL with a host and no query,
    fragment or user, without a trailing slash."""
    parts = urlsplit(agent_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"agent_url must be an http or https URL, not {agent_url!r}")
    if parts.query or parts.fragment or parts.username is not None:
        raise ValueError(f"agent_url must have no query, fragment or user: {agent_url!r}")
    return agent_url.strip().rstrip("/")
