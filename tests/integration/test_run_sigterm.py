"""SIGTERM while the agent is still learning: it stops cleanly, checkpoints what it learned, and a
restart resumes from there, so the models end up exactly as if nothing had happened (no event
lost, none counted twice)."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from support.processes import agent_run, free_port

from connector_agent.config import load_config, update_secrets
from connector_agent.config_template import render_config
from connector_agent.eventlog import EventLog
from connector_agent.local_client import call_agent
from connector_agent.orders_csv import read_events
from connector_agent.store import Store
from online_models import Brain

REAL_ORDERS = (
    Path(__file__).resolve().parents[3] / "shared/data/uci_online_retail_ii_2009_2010/orders.csv.gz"
)
ORDERS = 1500

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not REAL_ORDERS.exists(), reason="needs ../shared/data"),
]


def start(config_path: Path, bind: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        agent_run(config_path, bind),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://{bind}/healthz", timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("the agent did not start")


def test_sigterm_mid_learning_then_restart_learns_each_event_once(tmp_path: Path) -> None:
    path = tmp_path / "agent.toml"
    path.write_text(render_config(store_url="http://127.0.0.1:9", data_dir="data"))
    update_secrets(path, shared_secret="ab" * 32, snapshot_key="cd" * 32)
    config = load_config(path, environ={})
    events = list(read_events(REAL_ORDERS, limit=ORDERS))
    store = Store.open(config.database_path)
    EventLog(store).append(events)
    store.close()

    bind = f"127.0.0.1:{free_port()}"
    first = start(path, bind)  # serving at once, while it learns the log in short slices
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=60) == 0
    store = Store.open(config.database_path)
    checkpoint = store.applied_seq()
    store.close()
    assert 0 < checkpoint <= len(events)  # typically about a third of the way

    second = start(path, bind)
    try:
        base = f"http://{bind}"
        deadline = time.monotonic() + 60
        while True:
            _, status = call_agent(config, "GET", "/v1/status", base_url=base)
            if status["applied_seq"] == len(events) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert status["applied_seq"] == status["event_seq"] == len(events)

        reference = Brain(seed=config.models.seed)
        for seq, event in enumerate(events, start=1):
            reference.learn(event.with_seq(seq))
        top = reference.popular(limit=1)[0].product_id
        expected = [(r.product_id, r.reason) for r in reference.recommend_for_product(top)]
        _, answer = call_agent(config, "GET", f"/v1/recommendations/product/{top}", base_url=base)
        assert [(item["id"], item["reason"]) for item in answer["items"]] == expected
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0
