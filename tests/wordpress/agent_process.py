"""The other side of the WordPress tests: a real agent (``luxebrain-agent run``) and its CLI,
plus a server that accepts connections and never answers (a hanging agent)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from harness import free_port

from connector_agent.config import update_secrets
from connector_agent.config_template import render_config

AGENT_CLI = Path(sys.executable).with_name("luxebrain-agent")


def write_agent_config(directory: Path, store_url: str) -> tuple[Path, str]:
    """An agent.toml on a free port, as ``init`` would write it; returns (path, agent URL)."""
    port = free_port()
    path = directory / "agent.toml"
    path.write_text(
        render_config(store_url=store_url, data_dir="data", bind=f"127.0.0.1:{port}")
    )
    update_secrets(path, consumer_key="ck_init", consumer_secret="cs_init", snapshot_key="k" * 64)
    return path, f"http://127.0.0.1:{port}"


def agent_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``luxebrain-agent ARGS`` as a user would."""
    return subprocess.run(
        [str(AGENT_CLI), *args], capture_output=True, text=True, timeout=timeout
    )


class AgentProcess:
    """``luxebrain-agent run --config PATH`` in the background; stopped with SIGTERM."""

    def __init__(self, config_path: Path, url: str) -> None:
        self.config_path = config_path
        self.url = url
        self.process: subprocess.Popen[bytes] | None = None
        self.log = config_path.with_name("agent.log")

    def start(self, *, within: float = 30) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(AGENT_CLI), "run", "--config", str(self.config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"agent exited: {self.log.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        tail = self.log.read_text()[-3000:]
        raise RuntimeError(f"agent did not answer within {within} s: {tail}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


class HangingServer:
    """Accepts TCP connections and never answers: what a wedged agent looks like to WordPress."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()
