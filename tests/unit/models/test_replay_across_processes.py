"""A replay in another process learns the same models to the bit.

Python salts its string hashes per process, so a set of feature names is iterated in another
order in each one. The agent rebuilds its models from the event log in a new process (after a
refused snapshot, an upgrade, a crash before the first snapshot), so whatever a model sums must
not follow a set's order: the rounding of each sum would differ, and with it, now and then, an
answer.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.processes import ROOT

DEMO_ORDERS = ROOT / "connector_agent" / "demo" / "data" / "orders_2009-12_2010-01.csv.gz"

LEARN_AND_REPORT = f"""
import hashlib, sys
sys.path.insert(0, {str(ROOT)!r})
from connector_agent.orders_csv import read_events
from online_models import Brain

brain = Brain(seed=7)
customers, products = [], []
for event in read_events({str(DEMO_ORDERS)!r}, limit=1500):
    brain.learn(event)
    if event.kind == "order.upserted" and event.payload.get("customer_id"):
        customers.append(event.payload["customer_id"])
        products.append(str(event.payload["line_items"][0]["product_id"]))
for blend in (brain._learned, brain._learned_items):
    weights = blend._model.weights
    print(sorted((name, value.hex()) for name, value in weights.items()))
for customer in customers[-60:]:
    print([(r.product_id, r.score) for r in brain.recommend_for_customer(customer, limit=20)])
for product in products[-60:]:
    print([(r.product_id, r.score) for r in brain.recommend_for_product(product, limit=10)])
print("state", hashlib.sha256(brain.snapshot()).hexdigest())
"""


def _learn_in_a_process(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", LEARN_AND_REPORT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout


def test_two_processes_with_other_hash_seeds_learn_identical_models():
    """Every model's state (the snapshot's bytes), the rankers' weights and the answers."""
    first, second = _learn_in_a_process("1"), _learn_in_a_process("2")
    weights = first.splitlines()[:2]
    assert all(line.count("0x") >= 5 for line in weights)  # both rankers learned
    assert first == second
