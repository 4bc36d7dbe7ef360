"""Benchmark the Brain alone on a real order history: learning speed, query latency, snapshot
time and size, memory. Prints numbers and ratios against the issue's budgets; never asserts.
Times are CPU seconds of this process (the dev machine is shared, and its speed drifts by a third
within an hour). The same process also times a plain dict co-occurrence counter on the file's
first baskets, and prints learning and query times as multiples of its pair update
(``*_in_baseline_updates``): a cost that two runs, two commits or two machines can compare more
fairly than seconds (not a conversion to the budgets' machine: the counter fits in the CPU's
caches and the brain does not, so no one ratio maps one machine onto another).
Learning runs as in the agent: every ``SETTLE_EVERY`` events (its snapshot interval) the heap
is settled, untimed, as the applier does after each snapshot (``connector_agent.heap``; without
it every full collection rescans the growing brain: 10-15 % of the learning time, measured
2026-12-07 on the shared development machine).
peak_rss_mb is the process peak once every model has learned the file (interpreter and
libraries included); restoring a snapshot beside the live brain briefly holds two copies
(reported separately).
The queries run twice: on the brain that learned the file, then (``restored_*``) on its restored
snapshot, which is what an agent serves after a restart (its objects lie together in memory).

    python bench/models.py --orders ../shared/data/uci_online_retail_ii_2009_2010/orders.csv.gz \
        [--limit N] [--json OUT]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connector_agent import heap
from connector_agent.evaluation.metrics import percentile
from connector_agent.evaluation.replay import SETTLE_EVERY
from connector_agent.orders_csv import read_events
from online_models import Brain

BUDGETS = {"learn_orders_per_s": 1000, "recommend_us_p99": 2000, "peak_rss_mb": 300,
           "snapshot_write_s": 1.0, "snapshot_restore_s": 1.0}
QUERIES = 3000
#: orders whose baskets the same-process baseline (a dict co-occurrence counter) counts
BASELINE_ORDERS = 5000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def pair_counter_speed(baskets: list[tuple[str, ...]]) -> float:
    """Pair updates per CPU second of a plain dict co-occurrence counter: the same-process
    baseline that says how fast this machine is."""
    counts: dict[str, dict[str, int]] = {}
    updates = 0
    start = time.process_time()
    for basket in baskets:
        for a in basket:
            row = counts.setdefault(a, {})
            for b in basket:
                if a != b:
                    row[b] = row.get(b, 0) + 1
                    updates += 1
    return updates / max(time.process_time() - start, 1e-9)


def time_queries(brain: Brain, customers: list[str], products: list[str], seed: int
                 ) -> dict[str, list[float]]:
    """CPU microseconds of ``QUERIES`` seeded random queries, per kind (the first pass: no
    ranking the brain caches between orders is warm yet)."""
    rng = random.Random(seed)
    timings: dict[str, list[float]] = {"customer": [], "product": [], "cart": [], "popular": []}
    for _ in range(QUERIES):
        kind = rng.choice(tuple(timings))
        t0 = time.process_time()
        if kind == "customer":
            brain.recommend_for_customer(rng.choice(customers))
        elif kind == "product":
            brain.recommend_for_product(rng.choice(products))
        elif kind == "cart":
            brain.recommend_for_cart(rng.sample(products, 3))
        else:
            brain.popular()
        timings[kind].append((time.process_time() - t0) * 1e6)
    return timings


def run(orders: Path, limit: int | None, seed: int) -> dict[str, float]:
    """Stream the file into a brain (only ``learn`` is timed, in CPU seconds), then query it."""
    rss_before = _rss_mb()
    brain = Brain(seed=seed)
    learn_s = 0.0
    n_orders = 0
    customers: set[str] = set()
    products: set[str] = set()
    baskets: list[tuple[str, ...]] = []
    for learned, event in enumerate(read_events(orders, limit=limit), start=1):
        if learned % SETTLE_EVERY == 0:
            heap.settle()  # as the agent's applier does after each snapshot (untimed, as there)
        start = time.process_time()
        brain.learn(event)
        learn_s += time.process_time() - start
        if event.kind == "order.upserted":
            n_orders += 1
            if len(baskets) < BASELINE_ORDERS:
                lines = event.payload.get("line_items") or []
                baskets.append(tuple(dict.fromkeys(str(ln["product_id"]) for ln in lines)))
            if event.payload.get("customer_id"):
                customers.add(event.payload["customer_id"])
        else:
            products.add(event.key)
    customers, products = sorted(customers), sorted(products)
    rss_learned = _rss_mb()
    # as the agent does once its models are loaded (connector_agent.agent.Agent.start): keep
    # the long-lived models out of full collections, which would stall a query for ~0.2 s
    heap.settle()
    timings = time_queries(brain, customers, products, seed)
    t0 = time.process_time()
    data = brain.snapshot()
    write_s = time.process_time() - t0
    t0 = time.process_time()
    restored = Brain.restore(data)
    restore_s = time.process_time() - t0
    rss_with_copy = _rss_mb()
    # what the agent serves after a restart: the same queries on the restored copy
    del brain
    heap.settle()
    restored_timings = time_queries(restored, customers, products, seed)
    restored_every = [t for ts in restored_timings.values() for t in ts]
    every = [t for ts in timings.values() for t in ts]
    baseline = pair_counter_speed(baskets)
    result = {
        "orders": n_orders,
        "baseline_pair_updates_per_s": round(baseline),
        "learn_orders_per_s": round(n_orders / learn_s, 1),
        "learn_order_in_baseline_updates": round(baseline * learn_s / n_orders),
        "recommend_us_p50": round(percentile(every, 0.5), 1),
        "recommend_us_p99": round(percentile(every, 0.99), 1),
        "recommend_p50_in_baseline_updates": round(percentile(every, 0.5) * baseline / 1e6),
        "recommend_p99_in_baseline_updates": round(percentile(every, 0.99) * baseline / 1e6),
        **{f"{k}_us_p99": round(percentile(v, 0.99), 1) for k, v in timings.items() if v},
        "snapshot_mb": round(len(data) / 1e6, 2),
        "snapshot_write_s": round(write_s, 3),
        "snapshot_restore_s": round(restore_s, 3),
        "peak_rss_mb": round(rss_learned, 1),
        "rss_before_models_mb": round(rss_before, 1),
        "peak_rss_with_restored_copy_mb": round(rss_with_copy, 1),
        "restored_recommend_us_p50": round(percentile(restored_every, 0.5), 1),
        "restored_recommend_us_p99": round(percentile(restored_every, 0.99), 1),
        **{
            f"restored_{kind}_us_p99": round(percentile(times, 0.99), 1)
            for kind, times in restored_timings.items()
        },
        **restored.stats(),
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.orders, args.limit, args.seed)
    for key, value in result.items():
        budget = BUDGETS.get(key)
        ratio = f"  ({value / budget:.2f} × budget {budget})" if budget else ""
        print(f"{key:28s} {value}{ratio}")
    if args.json:
        args.json.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main()
