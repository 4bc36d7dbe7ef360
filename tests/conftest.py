"""Fixtures every test folder may use: a fresh store, a written agent config, a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connector_agent.config import AgentConfig, load_config, update_secrets
from connector_agent.config_template import render_config
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from luxebrain.clock import FrozenClock

SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL_ORDERS = SHARED / "data" / "uci_online_retail_ii_2009_2010" / "orders.csv.gz"


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))


@pytest.fixture
def fresh_store(frozen_clock: FrozenClock) -> Store:
    store = Store.memory(clock=frozen_clock)
    yield store
    store.close()


@pytest.fixture
def event_log(fresh_store: Store) -> EventLog:
    return EventLog(fresh_store)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    """A working agent.toml (+ 0600 secrets) in a temporary directory."""
    path = tmp_path / "agent.toml"
    path.write_text(
        render_config(store_url="http://127.0.0.1:9", data_dir="data", bind="127.0.0.1:8765")
    )
    update_secrets(
        path, consumer_key="ck_test", consumer_secret="cs_test", snapshot_key="k" * 64
    )
    return path


@pytest.fixture
def agent_config(config_path: Path) -> AgentConfig:
    return load_config(config_path, environ={})
