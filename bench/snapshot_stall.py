"""How long a model snapshot holds up the agent's queries: on the loop (the baseline, in the
same process) against serialised and stored in worker threads (what ``Applier.run`` does).

The brain learns the order file, then an :class:`~connector_agent.applier.Applier` over a
temporary store writes snapshots of it while a probe on the same event loop asks for product
recommendations, one every millisecond. For each way of writing it prints the snapshot's wall
time, the queries answered meanwhile and the probe's worst and p99 wait (the time beyond the
millisecond it asked to sleep, query included). Numbers only, never asserted.

    python bench/snapshot_stall.py \
        --orders ../shared/data/uci_online_retail_ii_2009_2010/orders.csv.gz \
        [--limit N] [--rounds 3] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connector_agent import heap
from connector_agent.applier import Applier
from connector_agent.config import load_config, update_secrets
from connector_agent.config_template import render_config
from connector_agent.evaluation.metrics import percentile
from connector_agent.orders_csv import read_events
from connector_agent.store import Store
from online_models import Brain

#: the probe's pause between two queries, seconds
TICK = 0.001


async def _measure(write: Callable[[], Awaitable[None]], brain: Brain, products: list[str]
                   ) -> dict[str, float]:
    """Run ``write`` while a probe queries the brain every TICK on the same loop."""
    waits: list[float] = []
    done = asyncio.Event()
    rng = random.Random(7)

    async def probe() -> None:
        while not done.is_set():
            started = time.perf_counter()
            await asyncio.sleep(TICK)
            brain.recommend_for_product(rng.choice(products))
            waits.append(time.perf_counter() - started - TICK)

    prober = asyncio.create_task(probe())
    await asyncio.sleep(0.05)  # the probe is running
    waits.clear()
    started = time.perf_counter()
    await write()
    wall = time.perf_counter() - started
    done.set()
    await prober
    return {
        "snapshot_wall_s": round(wall, 3),
        "queries_answered": len(waits),
        "worst_wait_ms": round(max(waits, default=0.0) * 1e3, 2),
        "p99_wait_ms": round(percentile(waits, 0.99) * 1e3, 2),
    }


def run(orders: Path, limit: int | None, rounds: int) -> dict[str, object]:
    brain = Brain(seed=42)
    for event in read_events(orders, limit=limit):
        brain.learn(event)
    products = sorted(r.product_id for r in brain.popular(limit=100))
    heap.settle()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "agent.toml"
        path.write_text(
            render_config(store_url="http://127.0.0.1:9", data_dir="data", bind="127.0.0.1:8765")
        )
        update_secrets(path, consumer_key="ck", consumer_secret="cs", snapshot_key="k" * 64)
        store = Store.open(Path(tmp) / "agent.sqlite")
        try:
            applier = Applier(store, load_config(path, environ={}))
            applier.brain = brain

            async def on_loop() -> None:
                applier.applied_seq += 1  # something new to write
                applier.snapshot_now()

            async def off_loop() -> None:
                applier.applied_seq += 1
                await applier.snapshot_off_loop()

            results: dict[str, list[dict[str, float]]] = {"on_loop": [], "off_loop": []}
            for _ in range(rounds):  # alternate, so drift in machine speed hits both alike
                results["on_loop"].append(asyncio.run(_measure(on_loop, brain, products)))
                results["off_loop"].append(asyncio.run(_measure(off_loop, brain, products)))
        finally:
            store.close()
    # the median of the rounds, per figure
    summary: dict[str, object] = {"orders_file": str(orders), "rounds": rounds}
    for way, runs in results.items():
        summary[way] = {
            "snapshot_wall_s": percentile([r["snapshot_wall_s"] for r in runs], 0.5),
            "queries_answered": percentile([r["queries_answered"] for r in runs], 0.5),
            "worst_wait_ms": percentile([r["worst_wait_ms"] for r in runs], 0.5),
            "p99_wait_ms": percentile([r["p99_wait_ms"] for r in runs], 0.5),
        }
    on, off = summary["on_loop"], summary["off_loop"]
    summary["worst_wait_ratio_off_to_on"] = round(
        off["worst_wait_ms"] / max(on["worst_wait_ms"], 1e-9), 3  # type: ignore[index]
    )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.orders, args.limit, args.rounds)
    for key, value in result.items():
        print(f"{key:28s} {value}")
    if args.json:
        args.json.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main()
