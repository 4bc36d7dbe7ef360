"""Run real processes in tests: a free loopback port, waiting until a server answers, and a
benchmark script run to its JSON report."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(
    process: subprocess.Popen[bytes], base_url: str, *, what: str, timeout: float = 30.0
) -> None:
    """Poll ``base_url/healthz`` until it answers 200; fail with the process's output if it dies."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:  # not listening, or not serving yet
            pass
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise AssertionError(f"{what} exited with {process.returncode}: {output[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not answer within {timeout:.0f} s")
        time.sleep(0.1)


def agent_run(config: Path | str, bind: str) -> list[str]:
    """The command line of ``luxebrain-agent run`` on ``config``, serving on ``bind``."""
    return [sys.executable, "-m", "connector_agent", "run", "--config", str(config), "--bind", bind]


def run_bench(script: str, *args: str, out: Path, timeout: float = 120.0) -> dict[str, Any]:
    """Run ``bench/<script>`` with ``args`` and ``--json out``; its report, or fail with stderr."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return orjson.loads(out.read_bytes())
