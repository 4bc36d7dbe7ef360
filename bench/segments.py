"""How segment sizes scale with a shop's customers: counted over (last order day, orders) cells
(what ``Segmenter.segment_sizes`` does) against each customer's own segment counted one by one
(the baseline, in the same process, on the same segmenter). ``/v1/insights/segments`` answers
on the agent's event loop, so this is also how long it holds up the widgets.

Customers are generated (seeded): order counts geometric, last orders spread over ``--days``,
spend log-normal; the real file has only ~4,300 customers. Numbers only, never asserted.

    python bench/segments.py [--customers 20000 100000 500000] [--days 1095] [--json OUT]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from online_models.segment import Segmenter
from online_models.segment.rfm import SEGMENTS

DAY = 86_400.0


def shop(customers: int, days: int, seed: int) -> Segmenter:
    rng = random.Random(seed)
    segmenter = Segmenter()
    for n in range(customers):
        orders = 1
        while rng.random() < 0.55 and orders < 200:
            orders += 1
        last = rng.randrange(days) * DAY + rng.randrange(86_400)
        for k in range(orders):
            ts = last - (orders - 1 - k) * rng.randrange(1, 30) * DAY
            segmenter.learn(f"c{n}", ts=ts, amount=rng.lognormvariate(4.0, 1.0), orders=1)
    return segmenter


def one_by_one(segmenter: Segmenter) -> dict[str, int]:
    sizes = dict.fromkeys(SEGMENTS, 0)
    for customer_id in segmenter.customers():
        found = segmenter.segment_of(customer_id)
        if found is not None:
            sizes[str(found["segment"])] += 1
    return sizes


def run(customers: int, days: int, seed: int) -> dict[str, float]:
    segmenter = shop(customers, days, seed)
    t0 = time.process_time()
    cells = segmenter.segment_sizes()
    cells_s = time.process_time() - t0
    t0 = time.process_time()
    baseline = one_by_one(segmenter)
    baseline_s = time.process_time() - t0
    if cells != baseline:  # a benchmark of a wrong answer is no benchmark
        raise SystemExit(f"sizes differ: {cells} != {baseline}")
    return {
        "customers": customers,
        "cells": segmenter.cell_count(),
        "segment_sizes_ms": round(cells_s * 1e3, 2),
        "one_by_one_ms": round(baseline_s * 1e3, 2),
        "speedup": round(baseline_s / max(cells_s, 1e-9), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[20_000, 100_000, 500_000])
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = [run(n, args.days, args.seed) for n in args.customers]
    for result in results:
        print("  ".join(f"{key} {value}" for key, value in result.items()))
    if args.json:
        args.json.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main()
