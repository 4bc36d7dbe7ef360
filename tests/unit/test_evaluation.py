"""The evaluation protocol on tiny hand-made histories: metrics, baselines, forecast, JSON shape."""

from __future__ import annotations

import gzip
import json
import random
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from connector_agent.cli import cli
from connector_agent.evaluation import EvaluationError, evaluate
from connector_agent.evaluation.baselines import Baselines
from connector_agent.evaluation.forecast import ForecastScores, ForecastSeries
from connector_agent.evaluation.metrics import hit_rate, ndcg, recall
from connector_agent.orders_csv import ImportedOrder

HEADER = (
    "order_id,customer_id,created_at,product_id,product_name,category,quantity,unit_price,"
    "currency,status\n"
)


def test_metrics_follow_the_protocol():
    ranked = ["a", "x", "b", "y"]
    assert hit_rate(ranked, {"b"}, 10) == 1.0 and hit_rate(ranked, {"z"}, 10) == 0.0
    assert hit_rate(ranked, {"b"}, 2) == 0.0
    assert ndcg(["a"], {"a"}, 10) == 1.0
    # DCG = 1/log2(2) + 1/log2(4); IDCG for 2 relevant = 1 + 1/log2(3)
    assert ndcg(ranked, {"a", "b"}, 10) == pytest.approx((1 + 0.5) / (1 + 1 / 1.5849625))
    assert recall(ranked, {"a", "b", "z", "w"}, 20) == 0.5


def test_baselines_rank_as_defined():
    base = Baselines()
    base.learn("c1", ("a", "b"), 0.0)
    base.learn("c2", ("a", "c"), 86_400.0)
    base.learn("c1", ("b", "d"), 2 * 86_400.0)
    assert base.popularity(2, set()) == ["a", "b"]
    assert base.popularity(2, {"a"}) == ["b", "c"]
    assert base.repeat("c1", 3, set()) == ["b", "d", "a"]  # count, then more recent first
    assert base.repeat("new", 2, set()) == ["a", "b"]  # padded with popularity
    assert base.cooccurrence_for_item("a", 3) == ["b", "c", "d"]  # co-counts 1, 1, then popular
    assert base.cooccurrence_for_item("b", 2) == ["a", "d"]
    assert "d" in base.cooccurrence_for_customer("c1", 3, set())


def _orders(days: list[float]) -> list[ImportedOrder]:
    start = date(2026, 1, 1)
    return [
        ImportedOrder(i, {
            "id": str(i), "status": "completed", "customer_id": "c",
            "created_at": f"{start + timedelta(days=d)}T10:00:00Z",
            "line_items": [{"product_id": "p", "category": None, "quantity": int(units)}],
        })
        for i, (d, units) in enumerate(days)
    ]


def test_forecast_series_and_baselines():
    # 70 days; product p sells 7 units on Mondays-to-Fridays of the series' own week, 0 else
    days = [(d, 7.0) for d in range(70) if d % 7 < 5]
    series = ForecastSeries(_orders(days))
    assert series.days == 68 and series.products == ["p"]
    assert list(series.origins()) == list(range(60, 67))
    base = series.baselines("p", 62)
    y = series.values["p"]
    assert base["seasonal_naive"] == [y[63 - 7 * 1 + k] for k in range(7)]
    assert base["moving_average_28"] == [pytest.approx(sum(y[35:63]) / 28)] * 7
    scores = ForecastScores(series)
    scores.add("luxebrain", "p", 62, [y[63 + k] for k in range(5)] + [0.0, 0.0])
    exact = scores.result()["luxebrain"]
    assert exact["mae"] == 0.0 and exact["smape"] == 0.0 and exact["evaluated"] == 5
    assert scores.result()["seasonal_naive"]["evaluated"] == 0


@pytest.fixture
def history(tmp_path):
    """Three months of a small shop with repeat customers, pairs and a cancellation."""
    rows = []
    start = date(2026, 1, 1)
    for i in range(90):
        day = start + timedelta(days=i)
        customer = f"c{i % 9}"
        items = [("A", "1.50"), ("B", "2.00")] if i % 3 else [("C", "3.00"), ("A", "1.50")]
        for pid, price in items:
            rows.append(f"{i},{customer},{day}T10:00:00Z,{pid},{pid} name,,{1 + i % 4},{price},"
                        "GBP,completed\n")
        rows.append(f"{i},{customer},{day}T10:00:00Z,POST,Postage,non_product,1,5,GBP,completed\n")
    rows.append(f"C1,c1,{start + timedelta(days=40)}T11:00:00Z,A,A name,,-2,1.50,GBP,cancelled\n")
    path = tmp_path / "orders.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(HEADER + "".join(rows))
    return path


def test_evaluate_reports_every_figure_in_the_agreed_shape(history):
    report = evaluate(history, seed=3)
    models = {"luxebrain", "popularity", "decayed_popularity", "repeat", "cooccurrence"}
    assert set(report["next_basket"]) == models
    for figures in report["next_basket"].values():
        assert {"hit_rate@10", "ndcg@10", "recall@20", "explore_hit_rate@10", "evaluated",
                "coverage"} <= set(figures)
        assert figures["evaluated"] == 90
    assert set(report["bought_together"]) == models - {"repeat"}
    assert report["bought_together"]["luxebrain"]["evaluated"] == 90
    assert set(report["forecast"]) == {"luxebrain", "seasonal_naive", "moving_average_28",
                                       "weekday_profile"}
    assert {"learn_orders_per_s", "recommend_us_p50", "recommend_us_p99"} <= set(
        report["throughput"])
    assert report["orders"] == 91
    assert report["forecast"]["luxebrain"]["evaluated"] > 0
    assert set(report["segments"]) == {"sizes", "agreement_with_batch_rfm"}
    assert sum(report["segments"]["sizes"].values()) == 9
    assert {"precision", "recall", "injected"} <= set(report["anomaly"])
    assert report["caps"]["max_neighbours"] > 0
    # POST is a non_product line: never recommended, so never a hit either
    assert report["next_basket"]["luxebrain"]["hit_rate@10"] > 0.5


def test_same_seed_same_report_quality(history):
    a, b = evaluate(history, seed=1, limit=40), evaluate(history, seed=1, limit=40)
    assert a["next_basket"] == b["next_basket"] and a["bought_together"] == b["bought_together"]
    assert a["orders"] == 40


def test_evaluate_command_writes_json(history, tmp_path):
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(cli, ["evaluate", "--orders", str(history), "--json", str(out),
                                      "--limit", "30"])
    assert result.exit_code == 0, result.output
    assert "next basket" in result.output and "orders/s" in result.output
    assert json.loads(out.read_text())["orders"] == 30


def test_unreadable_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(EvaluationError):
        evaluate(bad)
    result = CliRunner().invoke(cli, ["evaluate", "--orders", str(bad)])
    assert result.exit_code == 1 and "Error" in result.output


def test_a_file_out_of_time_order_is_replayed_in_created_at_order(history, tmp_path):
    """The protocol replays in created_at order: a shop's export need not be sorted, and a
    forecast from day d must not see later days' sales."""
    with gzip.open(history, "rt") as fh:
        header, *rows = fh.readlines()
    orders: dict[str, list[str]] = {}
    for row in rows:
        orders.setdefault(row.split(",", 1)[0], []).append(row)
    blocks = list(orders.values())
    random.Random(5).shuffle(blocks)
    shuffled = tmp_path / "shuffled.csv.gz"
    with gzip.open(shuffled, "wt") as fh:
        fh.write(header + "".join(row for block in blocks for row in block))
    sorted_report, shuffled_report = evaluate(history, seed=3), evaluate(shuffled, seed=3)
    for section in ("next_basket", "bought_together", "forecast", "segments", "anomaly"):
        assert shuffled_report[section] == sorted_report[section], section
    assert shuffled_report["orders"] == 91
