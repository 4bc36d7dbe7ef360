"""``bench/segments.py``: the cell count and the one-by-one baseline agree on the sizes (the bench
exits non-zero when they differ) and the cells stay fewer than the customers."""

from __future__ import annotations

from pathlib import Path

from support.processes import run_bench


def test_sizes_agree_and_cells_are_fewer_than_customers(tmp_path: Path) -> None:
    results = run_bench("segments.py", "--customers", "3000", "12000", "--days", "400",
                        out=tmp_path / "segments.json")
    assert [r["customers"] for r in results] == [3000, 12000]
    for result in results:
        assert 0 < result["cells"] < result["customers"]
        assert result["segment_sizes_ms"] > 0 and result["one_by_one_ms"] > 0
    # more customers on the same days fill few new cells
    assert results[1]["cells"] < 2 * results[0]["cells"]
