"""``bench/fallback.py`` runs the EVALUATION.md protocol end to end on a small order file."""

from __future__ import annotations

import csv
import gzip
import itertools
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from support.processes import run_bench

from connector_agent.orders_csv import COLUMNS


def orders_file(path: Path) -> Path:
    """60 days of orders by 120 customers over 200 products with a popular head."""
    rng = random.Random(3)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    words = [
        "amber",
        "birch",
        "candle",
        "cotton",
        "enamel",
        "glass",
        "heart",
        "ivory",
        "jute",
        "linen",
        "marble",
        "napkin",
        "oak",
        "pewter",
        "quilt",
        "rattan",
        "silver",
        "teapot",
        "velvet",
        "wicker",
    ]
    names = [" ".join(c) for c in rng.sample(list(itertools.combinations(words, 3)), 200)]
    with gzip.open(path, "wt", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(2400):
            when = (start + timedelta(minutes=36 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
            products = {min(int(rng.paretovariate(1.0)) - 1, 199) for _ in range(3)}
            for p in sorted(products):
                writer.writerow(
                    [
                        f"o{n}",
                        f"c{rng.randrange(120)}",
                        when,
                        f"P{p}",
                        names[p],
                        "",
                        1,
                        "2.50",
                        "GBP",
                        "completed",
                    ]
                )
    return path


def test_the_bench_writes_the_documented_json(tmp_path: Path) -> None:
    result = run_bench(
        "fallback.py",
        *("--orders", str(orders_file(tmp_path / "orders.csv.gz"))),
        out=tmp_path / "fallback.json",
    )
    rates = result["new_store_hit_rate@10"]
    assert set(rates) == {"own_popularity", "with_cloud_fallback"}
    assert all(0.0 <= r <= 1.0 for r in rates.values())
    assert (result["stores"], result["k"], result["evaluated_orders"]) == (6, 3, 100)
    assert result["published_items"] > 0 and result["mapped_items"] > 0
    assert result["mapping_precision"] >= 0.9  # perturbed titles and partial GTINs still map
    assert rates["with_cloud_fallback"] >= rates["own_popularity"]
