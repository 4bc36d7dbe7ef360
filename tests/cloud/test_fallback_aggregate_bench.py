"""``bench/aggregate.py`` (PostgreSQL only): publishes the expected items from generated uploads."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.processes import run_bench

from tests.cloud.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="the bench needs PostgreSQL")


def test_a_small_run_publishes_the_head_and_never_the_tail(tmp_path: Path) -> None:
    result = run_bench(
        "aggregate.py",
        *("--stores", "60", "--products", "200", "--head", "100"),
        out=tmp_path / "aggregate.json",
    )
    assert result["rows"] == 12_000
    # every store sells all 100 head items (3 stores per vertical); tail items: at most 2 stores
    assert result["published_items"] == 100 * 20
    assert result["spilled_to_disk_mb"] == 0.0
