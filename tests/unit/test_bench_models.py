"""``bench/models.py`` on the shipped two-month slice: it reports every figure, and its times at
the reference machine's speed are the measured ones scaled by the same-process baseline."""

from __future__ import annotations

from pathlib import Path

from support.processes import run_bench

DEMO_DATA = Path(__file__).resolve().parents[2] / "connector_agent" / "demo" / "data"
SLICE = DEMO_DATA / "orders_2009-12_2010-01.csv.gz"


def test_a_short_run_reports_its_figures_and_their_reference_scaling(tmp_path: Path) -> None:
    result = run_bench("models.py", "--orders", str(SLICE), "--limit", "300",
                       out=tmp_path / "models.json", timeout=300)
    assert result["orders"] == 300
    assert result["baseline_pair_updates_per_s"] > 0
    speed = result["baseline_pair_updates_per_s"] / 2.5e6
    assert abs(result["machine_speed_vs_reference"] - round(speed, 2)) < 1e-9
    assert abs(result["learn_orders_per_s_at_reference"]
               - result["learn_orders_per_s"] / speed) <= 0.1 + 1e-3 * result["learn_orders_per_s"]
    assert abs(result["recommend_us_p99_at_reference"]
               - result["recommend_us_p99"] * speed) <= 0.1 + 1e-3 * result["recommend_us_p99"]
    assert result["baskets_held"] > 0 and result["snapshot_mb"] > 0
