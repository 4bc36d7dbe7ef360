"""The README's first command: the demo checks its own work and exits 0 only if all of it worked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_for_seconds_passes_its_self_check(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "connector_agent", "demo", "--for", "40", "--every", "3",
         "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    for check in ("backfill", "webhook pings", "webhooks", "learning", "api", "co-purchase"):
        assert f"PASS  {check}:" in output
    assert "FAIL" not in output
    assert (tmp_path / "agent.toml").exists()
    assert (tmp_path / "data" / "secrets.toml").stat().st_mode & 0o777 == 0o600
    assert "stopped (exit 0)" in output  # the agent shut down cleanly on SIGTERM
