"""Start real server processes in tests: a free loopback port, and waiting until one answers."""

from __future__ import annotations

import socket
import subprocess
import time

import requests


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
