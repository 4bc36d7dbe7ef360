"""The other side of the WordPress tests: a real agent (``luxebrain-agent run``) and its CLI,
plus a server that accepts connections and never answers (a hanging agent)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import requests
from click.testing import CliRunner, Result
from harness import free_port

from connector_agent.cli import cli
from connector_agent.config import load_config, update_secrets
from connector_agent.config_template import render_config
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from connector_agent.woo.normalise import customer_event, order_event, product_event

SEED_TIME = "2026-11-01T10:00:00"
AGENT_CLI = Path(sys.executable).with_name("luxebrain-agent")


def write_agent_config(directory: Path, store_url: str) -> tuple[Path, str]:
    """An agent.toml on a free port, as ``init`` would write it; returns (path, agent URL)."""
    port = free_port()
    path = directory / "agent.toml"
    path.write_text(
        render_config(store_url=store_url, data_dir="data", bind=f"127.0.0.1:{port}")
    )
    update_secrets(path, consumer_key="ck_init", consumer_secret="cs_init", snapshot_key="k" * 64)
    return path, f"http://127.0.0.1:{port}"


def agent_cli(*args: str) -> Result:
    """Run ``luxebrain-agent ARGS`` in-process (the same click command, without the several
    seconds a fresh interpreter takes on a busy machine); ``exit_code`` and ``stderr`` as usual."""
    return CliRunner().invoke(cli, list(args))


class AgentProcess:
    """``luxebrain-agent run --config PATH`` in the background; stopped with SIGTERM."""

    def __init__(self, config_path: Path, url: str) -> None:
        self.config_path = config_path
        self.url = url
        self.process: subprocess.Popen[bytes] | None = None
        self.log = config_path.with_name("agent.log")

    def start(self, *, within: float = 30) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(AGENT_CLI), "run", "--config", str(self.config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"agent exited: {self.log.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        tail = self.log.read_text()[-3000:]
        raise RuntimeError(f"agent did not answer within {within} s: {tail}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


class HangingServer:
    """Accepts TCP connections and never answers: what a wedged agent looks like to WordPress."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def seed_agent(
    config_path: Path,
    products: list[dict],
    baskets: list[tuple[int, list[int]]],
    customers: Sequence[dict] = (),
) -> None:
    """Put WooCommerce-shaped products and paid orders into the agent's event log, exactly as
    a sync would (through the agent's own normaliser), so the models have something to learn.
    ``baskets`` are (customer id or 0 for a guest, product ids) pairs; ``customers`` are
    WooCommerce customer records.

    The test WordPress has no WooCommerce REST API for the agent to sync from.
    """
    config = load_config(config_path)
    store = Store.open(config.database_path)
    try:
        events = [product_event({**p, "date_modified_gmt": SEED_TIME}) for p in products]
        events += [customer_event({**c, "date_modified_gmt": SEED_TIME}) for c in customers]
        for number, (customer_id, basket) in enumerate(baskets, start=1):
            lines = [
                {"product_id": pid, "variation_id": 0, "quantity": 1, "subtotal": "10.00"}
                for pid in basket
            ]
            order = {
                "id": number,
                "status": "completed",
                "customer_id": customer_id,
                "billing": {"email": f"buyer{number}@example.com"},
                "currency": "EUR",
                "date_created_gmt": SEED_TIME,
                "date_paid_gmt": SEED_TIME,
                "date_modified_gmt": SEED_TIME,
                "total": f"{10 * len(basket)}.00",
                "line_items": lines,
            }
            events.append(order_event(order))
        EventLog(store).append(events)
    finally:
        store.close()
