"""Agent ↔ cloud end to end with real processes: usage reports and cross-store fallbacks.

The cloud runs as ``luxebrain-cloud serve`` (Hypercorn) on the selected backend and publishes
with ``fallbacks publish``; four agents (three established shops and one new one) check in, then
run ``cloud sync`` as separate processes. The new shop ends up with the others' best sellers
mapped onto its own catalogue.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from support.processes import free_port, wait_healthy

from cloud_api import licences
from cloud_api.db import connect_db, transaction
from cloud_api.signing import create_key
from connector_agent.cloud.sync import CloudSync
from connector_agent.config import load_config, update_secrets
from connector_agent.config_template import render_config
from connector_agent.eventlog import EventLog
from connector_agent.licence import checkin
from connector_agent.store import Store
from luxebrain.clock import SystemClock
from online_models.events import Event, format_time
from tests.cloud.conftest import database_url, template  # noqa: F401  (the backend fixtures)

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]

PY = sys.executable
CLOUD_CLI = "from cloud_api.cli import main; main()"


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture
def cloud(database_url: str) -> Iterator[tuple[str, list[str]]]:  # noqa: F811
    """A served cloud and four licence keys (pro plan, paid)."""
    connect_db(database_url)  # already migrated by the fixture
    now = int(time.time())
    with transaction():
        create_key(now)
        keys = [
            licences.issue(
                tenant=f"Shop {n}",
                plan="pro",
                stores=1,
                days=365,
                actor="test",
                now=now,
                trial=False,
            )[1]
            for n in range(4)
        ]
    bind = f"127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [PY, "-c", CLOUD_CLI, "serve", "--database", database_url, "--bind", bind],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://{bind}"
    wait_healthy(process, base, what="the cloud")
    yield base, keys
    process.terminate()
    process.wait(timeout=10)


def product(pid: str, name: str, gtin: str | None, at: str) -> Event:
    payload = {
        "id": pid,
        "name": name,
        "status": "publish",
        "gtin": gtin,
        "categories": [{"id": 1, "name": "Kitchen"}],
        "stock_status": "instock",
    }
    return Event(0, "product.upserted", pid, f"v-{pid}", at, payload)


def order(key: str, at: str, *products: str) -> Event:
    lines = [
        {"product_id": p, "name": p, "category": None, "quantity": 1, "unit_price": "3.00"}
        for p in products
    ]
    payload = {
        "id": key,
        "status": "completed",
        "customer_id": "c1",
        "created_at": at,
        "line_items": lines,
    }
    return Event(0, "order.upserted", key, f"v-{key}", at, payload)


def agent(tmp: Path, n: int, base: str, key: str, *, sells: bool) -> Path:
    """An agent config with a seeded store (the WooCommerce sync is not part of this test)."""
    path = tmp / f"agent{n}" / "agent.toml"
    path.parent.mkdir()
    text = render_config(store_url=f"https://shop{n}.example", data_dir="data")
    path.write_text(text.replace('cloud_url = ""', f'cloud_url = "{base}"', 1))
    update_secrets(path, licence_key=key, snapshot_key="cd" * 32)
    yesterday = format_time(datetime.now(UTC) - timedelta(days=1))
    # each shop spells the mug its own way; only shop 3 (the new one) has no orders
    spelling = ["Enamel Mug, WHITE", "white enamel mug", "Mug Enamel White", "WHITE ENAMEL MUG"]
    events = [
        product(f"mug-{n}", spelling[n], None, yesterday),
        product(f"kettle-{n}", "Steel Kettle", "4006381333931", yesterday),
        product(f"own-{n}", f"House special {n}", None, yesterday),
    ]
    if sells:
        events += [
            order(f"o{n}-1", yesterday, f"mug-{n}", f"own-{n}"),
            order(f"o{n}-2", yesterday, f"mug-{n}", f"kettle-{n}"),
        ]
    store = Store.open(load_config(path, environ={}).database_path)
    try:
        EventLog(store).append(events)
    finally:
        store.close()
    assert checkin(load_config(path, environ={}), SystemClock()).status == "active"
    return path


def cloud_sync(path: Path) -> dict:
    done = run(PY, "-m", "connector_agent", "cloud", "sync", "--config", str(path), "--json")
    return orjson.loads(done.stdout)


def test_usage_and_fallbacks_flow_between_real_processes(
    cloud,
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    base, keys = cloud
    shops = [agent(tmp_path, n, base, keys[n], sells=n < 3) for n in range(3)]
    rounds = [cloud_sync(path) for path in shops]
    today = datetime.now(UTC).date().isoformat()
    for result in rounds:
        assert (result["usage"]["days"], result["usage"]["changed"]) == (7, 7)  # a week, new
        assert result["aggregates"]["items"] == 3
        assert result["fallback"] == {"mapped": 0}  # nothing published yet
    again = cloud_sync(shops[0])
    assert again["usage"]["changed"] == 0  # a repeated report counts nothing twice
    assert again["aggregates"] is None  # at most daily

    run(PY, "-c", CLOUD_CLI, "fallbacks", "publish", "--database", database_url)

    new_shop = agent(tmp_path, 3, base, keys[3], sells=False)
    result = cloud_sync(new_shop)
    assert result["fallback"] == {"mapped": 2}
    state = orjson.loads((new_shop.parent / "data" / "cloud_fallback.json").read_bytes())
    assert state["fallback"] == [
        ["mug-3", "popular in 3 similar shops (LuxeBrain cloud)"],  # by title, typo-free here
        ["kettle-3", "popular in 3 similar shops (LuxeBrain cloud)"],  # by GTIN
    ]
    # "House special n" was sold by one shop each: never published (k = 3)

    config = load_config(shops[0], environ={})
    store = Store.open(config.database_path)
    try:
        account = CloudSync(config, store, SystemClock()).account()  # the plugin page's data
    finally:
        store.close()
    assert account["tenant"] == "Shop 0"
    assert [(u["store_url"], u["period"], u["orders_synced"]) for u in account["usage"]] == [
        ("https://shop0.example", today[:7], 2)
    ]
