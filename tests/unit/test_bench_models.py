"""``bench/models.py`` on the shipped two-month slice: it reports every figure, and its costs in
units of the same-process baseline agree with its times."""

from __future__ import annotations

from pathlib import Path

from support.processes import run_bench

DEMO_DATA = Path(__file__).resolve().parents[2] / "connector_agent" / "demo" / "data"
SLICE = DEMO_DATA / "orders_2009-12_2010-01.csv.gz"


def test_a_short_run_reports_its_figures_and_their_baseline_ratios(tmp_path: Path) -> None:
    result = run_bench("models.py", "--orders", str(SLICE), "--limit", "300",
                       out=tmp_path / "models.json", timeout=300)
    assert result["orders"] == 300
    baseline = result["baseline_pair_updates_per_s"]
    assert baseline > 0
    # learning and query costs in units of the baseline's pair update, from the same run
    per_order = baseline / result["learn_orders_per_s"]
    assert abs(result["learn_order_in_baseline_updates"] - per_order) <= 1 + 2e-3 * per_order
    p99 = result["recommend_us_p99"] * baseline / 1e6
    assert abs(result["recommend_p99_in_baseline_updates"] - p99) <= 1 + 2e-3 * p99
    assert result["baskets_held"] > 0 and result["snapshot_mb"] > 0
    # the same queries timed again on the restored snapshot
    assert result["restored_recommend_us_p99"] >= result["restored_recommend_us_p50"] > 0
    assert result["restored_customer_us_p99"] > 0
