"""``bench/scale.py`` on the shipped slice: a shop twice the size has twice the catalogue,
customers, orders and co-purchase pairs, and no product's co-purchase row grows past its cap."""

from __future__ import annotations

from pathlib import Path

from support.processes import run_bench

from online_models import BrainConfig

SLICE = Path(__file__).resolve().parents[2] / "connector_agent" / "demo" / "data" / (
    "orders_2009-12_2010-01.csv.gz"
)


def test_a_shop_twice_the_size_doubles_what_it_should_and_caps_the_rows(tmp_path: Path) -> None:
    one, two = run_bench("scale.py", "--orders", str(SLICE), "--copies", "1", "2",
                         "--limit", "150", out=tmp_path / "scale.json", timeout=300)
    assert (one["copies"], two["copies"]) == (1, 2)
    for key in ("orders", "products", "customers", "copurchase_pairs"):
        assert two[key] == 2 * one[key], key
    cap = 2 * BrainConfig().max_neighbours
    assert 0 < one["copurchase_largest_row"] <= cap and two["copurchase_largest_row"] <= cap
    for result in (one, two):
        assert result["learn_orders_per_s"] > 0 and result["peak_rss_mb"] > 0
        assert result["snapshot_mb"] > 0 and result["recommend_us_p99"] > 0
