"""How much can these signals give? An offline ranker with hindsight, as an upper reference.

``evaluate`` asks the recommender to beat the best baseline by 10 % on next-basket and on
bought-together HitRate@10. This script measures what a strong *offline* learner makes of the
signals an online recommender has, on the same prequential protocol (EVALUATION.md):

* one replay of the file builds, for every evaluated order, the candidates and their features
  as they were just before the order (co-occurrence raw and decayed, conditional and cosine
  forms, recency of the pair, popularity at three half-lives, the last three days' sales, product
  age, product-name similarity for bought-together; the customer's counts, shares, recency,
  usual interval, last basket, co-purchase with the last three orders, popularity and trending
  for next-basket), and asks the online brain (``luxebrain``) the same question;
* a LightGBM lambdarank model is trained on the first half of the evaluated orders (in time)
  *after the fact* and scored on the second half, beside the brain and the best baseline on that
  same second half (the baselines are ``connector_agent.evaluation.baselines``, as in
  ``evaluate``).

The gradient-boosted ranker is not a product (it learns in batch, with the future of its
training half): it shows how much of a +10 % target the signals carry at all.

Run ``pip install lightgbm``, then ``python bench/ranking_ceiling.py --orders PATH.csv.gz``
(about 20 minutes and 5 GB of memory for the full UCI year on one core, when measured below).

Measured 2026-11-26 at commit 38a4c88 (the brain and evaluation of that day; not re-run since the
models changed) on the UCI year (second half, 9,097 and 8,376 orders; baselines are the
evaluation's own):

* next-basket: repeat 0.6699, luxebrain 0.7087 (+5.8 %), offline GBM 0.7041 (+5.1 %);
* bought-together: cooccurrence 0.6786, luxebrain 0.6879 (+1.4 %), offline GBM 0.6786 (+0.0 %).

The online brain beats the hindsight ranker on both: on bought-together the signals themselves
carry nothing beyond plain co-occurrence counts.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections import Counter, deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from connector_agent.evaluation.baselines import Baselines
from connector_agent.orders_csv import read_events
from online_models import Brain
from online_models.orders import order_of

DAY = 86_400.0
HALF_LIVES = (7.0, 30.0, 120.0)
#: co-occurring items per anchor taken as candidates (by raw count)
PAIR_CANDIDATES = 150
WINDOW_DAYS = 3.0

BT_FEATURES = (
    "pair_raw", "p_item_given_anchor", "p_anchor_given_item", "cosine",
    "pair_d7", "pair_d30", "pair_d120", "cond_d7", "cond_d30", "cond_d120", "pair_age_days",
    "item_orders", "item_d7", "item_d30", "item_d120", "item_last_3_days", "item_idle_days",
    "item_age_days", "name_similarity", "anchor_orders",
)  # fmt: skip
NB_FEATURES = (
    "customer_orders", "item_orders", "order_share", "item_idle_days", "usual_interval",
    "in_last_basket", "together_last_3", "popularity", "item_d7", "item_d30",
    "item_last_3_days", "customer_idle_days", "relative_orders",
)  # fmt: skip


def _decayed(values: list[float], since: float, now: float) -> list[float]:
    age = (now - since) / DAY
    return [v * 0.5 ** (age / h) for v, h in zip(values, HALF_LIVES, strict=True)]


class Signals:
    """Everything the features read, learned order by order (prequential, like the brain)."""

    def __init__(self) -> None:
        self.pairs: dict[str, dict[str, list[float]]] = {}  # a -> i -> [raw, d7, d30, d120, ts]
        self.count: Counter[str] = Counter()
        self.count_decayed: dict[str, list[float]] = {}  # p -> [d7, d30, d120, ts]
        self.first_seen: dict[str, float] = {}
        self.last_seen: dict[str, float] = {}
        self.window: deque[tuple[float, tuple[str, ...]]] = deque()
        self.window_count: Counter[str] = Counter()
        self.names: dict[str, set[str]] = {}
        self.token_products: dict[str, set[str]] = {}
        self.token_df: Counter[str] = Counter()
        self.history: dict[str, dict[str, list[float]]] = {}  # customer -> p -> [n, last, first]
        self.baskets: dict[str, list[tuple[float, tuple[str, ...]]]] = {}

    def advance(self, now: float) -> None:
        while self.window and now - self.window[0][0] > WINDOW_DAYS * DAY:
            _, products = self.window.popleft()
            self.window_count.subtract(products)

    def item_decayed(self, product: str, now: float) -> list[float]:
        state = self.count_decayed.get(product)
        return _decayed(state[:3], state[3], now) if state else [0.0, 0.0, 0.0]

    def name(self, product: str, name: str) -> None:
        if product in self.names:
            return
        tokens = {w for w in re.findall(r"[A-Z0-9]+", name.upper()) if len(w) > 1}
        self.names[product] = tokens
        for token in tokens:
            self.token_df[token] += 1
            self.token_products.setdefault(token, set()).add(product)

    def learn(self, customer: str | None, products: tuple[str, ...], now: float) -> None:
        for p in products:
            self.count[p] += 1
            decayed = self.item_decayed(p, now)
            self.count_decayed[p] = [v + 1.0 for v in decayed] + [now]
            self.first_seen.setdefault(p, now)
            self.last_seen[p] = now
            self.window_count[p] += 1
            row = self.pairs.setdefault(p, {})
            for q in products:
                if q == p:
                    continue
                pair = row.get(q)
                if pair is None:
                    row[q] = [1.0, 1.0, 1.0, 1.0, now]
                else:
                    row[q] = [pair[0] + 1.0] + [v + 1.0 for v in _decayed(pair[1:4], pair[4], now)]
                    row[q].append(now)
        self.window.append((now, products))
        if customer:
            history = self.history.setdefault(customer, {})
            for p in products:
                entry = history.get(p)
                if entry is None:
                    history[p] = [1.0, now, now]
                else:
                    entry[0] += 1.0
                    entry[1] = now
            self.baskets.setdefault(customer, []).append((now, products))


def bought_together_rows(s: Signals, anchor: str, now: float) -> dict[str, list[float]]:
    row = s.pairs.get(anchor, {})
    candidates = dict.fromkeys(
        p for p, _ in sorted(row.items(), key=lambda kv: -kv[1][0])[:PAIR_CANDIDATES]
    )
    candidates.update(dict.fromkeys(p for p, _ in s.window_count.most_common(40)))
    candidates.update(dict.fromkeys(p for p, _ in s.count.most_common(30)))
    n_products = max(len(s.names), 1)

    def idf(token: str) -> float:
        return math.log(n_products / s.token_df[token])

    anchor_tokens = s.names.get(anchor, set())
    similar: Counter[str] = Counter()
    for token in anchor_tokens:
        if s.token_df[token] < 200:
            for p in s.token_products[token]:
                similar[p] += idf(token)
    candidates.update(dict.fromkeys(p for p, _ in similar.most_common(30)))
    candidates.pop(anchor, None)
    anchor_norm = math.sqrt(sum(idf(t) ** 2 for t in anchor_tokens)) or 1.0
    anchor_orders = s.count[anchor]
    anchor_decayed = s.item_decayed(anchor, now)
    rows = {}
    for p in candidates:
        pair = row.get(p)
        raw = pair[0] if pair else 0.0
        decayed = _decayed(pair[1:4], pair[4], now) if pair else [0.0, 0.0, 0.0]
        orders = s.count[p]
        tokens = s.names.get(p, set())
        norm = math.sqrt(sum(idf(t) ** 2 for t in tokens)) or 1.0
        rows[p] = [
            raw,
            raw / max(anchor_orders, 1),
            raw / max(orders, 1),
            raw / math.sqrt(max(anchor_orders * orders, 1)),
            *decayed,
            *(d / max(a, 1e-9) for d, a in zip(decayed, anchor_decayed, strict=True)),
            (now - pair[4]) / DAY if pair else 999.0,
            orders,
            *s.item_decayed(p, now),
            s.window_count[p],
            (now - s.last_seen[p]) / DAY if p in s.last_seen else 999.0,
            (now - s.first_seen[p]) / DAY if p in s.first_seen else 999.0,
            sum(idf(t) ** 2 for t in anchor_tokens & tokens) / (anchor_norm * norm),
            anchor_orders,
        ]
    return rows


def next_basket_rows(s: Signals, customer: str, now: float) -> dict[str, list[float]]:
    history = s.history.get(customer, {})
    baskets = s.baskets.get(customer, [])
    together: Counter[str] = Counter()
    for _, basket in baskets[-3:]:
        for a in basket:
            base = max(s.count[a], 1)
            row = s.pairs.get(a, {})
            for p, pair in sorted(row.items(), key=lambda kv: -kv[1][0])[:30]:
                together[p] += pair[0] / base
    candidates = dict.fromkeys(history)
    candidates.update(dict.fromkeys(p for p, _ in together.most_common(100)))
    candidates.update(dict.fromkeys(p for p, _ in s.count.most_common(40)))
    candidates.update(dict.fromkeys(p for p, _ in s.window_count.most_common(30)))
    n_orders = len(baskets)
    last = set(baskets[-1][1]) if baskets else set()
    last_order = baskets[-1][0] if baskets else None
    most = max((e[0] for e in history.values()), default=1.0)
    rows = {}
    for p in candidates:
        entry = history.get(p)
        d7, d30, _ = s.item_decayed(p, now)
        rows[p] = [
            n_orders,
            entry[0] if entry else 0.0,
            entry[0] / n_orders if entry else 0.0,
            (now - entry[1]) / DAY if entry else 9999.0,
            (entry[1] - entry[2]) / DAY / (entry[0] - 1) if entry and entry[0] > 1 else -1.0,
            1.0 if p in last else 0.0,
            together.get(p, 0.0),
            s.count[p],
            d7,
            d30,
            s.window_count[p],
            (now - last_order) / DAY if last_order else 9999.0,
            entry[0] / most if entry else 0.0,
        ]
    return rows


class Task:
    """One evaluation's queries: candidate rows, labels, and the comparison lists."""

    def __init__(self, name: str, features: tuple[str, ...], baseline: str) -> None:
        self.name, self.features, self.baseline = name, features, baseline
        self.queries: list[tuple[list[str], list[list[float]], list[int]]] = []
        self.hits: dict[str, list[bool]] = {"luxebrain": [], baseline: []}

    def add(self, rows: dict[str, list[float]], relevant: set[str], lists: dict[str, list]) -> None:
        ids = list(rows)
        self.queries.append((ids, [rows[p] for p in ids], [int(p in relevant) for p in ids]))
        for model, top in lists.items():
            self.hits[model].append(any(p in relevant for p in top[:10]))

    def report(self) -> dict[str, float]:
        import lightgbm
        import numpy as np

        half = len(self.queries) // 2
        train, test = self.queries[:half], self.queries[half:]
        x = np.array([r for _, rows, _ in train for r in rows], dtype=np.float32)
        y = np.array([label for _, _, labels in train for label in labels])
        groups = [len(rows) for _, rows, _ in train]
        data = lightgbm.Dataset(x, y, group=groups, feature_name=list(self.features))
        params = {
            "objective": "lambdarank",
            "learning_rate": 0.05,
            "num_leaves": 63,
            "min_data_in_leaf": 50,
            "lambdarank_truncation_level": 10,
            "verbose": -1,
            "seed": 1,
        }
        model = lightgbm.train(params, data, num_boost_round=300)
        hits = 0
        for ids, rows, labels in test:
            scores = model.predict(np.array(rows, dtype=np.float32))
            order = sorted(range(len(ids)), key=lambda i: (-scores[i], ids[i]))[:10]
            hits += any(labels[i] for i in order)
        result = {"offline_gbm": hits / len(test)}
        for name, flags in self.hits.items():
            result[name] = sum(flags[half:]) / len(test)
        result["test_queries"] = len(test)
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", required=True, type=Path)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    try:
        import lightgbm  # noqa: F401
    except ImportError:
        parser.error("needs LightGBM: pip install lightgbm")

    started = time.process_time()
    s, brain, base = Signals(), Brain(seed=42), Baselines()
    together = Task("bought_together", BT_FEATURES, "cooccurrence")
    basket = Task("next_basket", NB_FEATURES, "repeat")
    for event in read_events(args.orders, limit=args.limit):
        if event.kind != "order.upserted":
            brain.learn(event)
            continue
        order = order_of(event)
        products, now, customer = order.products, order.timestamp, order.customer_id
        if order.status == "completed" and products:
            s.advance(now)
            for line in order.lines:
                s.name(line.product_id, line.name)
            if customer:
                rows = next_basket_rows(s, customer, now)
                ours = [r.product_id for r in brain.recommend_for_customer(customer, limit=10)]
                repeat = base.repeat(customer, 10, set())
                basket.add(rows, set(products), {"luxebrain": ours, "repeat": repeat})
            if len(products) >= 2:
                anchor = products[0]
                rows = bought_together_rows(s, anchor, now)
                ours = [r.product_id for r in brain.recommend_for_product(anchor, limit=10)]
                cooc = base.cooccurrence_for_item(anchor, 10)
                together.add(rows, set(products[1:]), {"luxebrain": ours, "cooccurrence": cooc})
        brain.learn(event)
        if order.status == "completed" and products:
            s.learn(customer, products, now)
            base.learn(customer, products, now)
    print(f"replay and features: {time.process_time() - started:.0f} s CPU")
    for task in (basket, together):
        result = task.report()
        gain = result["offline_gbm"] / result[task.baseline] - 1
        ours = result["luxebrain"] / result[task.baseline] - 1
        print(
            f"{task.name:16s} second half ({result['test_queries']} orders): "
            f"{task.baseline} {result[task.baseline]:.4f} · luxebrain {result['luxebrain']:.4f} "
            f"({ours:+.1%}) · offline GBM with hindsight {result['offline_gbm']:.4f} ({gain:+.1%})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
