"""Backfill benchmark: the whole shared order history from a local WooCommerce in another process.

The double (``python -m connector_agent.demo.woo_double serve``) is seeded with the real orders
of ``../shared/data/`` (each source invoice one WooCommerce order, a cancellation invoice a
cancelled order) and runs in its own process, so its CPU is not counted. This process runs the
agent's backfill (``Syncer`` into a fresh SQLite store, 100 per page, OAuth over http) and reports:

* orders/second of the orders pass, and of the whole backfill (products, customers, orders);
* the agent's own CPU seconds per 1,000 orders (``getrusage(RUSAGE_SELF)``: this process only);
* peak RSS of this process;
* a same-run baseline: the orders pages fetched and JSON-parsed only (no normalising, no store),
  so ``sync / fetch`` says what the agent adds on top of the HTTP round trips.

    python bench/backfill.py [--orders PATH] [--limit N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connector_agent.demo.woo_double.double import DEMO_ORDERS  # noqa: E402
from connector_agent.store import Store  # noqa: E402
from connector_agent.woo import Syncer, WooClient  # noqa: E402

SHARED_ORDERS = ROOT.parent / "shared" / "data" / "uci_online_retail_ii_2009_2010" / "orders.csv.gz"
PAGE = 100


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def start_double(orders: Path, limit: int | None) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "connector_agent.demo.woo_double", "serve", "--orders",
               str(orders)]
    if limit:
        command += ["--limit-orders", str(limit)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    url = server.stdout.readline().strip()
    if not url.startswith("http"):
        server.kill()
        raise SystemExit(f"the local WooCommerce did not start (got {url!r})")
    return server, url


def timed(work) -> tuple[object, float, float]:  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = work()
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def fetch_only(client: WooClient) -> int:
    """The baseline: every orders page, requested and parsed, nothing else."""
    page, count = 1, 0
    while True:
        items = client.list_page(
            "orders", {"orderby": "id", "order": "asc", "per_page": PAGE, "page": page}
        ).body
        count += len(items)
        if len(items) < PAGE:
            return count
        page += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--orders",
        type=Path,
        default=SHARED_ORDERS if SHARED_ORDERS.exists() else DEMO_ORDERS,
        help="order CSV (default: the shared dataset, else the repository's demo slice)",
    )
    parser.add_argument("--limit", type=int, default=None, help="seed only the first N orders")
    parser.add_argument("--json", dest="json_out", type=Path, default=None)
    args = parser.parse_args()

    server, url = start_double(args.orders, args.limit)
    try:
        client = WooClient(url, "ck_demo", "cs_demo")
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(Path(tmp) / "bench.sqlite")
            syncer = Syncer(client, store, page_size=PAGE)
            catalogue, catalogue_wall, _ = timed(
                lambda: syncer.run(resources=["products", "customers"])
            )
            report, orders_wall, orders_cpu = timed(lambda: syncer.run(resources=["orders"]))
            orders = report.resources["orders"].records  # type: ignore[attr-defined]
            counts = store.counts()
            store.close()
        fetched, fetch_wall, fetch_cpu = timed(lambda: fetch_only(client))
    finally:
        server.terminate()
        server.wait(timeout=30)

    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "orders": orders,
        "stored": counts,
        "orders_per_second": round(orders / orders_wall, 1),
        "backfill_seconds": round(catalogue_wall + orders_wall, 2),
        "backfill_orders_per_second": round(orders / (catalogue_wall + orders_wall), 1),
        "agent_cpu_seconds_per_1000_orders": round(orders_cpu / orders * 1000, 3),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "baseline_fetch_only_orders_per_second": round(fetched / fetch_wall, 1),
        "baseline_fetch_only_cpu_seconds_per_1000_orders": round(fetch_cpu / fetched * 1000, 3),
        "sync_vs_fetch_wall_ratio": round(orders_wall / fetch_wall, 2),
        "sync_vs_fetch_cpu_ratio": round(orders_cpu / fetch_cpu, 2),
    }
    for key, value in result.items():
        print(f"{key:48} {value}")
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
