"""The prequential replay: for every order, ask every model first, then let them learn it.

Two streaming passes over the file: the first builds the forecast series (the protocol picks the
50 products by their net units over the whole file), the second replays the events through the
brain and the baselines. Times measured here are printed, never asserted; they are CPU time of
this process (fair on a shared machine), with wall-clock figures beside them.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from connector_agent import heap
from connector_agent.config import SCHEMA
from connector_agent.evaluation.anomalies import AnomalyBench
from connector_agent.evaluation.baselines import Baselines
from connector_agent.evaluation.forecast import ForecastScores, ForecastSeries
from connector_agent.evaluation.metrics import RankingScores, hit_rate, ndcg, percentile, recall
from connector_agent.evaluation.protocol import NO_PRODUCT_LINE, skip_reason, utc_day
from connector_agent.evaluation.segments import BatchRfm
from connector_agent.orders_csv import ImportedOrder, OrdersCsvError, events_of, read_orders
from online_models import Brain, BrainConfig
from online_models.events import parse_time
from online_models.orders import Order, order_of

__all__ = ["EvaluationError", "evaluate"]

MODELS = ("luxebrain", "popularity", "decayed_popularity", "repeat", "cooccurrence")
#: the figures EVALUATION.md documents: always reported (0.0 with ``evaluated: 0``)
NEXT_BASKET_KEYS = ("hit_rate@10", "ndcg@10", "recall@20", "explore_hit_rate@10")
TOGETHER_KEYS = ("hit_rate@10", "ndcg@10")
#: events between two settles of the heap: the agent's default snapshot interval
SETTLE_EVERY: int = SCHEMA["models"]["snapshot_every_events"][0]


class EvaluationError(Exception):
    """The orders file cannot be evaluated (unreadable, malformed, or empty)."""


class _Replay:
    def __init__(self, series: ForecastSeries, config: BrainConfig, seed: int) -> None:
        self.brain = Brain(config, seed=seed)
        self.config = config
        self.base = Baselines()
        self.series = series
        self.forecasts = ForecastScores(series)
        self.anomalies = AnomalyBench(config, seed)
        self.rfm = BatchRfm()
        self.next_basket = {m: RankingScores(NEXT_BASKET_KEYS) for m in MODELS}
        self.together = {m: RankingScores(TOGETHER_KEYS) for m in MODELS if m != "repeat"}
        self.recommended = {m: set() for m in MODELS}
        self.bought: dict[str, set[str]] = {}
        #: coverage's denominator, "distinct items seen by the end": the products of completed
        #: orders (their product lines), the items a next-basket top 10 can be right about;
        #: never a cancelled order's lines, whose sign the protocol does not classify by
        self.seen: set[str] = set()
        self.learn_seconds = 0.0
        self.learned_orders = 0
        self.query_us: list[float] = []
        self.query_wall_us: list[float] = []
        self.learn_wall_seconds = 0.0
        self.next_origin = series.first + series.origins().start

    # ---------------------------------------------------------------- asking

    def _ask(self, call: Callable[[], list[Any]]) -> list[str]:
        wall, cpu = time.perf_counter(), time.process_time()
        recs = call()
        self.query_us.append((time.process_time() - cpu) * 1e6)
        self.query_wall_us.append((time.perf_counter() - wall) * 1e6)
        return [r.product_id for r in recs]

    def _score_basket(self, model: str, top20: list[str], explore: list[str] | None,
                      relevant: set[str], new: set[str]) -> None:
        scores = self.next_basket[model]
        scores.add("hit_rate@10", hit_rate(top20, relevant, 10))
        scores.add("ndcg@10", ndcg(top20, relevant, 10))
        scores.add("recall@20", recall(top20, relevant, 20))
        if explore is not None and new:
            scores.add("explore_hit_rate@10", hit_rate(explore, new, 10))
            scores.add("explore_ndcg@10", ndcg(explore, new, 10))
        self.recommended[model].update(top20[:10])

    def next_basket_case(self, customer: str, products: tuple[str, ...]) -> None:
        relevant = set(products)
        bought = self.bought.get(customer, set())
        new = relevant - bought
        brain, base = self.brain, self.base
        lists = {
            "luxebrain": self._ask(lambda: brain.recommend_for_customer(customer, limit=20)),
            "popularity": base.popularity(20, set()),
            "decayed_popularity": base.decayed_popularity(20, set()),
            "repeat": base.repeat(customer, 20, set()),
            "cooccurrence": base.cooccurrence_for_customer(customer, 20, set()),
        }
        explore: dict[str, list[str]] = {}
        if new:
            explore = {
                "luxebrain": self._ask(
                    lambda: brain.recommend_for_customer(customer, limit=10, exclude=bought)
                ),
                "popularity": base.popularity(10, bought),
                "decayed_popularity": base.decayed_popularity(10, bought),
                "repeat": base.repeat(customer, 10, bought),
                "cooccurrence": base.cooccurrence_for_customer(customer, 10, bought),
            }
        for model, top20 in lists.items():
            self._score_basket(model, top20, explore.get(model), relevant, new)

    def together_case(self, products: tuple[str, ...]) -> None:
        anchor, relevant = products[0], set(products[1:])
        brain, base = self.brain, self.base
        lists = {
            "luxebrain": self._ask(lambda: brain.recommend_for_product(anchor, limit=10)),
            "popularity": base.popularity(10, {anchor}),
            "decayed_popularity": base.decayed_popularity(10, {anchor}),
            "cooccurrence": base.cooccurrence_for_item(anchor, 10),
        }
        for model, top in lists.items():
            self.together[model].add("hit_rate@10", hit_rate(top, relevant, 10))
            self.together[model].add("ndcg@10", ndcg(top, relevant, 10))

    # ---------------------------------------------------------------- forecasting

    def forecast_until(self, day: int) -> None:
        """Forecast from every origin before ``day`` (all of its data is learned by now)."""
        last = self.series.first + self.series.origins().stop - 1
        while self.next_origin < day and self.next_origin <= last:
            d = self.next_origin - self.series.first
            as_of = date.fromordinal(self.next_origin).isoformat()
            for product in self.series.products:
                answer = self.brain.forecast(product, 7, as_of=as_of)
                self.forecasts.add("luxebrain", product, d, [x["units"] for x in answer["days"]])
                self.forecasts.add_baselines(product, d)
            self.next_origin += 1

    # ---------------------------------------------------------------- the loop

    def order(self, event: Any) -> None:
        """Ask, then learn, one order the protocol replays (completed or cancelled)."""
        order: Order = order_of(event)
        self.forecast_until(utc_day(event.payload["created_at"]))
        products = order.products
        if order.status == "completed" and products:
            customer = order.customer_id
            if customer is not None:
                self.next_basket_case(customer, products)
            if len(products) >= 2:
                self.together_case(products)
        self._learn(event)
        self.learned_orders += 1
        if order.status == "completed" and products:
            self.seen.update(products)
            self.base.learn(order.customer_id, products, order.timestamp)
            if order.customer_id is not None:
                self.bought.setdefault(order.customer_id, set()).update(products)
            self.anomalies.learn(order)
        if order.customer_id is not None:
            if order.status == "completed":
                self.rfm.completed(order.customer_id, event.payload["created_at"], order.total)
            elif order.status == "cancelled":
                self.rfm.cancelled(order.customer_id, order.total)

    def _learn(self, event: Any) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.brain.learn(event)
        self.learn_seconds += time.process_time() - cpu
        self.learn_wall_seconds += time.perf_counter() - wall

    def product(self, event: Any) -> None:
        self._learn(event)


def _pricing(brain: Brain, config: BrainConfig) -> dict[str, Any]:
    suggestions = brain.price_suggestions(limit=100_000)
    within = [s for s in suggestions if abs(s["change"]) <= config.price_max_change + 1e-9]
    return {
        "suggestions": len(suggestions),
        "within_guardrails": round(len(within) / len(suggestions), 4) if suggestions else 1.0,
        "examples": suggestions[:3],
    }


def _snapshot_timing(brain: Brain) -> dict[str, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    data = brain.snapshot()
    written, written_wall = time.process_time() - cpu, time.perf_counter() - wall
    wall, cpu = time.perf_counter(), time.process_time()
    Brain.restore(data)
    restored, restored_wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "bytes": len(data),
        "write_s": round(written, 3),
        "restore_s": round(restored, 3),
        "write_wall_s": round(written_wall, 3),
        "restore_wall_s": round(restored_wall, 3),
    }


def evaluate(
    path: str | Path,
    *,
    limit: int | None = None,
    seed: int = 42,
    config: BrainConfig | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run the whole protocol on one orders file; returns every figure (the ``--json`` shape)."""
    config = config or BrainConfig()
    try:
        first_pass = _FirstPass(_limited(read_orders(path), limit))
        series = ForecastSeries(first_pass)
        # the protocol replays in created_at order (file order for ties): streamed again
        # when the file is in that order (the normaliser writes it so), else read and sorted
        orders = (
            _limited(read_orders(path), limit)
            if first_pass.in_order
            else first_pass.sorted(path, limit)
        )
    except (OSError, OrdersCsvError) as exc:
        raise EvaluationError(f"{path}: {exc}") from exc
    if not series.orders:
        raise EvaluationError(f"{path}: no orders to evaluate")
    skipped = first_pass.skipped
    replay = _Replay(series, config, seed)
    started = time.perf_counter()
    try:
        _run(replay, _replayed(orders), series.orders - sum(skipped.values()), progress)
    except (OSError, OrdersCsvError) as exc:  # the file changed since the first pass
        raise EvaluationError(f"{path}: {exc}") from exc
    replay.forecast_until(series.first + series.days)
    wall = time.perf_counter() - started
    brain = replay.brain
    next_basket: dict[str, dict[str, Any]] = {}
    for model, scores in replay.next_basket.items():
        entry: dict[str, Any] = scores.means()
        entry["evaluated"] = scores.count("hit_rate@10")
        entry["explore_evaluated"] = scores.count("explore_hit_rate@10")
        entry["coverage"] = round(len(replay.recommended[model]) / max(len(replay.seen), 1), 4)
        next_basket[model] = entry
    together = {}
    for model, scores in replay.together.items():
        together[model] = {**scores.means(), "evaluated": scores.count("hit_rate@10")}
    queries = replay.query_us
    return {
        "file": str(path),
        "orders": series.orders,
        "skipped_orders": {
            status: n for status, n in sorted(skipped.items()) if status != NO_PRODUCT_LINE
        },
        "skipped_completed_without_products": skipped.get(NO_PRODUCT_LINE, 0),
        "seed": seed,
        "next_basket": next_basket,
        "bought_together": together,
        "forecast": replay.forecasts.result(),
        "throughput": {
            "learn_orders_per_s": round(replay.learned_orders / max(replay.learn_seconds, 1e-9), 1),
            "learn_orders_per_s_wall": round(
                replay.learned_orders / max(replay.learn_wall_seconds, 1e-9), 1
            ),
            "recommend_us_p50": round(percentile(queries, 0.5), 1),
            "recommend_us_p99": round(percentile(queries, 0.99), 1),
            "recommend_wall_us_p50": round(percentile(replay.query_wall_us, 0.5), 1),
            "recommend_wall_us_p99": round(percentile(replay.query_wall_us, 0.99), 1),
            "timing": "CPU time of this process (the machine may be shared); *_wall: wall clock",
            "queries": len(queries),
            "wall_s": round(wall, 1),
        },
        "memory": {"peak_rss_mb": round(_peak_rss_mb(), 1), "models": brain.stats()},
        "snapshot": _snapshot_timing(brain),
        "segments": {
            "sizes": brain.segment_sizes(),
            "agreement_with_batch_rfm": replay.rfm.agreement(
                brain, series.first + series.days - 1
            ),
        },
        "pricing": _pricing(brain, config),
        "anomaly": replay.anomalies.result(),
        "caps": config.as_dict(),
    }


def _run(
    replay: _Replay,
    orders: Iterable[ImportedOrder],
    total: int,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Feed the orders' events to the replay; ``total`` = how many orders it will see."""
    done = 0
    for learned, event in enumerate(events_of(orders), start=1):
        if learned % SETTLE_EVERY == 0:
            heap.settle()  # as the agent's applier does after a snapshot (untimed here too)
        if event.kind == "order.upserted":
            replay.order(event)
            done += 1
            if progress is not None and (done % 200 == 0 or done == total):
                progress(done, total)
        else:
            replay.product(event)


def _replayed(orders: Iterable[ImportedOrder]) -> Iterator[ImportedOrder]:
    """The orders the protocol replays: a skipped one reaches no model, not even its products'
    first sight (``--limit`` has counted it already)."""
    for order in orders:
        if skip_reason(order.payload) is None:
            yield order


class _FirstPass:
    """Passes orders through, noting whether their ``created_at`` never goes back, and counting
    the orders the protocol skips by reason (``protocol.skip_reason``) for the report."""

    def __init__(self, orders: Iterable[ImportedOrder]) -> None:
        self._orders = orders
        self.in_order = True
        self.skipped: dict[str, int] = {}

    def __iter__(self) -> Iterator[ImportedOrder]:
        latest = None
        for order in self._orders:
            at = parse_time(order.payload["created_at"])
            if latest is not None and at < latest:
                self.in_order = False
            latest = at if latest is None else max(latest, at)
            reason = skip_reason(order.payload)
            if reason is not None:
                self.skipped[reason] = self.skipped.get(reason, 0) + 1
            yield order

    @staticmethod
    def sorted(path: str | Path, limit: int | None) -> list[ImportedOrder]:
        """The first ``limit`` orders of the file, stably sorted by ``created_at``."""
        orders = list(_limited(read_orders(path), limit))
        orders.sort(key=lambda order: parse_time(order.payload["created_at"]))
        return orders


def _limited(orders: Any, limit: int | None) -> Any:
    for count, order in enumerate(orders):
        if limit is not None and count >= limit:
            return
        yield order


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
