"""SIGKILL the applier at random points during apply and snapshot: after restarts the models
answer exactly like an uninterrupted run (nothing lost, nothing counted twice)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from connector_agent.applier import Applier
from connector_agent.config import load_config
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from online_models import Brain
from online_models.checks import brain_answers, synthetic_events

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT_EVERY = "7"
ENV = {**os.environ, "LUXEBRAIN_MODELS__SNAPSHOT_EVERY_EVENTS": SNAPSHOT_EVERY}

#: The child applies the log and kills itself (a real SIGKILL) on the k-th pass through one
#: point: inside learning, while the brain is serialised, after the snapshot row is written but
#: before its transaction commits, or right after the commit.
CHILD = r"""
import os, signal, sys
from connector_agent.applier import Applier
from connector_agent.config import load_config
from connector_agent.store import Store
from online_models import Brain

config_path, phase, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
calls = 0

def killing(original):
    def wrapper(*args, **kwargs):
        global calls
        result = original(*args, **kwargs)
        calls += 1
        if calls == k:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return wrapper

target = {"learn": (Brain, "learn"), "serialise": (Brain, "snapshot"),
          "write": (Store, "save_snapshot"), "commit": (Applier, "_mark_snapshot")}[phase]
setattr(target[0], target[1], killing(getattr(*target)))
config = load_config(config_path)
store = Store.open(config.database_path)
applier = Applier(store, config)
applier.load()
applier.apply_pending()
applier.snapshot_now()
"""


def run_child(config_path: Path, phase: str, k: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(config_path), phase, str(k)],
        cwd=ROOT, env=ENV, capture_output=True, timeout=120,
    )
    assert done.returncode in (0, -signal.SIGKILL), done.stderr.decode()[-2000:]
    return done.returncode


@pytest.mark.slow
def test_killed_applier_answers_like_an_uninterrupted_run(config_path):
    config = load_config(config_path, environ=ENV)
    store = Store.open(config.database_path)
    logged = EventLog(store).append(synthetic_events(n_orders=150, seed=5))
    store.close()

    reference = Brain(seed=config.models.seed)
    for event in logged:
        reference.learn(event)

    rng = random.Random(20261126)
    kills = 0
    for phase in ("learn", "serialise", "write", "commit", "learn", "write"):
        k = rng.randrange(1, 25 if phase == "learn" else 4)
        kills += run_child(config_path, phase, k) == -signal.SIGKILL
    assert kills >= 4  # the kills did happen mid-run

    store = Store.open(config.database_path)
    applier = Applier(store, config)
    applier.load()
    applier.apply_pending()
    assert applier.applied_seq == logged[-1].seq
    assert brain_answers(applier.brain) == brain_answers(reference)
    store.close()
