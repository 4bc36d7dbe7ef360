"""``python -m connector_agent.demo.woo_double serve``: a separate process driven over HTTP."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests


@pytest.mark.parametrize("ending_now", [False, True])
def test_serve_prints_its_url_serves_and_stops_on_sigterm(ending_now: bool) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "connector_agent.demo.woo_double",
            "serve",
            "--limit-orders",
            "7",
            "--ck",
            "ck_x",
            "--cs",
            "cs_x",
            *(["--ending-now"] if ending_now else []),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        stats = requests.get(f"{url}/__double__/stats", timeout=10).json()
        assert stats["orders"] == 7
        listed = requests.get(
            f"{url}/wp-json/wc/v3/orders",
            auth=("ck_x", "cs_x"),
            headers={"X-Forwarded-Proto": "https"},
            timeout=10,
        )
        assert listed.headers["X-WP-Total"] == "7"
        newest = max(order["date_created_gmt"] for order in listed.json())
        made = datetime.fromisoformat(newest + "+00:00")
        if ending_now:  # the history moved forward to end in the past week
            assert timedelta(0) <= datetime.now(UTC) - made <= timedelta(days=7)
        else:
            assert newest.startswith("2009-12-01")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_refuses_a_bad_orders_file_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv.gz"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "connector_agent.demo.woo_double",
            "serve",
            "--orders",
            str(missing),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: {missing}: no such file"
