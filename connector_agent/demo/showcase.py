"""The demo: a local WooCommerce seeded with real orders, and a real agent process run against it.

What a shop owner would see, compressed into a minute: the agent backfills the shop (with a
progress bar), starts (``luxebrain-agent run``: API, scheduler, learning), WooCommerce webhooks are
registered and signed, the demo places new orders whose webhooks reach the agent at once, and the
agent's widgets answer. With a time limit it checks its own work and says what failed.
"""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_agent.config import (
    AgentConfig,
    load_config,
    new_secret,
    write_atomic,
    write_new_config,
)
from connector_agent.demo.woo_double import WooDouble
from connector_agent.errors import AgentUnreachable
from connector_agent.local_client import call_agent
from connector_agent.store import Store
from connector_agent.woo import Syncer, WooClient

WEBHOOK_TOPICS = (
    "order.created",
    "order.updated",
    "order.deleted",
    "product.created",
    "product.updated",
    "product.deleted",
    "customer.created",
    "customer.updated",
    "customer.deleted",
)
Say = Callable[[str], None]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Checks:
    """What ``--for`` verifies; each entry is (name, passed, detail)."""

    results: list[tuple[str, bool, str]] = field(default_factory=list)

    def add(self, name: str, passed: bool, detail: str) -> None:
        self.results.append((name, passed, detail))

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(ok for _, ok, _ in self.results)


class Demo:
    """One demo run in ``workdir``: the double in this process, the agent as a child process."""

    def __init__(self, workdir: Path, *, say: Say, seed: int = 7) -> None:
        self.workdir = workdir
        self.say = say
        self.random = random.Random(seed)
        # the history ends this week, so the orders the demo places continue it
        self.double = WooDouble.demo(webhook_secret=new_secret(), ending_now=True)
        self.agent_process: subprocess.Popen[bytes] | None = None
        self.config: AgentConfig | None = None
        self.placed: list[int] = []
        self.checks = Checks()

    # ------------------------------------------------------------ set-up

    def start_shop(self) -> None:
        url = self.double.start()
        stats = self.double.stats()
        self.say(
            f"local WooCommerce at {url}/wp-json/wc/v3 — {stats['orders']} real orders, "
            f"{stats['products']} products, {stats['customers']} customers"
        )

    def write_config(self) -> AgentConfig:
        bind = f"127.0.0.1:{free_port()}"
        path = write_new_config(
            self.workdir / "agent.toml",
            store_url=self.double.url,
            data_dir="data",
            bind=bind,
            secrets={
                "consumer_key": self.double.consumer_key,
                "consumer_secret": self.double.consumer_secret,
                "webhook_secret": self.double.webhook_secret,
            },
        )  # write_new_config adds the shared secret the demo's signed calls use
        # sync every minute, so the demo shows a scheduled incremental pass too
        every_minute = path.read_text().replace("interval_minutes = 5", "interval_minutes = 1")
        write_atomic(path, every_minute, mode=0o644)
        self.config = load_config(path)
        return self.config

    def backfill(self, on_page: Callable[[str, str, int, int | None], None] | None) -> None:
        assert self.config is not None
        store = Store.open(self.config.database_path)
        client = WooClient.from_config(self.config)
        try:
            report = Syncer(client, store, on_page=on_page).run()
            counts = store.counts()
        finally:
            client.close()
            store.close()
        self.say(f"backfill: {report.summary()}")
        shop = self.double.stats()
        same = all(counts[name] == shop[name] for name in ("orders", "products", "customers"))
        self.checks.add(
            "backfill",
            same,
            f"store {counts} vs shop { {k: shop[k] for k in ('products', 'customers', 'orders')} }",
        )

    def start_agent(self, timeout: float = 60.0) -> None:
        assert self.config is not None
        log_path = self.workdir / "agent.log"
        self.agent_process = subprocess.Popen(
            [sys.executable, "-m", "connector_agent", "run", "--config", str(self.config.path)],
            stdout=log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.agent_process.poll() is not None:
                raise RuntimeError(f"the agent exited early; see {log_path}")
            try:
                status, _ = call_agent(self.config, "GET", "/healthz", timeout=2)
                if status == 200:
                    self.say(f"agent serving on {self.config.agent_url} (log: {log_path})")
                    return
            except AgentUnreachable:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the agent did not answer within {timeout:.0f} s; see {log_path}")

    def register_webhooks(self) -> None:
        assert self.config is not None
        target = f"{self.config.agent_url}/v1/webhooks/woocommerce"
        # as the plugin's pairing does: WordPress delivers to a loopback agent only through it
        self.double.pair_agent(self.config.agent_url)
        pings = [self.double.add_webhook(topic, target)["ping"] for topic in WEBHOOK_TOPICS]
        answered = sum(1 for ping in pings if ping and ping.get("ok"))
        self.say(f"{len(WEBHOOK_TOPICS)} webhooks → {target} ({answered} pings answered)")
        self.checks.add("webhook pings", answered == len(WEBHOOK_TOPICS), f"{answered} answered")

    # ------------------------------------------------------------ activity

    def place_order(self) -> dict[str, Any]:
        """A new order from a returning customer, as a shopper would place it."""
        state = self.double.state
        with state.lock:
            customer_id = self.random.choice(sorted(state.customers))
            products = sorted(
                pid
                for pid, product in state.products.items()
                if product.status == "publish" and product.stock_status == "instock"
            )
        lines = [(pid, self.random.randint(1, 6)) for pid in self.random.sample(products, 3)]
        order = self.double.create_order(customer_id, lines, status="processing")
        self.placed.append(int(order["id"]))
        deliveries = self.double.flush_webhooks()
        ok = sum(1 for delivery in deliveries if delivery.get("ok"))
        self.say(
            f"placed order #{order['id']} ({len(lines)} lines); "
            f"{ok}/{len(deliveries)} webhook deliveries accepted"
        )
        return order

    def agent_status(self) -> dict[str, Any]:
        assert self.config is not None
        status, body = call_agent(self.config, "GET", "/v1/status")
        if status != 200 or not isinstance(body, dict):
            raise RuntimeError(f"/v1/status answered {status}: {body}")
        return body

    def show_widgets(self) -> list[dict[str, Any]]:
        """Ask the agent for the product-page widget of a best seller and print it."""
        assert self.config is not None
        status, popular = call_agent(self.config, "GET", "/v1/recommendations/popular?limit=3")
        items = popular.get("items", []) if isinstance(popular, dict) else []
        if status != 200 or not items:
            self.say(f"popular: {status} {popular}")
            return []
        anchor = items[0]["id"]
        status, widget = call_agent(
            self.config, "GET", f"/v1/widgets/product?product_id={anchor}&limit=4"
        )
        shown = widget.get("items", []) if isinstance(widget, dict) else []
        self.say(f"widget for product {anchor} ({items[0]['name']}): {status}")
        for item in shown:
            self.say(f"   {item['name']} — {item['price']} — {item['source']}: {item['reason']}")
        return shown

    # ------------------------------------------------------------ checks and shutdown

    def verify(self, orders_before: int) -> None:
        """Webhook orders reached the store, learning caught up, the widgets answered."""
        deadline = time.monotonic() + 60
        status: dict[str, Any] = {}
        while time.monotonic() < deadline:
            status = self.agent_status()
            caught_up = status["applied_seq"] >= status["event_seq"]
            if status["counts"]["orders"] >= orders_before + len(self.placed) and caught_up:
                break
            time.sleep(0.5)
        orders = status["counts"]["orders"]
        self.checks.add(
            "webhooks",
            orders >= orders_before + len(self.placed),
            f"{orders} orders in the agent after placing {len(self.placed)} (had {orders_before})",
        )
        self.checks.add(
            "learning",
            status["applied_seq"] >= status["event_seq"] > 0,
            f"applied {status['applied_seq']} of {status['event_seq']} events",
        )
        shown = self.show_widgets()
        self.checks.add("api", len(shown) > 0, f"{len(shown)} recommendations in the widget")
        # the best seller's page shows what its buyers bought with it: a history read as long
        # gone (new orders years after it) would show the few new orders' items instead
        together = sum(1 for item in shown if item.get("source") == "co_purchase")
        self.checks.add(
            "co-purchase",
            together > 0,
            f"{together} of {len(shown)} widget items bought together with the best seller",
        )

    def stop(self) -> None:
        if self.agent_process is not None and self.agent_process.poll() is None:
            self.agent_process.terminate()
            try:
                self.agent_process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.agent_process.kill()
                self.agent_process.wait()
            self.say(f"agent stopped (exit {self.agent_process.returncode})")
        self.double.stop()
