"""``bench/snapshot_stall.py`` on the shipped two-month slice: both ways of writing a snapshot
are measured against the same probe, and only the worker thread lets queries through."""

from __future__ import annotations

from pathlib import Path

from support.processes import run_bench

DEMO_DATA = Path(__file__).resolve().parents[2] / "connector_agent" / "demo" / "data"
SLICE = DEMO_DATA / "orders_2009-12_2010-01.csv.gz"


def test_a_short_run_measures_both_ways_of_writing_a_snapshot(tmp_path: Path) -> None:
    result = run_bench("snapshot_stall.py", "--orders", str(SLICE), "--limit", "1500",
                       "--rounds", "1", out=tmp_path / "stall.json", timeout=300)
    on, off = result["on_loop"], result["off_loop"]
    for way in (on, off):
        assert way["snapshot_wall_s"] > 0 and way["worst_wait_ms"] >= way["p99_wait_ms"] >= 0
    # on the loop, the probe's one wait spans the whole snapshot; beside it, queries go on
    assert on["queries_answered"] <= 1
    assert on["worst_wait_ms"] >= on["snapshot_wall_s"] * 1e3 * 0.9
    assert off["queries_answered"] >= 1
    assert result["worst_wait_ratio_off_to_on"] == round(
        off["worst_wait_ms"] / on["worst_wait_ms"], 3
    )
