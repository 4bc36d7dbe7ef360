"""The replay sees what EVALUATION.md says, the same for every model, and reports every figure.

Small hand-made files; each test names the bug it guards against (found by a review).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

import connector_agent.evaluation as evaluation
from connector_agent.cli import cli
from connector_agent.evaluation import evaluate
from connector_agent.evaluation.forecast import ForecastSeries
from connector_agent.orders_csv import read_orders

HEADER = (
    "order_id,customer_id,created_at,product_id,product_name,category,quantity,unit_price,"
    "currency,status\n"
)
#: the sections that hold what the models learned and were asked
LEARNED = ("next_basket", "bought_together", "forecast", "segments", "anomaly")


def write(path: Path, rows: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(HEADER + "".join(row + "\n" for row in rows))
    return path


def test_the_forecast_series_takes_the_utc_day(tmp_path):
    """01:00 at +05:00 on 3 March is 20:00 UTC on 2 March: ``created_at[:10]`` put its units a
    day late, on a day the brain had already been asked to forecast from its data."""
    path = write(tmp_path / "tz.csv.gz", [
        "1,c1,2010-03-01T10:00:00Z,A,a,,1,1.0,GBP,completed",
        "2,c1,2010-03-03T01:00:00+05:00,A,a,,7,1.0,GBP,completed",
    ])
    series = ForecastSeries(read_orders(path))
    assert series.days == 2
    assert series.values["A"] == [1.0, 7.0]


@pytest.mark.parametrize("cancelled_units", ["-5", "5"])
def test_coverage_does_not_depend_on_the_sign_of_cancelled_lines(tmp_path, cancelled_units):
    """Coverage's denominator counted a cancelled line's product when its quantity was
    positive: items seen = products of completed orders, whatever the cancellations' sign."""
    path = write(tmp_path / "orders.csv.gz", [
        "1,c1,2010-01-01T10:00:00Z,A,a,,1,1.0,GBP,completed",
        "1,c1,2010-01-01T10:00:00Z,B,b,,1,1.0,GBP,completed",
        f"2,c2,2010-01-02T10:00:00Z,C,c,,{cancelled_units},1.0,GBP,cancelled",
        "3,c1,2010-01-03T10:00:00Z,A,a,,1,1.0,GBP,completed",
    ])
    report = evaluate(path, seed=1)
    # the second order of c1 is asked with A and B learned: popularity's top 10 is both of them
    assert report["next_basket"]["popularity"]["coverage"] == 1.0
    assert report["next_basket"]["cooccurrence"]["coverage"] == 1.0


def test_every_documented_figure_is_reported_when_nothing_was_evaluated(tmp_path):
    """A guest's one-product order evaluates no case: the metric keys were missing."""
    path = write(tmp_path / "one.csv.gz", ["1,,2010-01-01T10:00:00Z,A,a,,1,1.0,GBP,completed"])
    report = evaluate(path, seed=1)
    for figures in report["next_basket"].values():
        assert {k: figures[k] for k in ("hit_rate@10", "ndcg@10", "recall@20",
                                        "explore_hit_rate@10", "evaluated")} == {
            "hit_rate@10": 0.0, "ndcg@10": 0.0, "recall@20": 0.0, "explore_hit_rate@10": 0.0,
            "evaluated": 0,
        }
    for figures in report["bought_together"].values():
        assert figures == {"hit_rate@10": 0.0, "ndcg@10": 0.0, "evaluated": 0}


SHOP = [
    "1,c9,2010-01-01T10:00:00Z,B,b,,1,1.0,GBP,completed",
    "1,c9,2010-01-01T10:00:00Z,C,c,,1,1.0,GBP,completed",
    "2,c8,2010-01-02T10:00:00Z,B,b,,1,1.0,GBP,completed",
    "4,c1,2010-01-04T10:00:00Z,A,a,,1,1.0,GBP,completed",
    "5,c8,2010-01-05T10:00:00Z,C,c,,2,1.0,GBP,completed",
    "5,c8,2010-01-05T10:00:00Z,A,a,,1,1.0,GBP,completed",
]


def test_orders_in_other_statuses_are_skipped_by_every_model(tmp_path):
    """The brain learned a ``processing`` order as a purchase while the baselines and the
    forecast series ignored it. Every model now skips it (as if it were not in the file), the
    report counts it, and ``--limit`` counts it as an order of the file."""
    extra = [
        "3,c1,2010-01-03T10:00:00Z,A,a,,1,1.0,GBP,processing",
        "3b,c8,2010-01-03T11:00:00Z,B,b,,3,1.0,GBP,refunded",
    ]
    with_them = write(tmp_path / "with.csv.gz", SHOP[:3] + extra + SHOP[3:])
    without = write(tmp_path / "without.csv.gz", SHOP)
    report, plain = evaluate(with_them, seed=1), evaluate(without, seed=1)
    for section in LEARNED:
        assert report[section] == plain[section], section
    assert report["orders"] == 6 and plain["orders"] == 4
    assert report["skipped_orders"] == {"processing": 1, "refunded": 1}
    assert plain["skipped_orders"] == {}
    limited = evaluate(with_them, seed=1, limit=4)  # orders 1, 2 and the two skipped
    assert limited["orders"] == 4 and limited["skipped_orders"] == {"processing": 1,
                                                                   "refunded": 1}
    assert limited["next_basket"]["luxebrain"]["evaluated"] == 2


def test_completed_orders_without_a_product_line_are_skipped_by_every_model(tmp_path):
    """EVALUATION.md skips them, but the brain learned them (a customer with only a postage
    line was a segmented customer) and the batch RFM counted them."""
    postage = "3,c5,2010-01-03T10:00:00Z,POST,Postage,non_product,1,5.0,GBP,completed"
    with_it = write(tmp_path / "with.csv.gz", SHOP[:3] + [postage] + SHOP[3:])
    without = write(tmp_path / "without.csv.gz", SHOP)
    report, plain = evaluate(with_it, seed=1), evaluate(without, seed=1)
    for section in LEARNED:
        assert report[section] == plain[section], section
    assert sum(report["segments"]["sizes"].values()) == 3  # c9, c8, c1: not c5
    assert report["skipped_completed_without_products"] == 1
    assert report["skipped_orders"] == {}


# ------------------------------------------------------------------- the command's errors


def test_a_bad_row_is_one_line_naming_file_and_line(tmp_path):
    path = write(tmp_path / "short.csv.gz", [
        "1,c1,2010-01-01T10:00:00Z,A,a,,1,1.0,GBP,completed",
        "2,c1,2010-01-02T10:00:00Z,A,a,,1",
    ])
    result = CliRunner().invoke(cli, ["evaluate", "--orders", str(path)])
    assert result.exit_code == 1
    assert f"Error: {path}: line 3: 7 fields, the header has 10" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def _no_replay(*args, **kwargs):
    raise AssertionError("the replay ran although its report could not be written")


def test_an_unwritable_json_path_fails_before_the_replay(tmp_path, monkeypatch):
    """It failed with a traceback after the whole replay (minutes on a year of orders)."""
    monkeypatch.setattr(evaluation, "evaluate", _no_replay)
    orders = write(tmp_path / "orders.csv.gz", SHOP)
    out = tmp_path / "absent" / "eval.json"
    result = CliRunner().invoke(cli, ["evaluate", "--orders", str(orders), "--json", str(out)])
    assert result.exit_code == 1, result.output
    assert f"Error: cannot write {out}: No such file or directory" in result.output
    assert isinstance(result.exception, SystemExit)


def test_the_json_check_leaves_files_as_they_were(tmp_path):
    """Checking the path neither leaves a new empty file nor truncates an old report."""
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(b"not gzip")
    new, old = tmp_path / "new.json", tmp_path / "old.json"
    old.write_text('{"orders": 3}')
    for out in (new, old):
        result = CliRunner().invoke(cli, ["evaluate", "--orders", str(bad), "--json", str(out)])
        assert result.exit_code == 1
    assert not new.exists() and old.read_text() == '{"orders": 3}'


def test_a_write_error_after_the_replay_is_one_line(tmp_path, monkeypatch):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    real = evaluation.evaluate

    def evaluate_then_remove_the_directory(*args, **kwargs):
        report = real(*args, **kwargs)
        out_dir.rmdir()
        return report

    monkeypatch.setattr(evaluation, "evaluate", evaluate_then_remove_the_directory)
    orders = write(tmp_path / "orders.csv.gz", SHOP)
    out = out_dir / "eval.json"
    result = CliRunner().invoke(cli, ["evaluate", "--orders", str(orders), "--json", str(out)])
    assert result.exit_code == 1
    assert f"Error: cannot write {out}: No such file or directory" in result.output
    assert isinstance(result.exception, SystemExit)


def test_the_command_prints_what_it_skipped(tmp_path):
    path = write(tmp_path / "orders.csv.gz", SHOP + [
        "6,c1,2010-01-06T10:00:00Z,A,a,,1,1.0,GBP,processing",
        "7,c1,2010-01-07T10:00:00Z,POST,Postage,non_product,1,5.0,GBP,completed",
    ])
    result = CliRunner().invoke(cli, ["evaluate", "--orders", str(path)])
    assert result.exit_code == 0, result.output
    assert ("skipped orders: 1 processing (statuses the protocol does not define), "
            "1 completed without a product line") in " ".join(result.output.split())
