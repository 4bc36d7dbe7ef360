"""``luxebrain-agent run``: the real server (Hypercorn) on a free port, called over HTTP.

The process learns in the background, answers signed calls, and on SIGTERM stops cleanly with
its models checkpointed at the last event it appended.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from support.processes import agent_run, free_port, wait_healthy

from connector_agent.cli import cli
from connector_agent.config import load_config, update_secrets
from connector_agent.config_template import render_config
from connector_agent.local_client import call_agent
from connector_agent.store import Store

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def agent_toml(tmp_path: Path) -> Path:
    """A paired agent with no WooCommerce keys, so no sync job reaches out during the test."""
    path = tmp_path / "agent.toml"
    path.write_text(render_config(store_url="http://127.0.0.1:9", data_dir="data"))
    update_secrets(path, shared_secret="ab" * 32, snapshot_key="cd" * 32)
    return path


@pytest.fixture
def server(agent_toml: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    bind = f"127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        agent_run(agent_toml, bind),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://{bind}"
    wait_healthy(process, base, what="the agent")
    yield process, base
    if process.poll() is None:
        process.kill()
        process.wait()


def test_the_server_answers_signed_calls_learns_and_stops_on_sigterm(
    server: tuple[subprocess.Popen[bytes], str], agent_toml: Path
) -> None:
    process, base = server
    config = load_config(agent_toml, environ={})

    assert requests.get(f"{base}/v1/status", timeout=5).status_code == 401
    too_big = b"x" * (config.api.max_body_bytes + 1)
    for body in (too_big, iter([too_big[:1000], too_big[1000:]])):  # sized, then chunked
        refused = requests.post(f"{base}/v1/events", data=body, timeout=5)
        assert refused.status_code == 413
        assert refused.json()["error"]["code"] == "payload_too_large"
    status, answer = call_agent(config, "GET", "/v1/recommendations/popular", base_url=base)
    assert (status, answer) == (200, {"items": []})

    batch = {
        "session_id": "sess-0001",
        "customer_id": "7",
        "events": [{"id": str(uuid.uuid4()), "type": "view", "product_id": 3}],
    }
    status, answer = call_agent(config, "POST", "/v1/events", batch, base_url=base)
    assert (status, answer) == (202, {"accepted": 1, "duplicates": 0})

    deadline = time.monotonic() + 10
    while True:  # the applier learns in the background
        status, answer = call_agent(config, "GET", "/v1/status", base_url=base)
        if answer["applied_seq"] == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert status == 200 and answer["event_seq"] == 1 and answer["models_ready"] is True

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    store = Store.open(config.database_path)
    try:
        assert store.applied_seq() == 1
    finally:
        store.close()


def test_a_bad_bind_is_a_usage_error(agent_toml: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "--config", str(agent_toml), "--bind", "nowhere"])
    assert result.exit_code == 2
    assert "--bind: must be HOST:PORT" in result.output


def test_a_busy_port_is_a_one_line_error(agent_toml: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        bind = f"127.0.0.1:{taken.getsockname()[1]}"
        result = subprocess.run(
            agent_run(agent_toml, bind),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Error: cannot listen on {bind}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr
