"""How the brain grows with the shop: the real order file as a shop ``k`` times its size.

Each copy of the file gets its own products and customers (ids suffixed ``~1`` … ``~k``) and its
orders at the same times, so the shop has ``k`` times the catalogue, the customers and the
orders per day, with the same baskets. Each size runs in a process of its own (so each peak RSS
is its own) and reports: learning speed, peak RSS and RSS per 1,000 products, the largest
co-purchase row (kept at ``2 * max_neighbours`` whatever the size), query p99, snapshot size
and times, and the answers that walk a whole model on the agent's event loop: segment sizes and
the running-out list (every product given stock). ``k = 1`` is the baseline: ratios against
it say how each figure grows. CPU seconds; numbers only, never asserted.

    python bench/scale.py --orders ../shared/data/uci_online_retail_ii_2009_2010/orders.csv.gz \
        [--copies 1 3] [--limit N] [--json OUT]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connector_agent.evaluation.metrics import percentile
from connector_agent.orders_csv import read_events
from online_models import Brain
from online_models.events import Event

QUERIES = 2000


def _copy(event: Event, n: int) -> Event:
    """The event as it would be in copy ``n``: its own product and customer ids."""
    payload = dict(event.payload)
    if event.kind == "product.upserted":
        payload["id"] = f"{payload['id']}~{n}"
        return Event(0, event.kind, payload["id"], event.version, event.occurred_at, payload)
    if payload.get("customer_id"):
        payload["customer_id"] = f"{payload['customer_id']}~{n}"
    payload["id"] = f"{payload['id']}~{n}"
    payload["line_items"] = [
        {**item, "product_id": f"{item['product_id']}~{n}"} for item in payload["line_items"]
    ]
    return Event(0, event.kind, f"{event.key}~{n}", event.version, event.occurred_at, payload)


def shop(orders: Path, copies: int, limit: int | None) -> Iterator[Event]:
    for event in read_events(orders, limit=limit):
        for n in range(1, copies + 1):
            yield _copy(event, n)


def _ms(call) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    call()
    return round((time.process_time() - start) * 1e3, 1)


def one_size(orders: Path, copies: int, limit: int | None, seed: int) -> dict[str, float]:
    brain = Brain(seed=seed)
    learn_s = 0.0
    n_orders = 0
    customers: set[str] = set()
    products: set[str] = set()
    for event in shop(orders, copies, limit):
        start = time.process_time()
        brain.learn(event)
        learn_s += time.process_time() - start
        if event.kind == "order.upserted":
            n_orders += 1
            if event.payload.get("customer_id"):
                customers.add(event.payload["customer_id"])
        else:
            products.add(event.key)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    rng = random.Random(seed)
    ordered_customers, ordered_products = sorted(customers), sorted(products)
    times = []
    for _ in range(QUERIES):
        start = time.process_time()
        if rng.random() < 0.5:
            brain.recommend_for_customer(rng.choice(ordered_customers))
        else:
            brain.recommend_for_product(rng.choice(ordered_products))
        times.append((time.process_time() - start) * 1e6)
    start = time.process_time()
    data = brain.snapshot()
    write_s = time.process_time() - start
    start = time.process_time()
    Brain.restore(data)
    restore_s = time.process_time() - start
    segments_ms = _ms(brain.segment_sizes)
    for product_id in ordered_products:  # the same product, now with stock
        known = brain.product(product_id) or {}
        payload = {**known, "id": product_id, "stock_quantity": 50}
        brain.learn(Event(0, "product.upserted", product_id, "stocked", "2010-12-01T00:00:00Z",
                          payload))
    running_out_ms = _ms(lambda: brain.running_out(within_days=14))
    stats = brain.stats()
    return {
        "copies": copies,
        "orders": n_orders,
        "products": stats["catalogue_products"],
        "customers": len(customers),
        "learn_orders_per_s": round(n_orders / learn_s, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "copurchase_pairs": stats["copurchase_pairs"],
        "copurchase_largest_row": stats["copurchase_largest_row"],
        "recommend_us_p99": round(percentile(times, 0.99), 1),
        "snapshot_mb": round(len(data) / 1e6, 2),
        "snapshot_write_s": round(write_s, 3),
        "snapshot_restore_s": round(restore_s, 3),
        "segment_sizes_ms": segments_ms,
        "running_out_ms": running_out_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=Path, required=True)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--limit", type=int)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: one size
    args = parser.parse_args()
    if args.one is not None:
        print(orjson.dumps(one_size(args.orders, args.one, args.limit, args.seed)).decode())
        return
    results = []
    for copies in args.copies:
        command = [sys.executable, __file__, "--orders", str(args.orders), "--one", str(copies),
                   "--seed", str(args.seed)]
        if args.limit:
            command += ["--limit", str(args.limit)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        results.append(orjson.loads(done.stdout.splitlines()[-1]))
    base = results[0]
    for result in results:
        print(f"copies {result['copies']}")
        for key, value in result.items():
            if key == "copies":
                continue
            ratio = f"  ({value / base[key]:.2f} × copies {base['copies']})" if base[key] else ""
            print(f"  {key:26s} {value}{ratio}")
    if args.json:
        args.json.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main()
