"""Candidates for a customer and their features: what the customer ranker scores.

Candidates come from the customer's own history (buy again), co-purchase neighbours of their last
baskets, and the popular and trending lists; only these few hundred are ever scored. Every
feature is in [0, 1] so one linear model can weigh them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

from online_models.recommend.copurchase import CoPurchase
from online_models.recommend.names import NameIndex, best_of
from online_models.recommend.personal import PersonalMF
from online_models.recommend.popular import Popularity
from online_models.recommend.repeat import RepeatPurchases

__all__ = [
    "FEATURES",
    "ITEM_FEATURES",
    "SOURCE_OF",
    "CandidateBuilder",
    "Candidates",
    "CustomerPlan",
    "FeatureColumns",
]

DAY = 86_400.0
#: half-life (days) of the "bought this item recently" feature
RECENCY_DAYS = 30.0
#: orders after which a customer counts as fully experienced (the "_experienced" features)
EXPERIENCED = 10
#: most recent distinct items of a customer's last baskets used as co-purchase anchors
MAX_ANCHORS = 8

FEATURES = (
    "buy_again",
    "order_share",
    "recency",
    "last_basket",
    "together",
    "popular",
    "trending",
    "personal",
    "again_trending",
    "again_recent_customer",
    "again_rebuy_rate",
    "first_order",
    "due",
    "popular_experienced",
    "trending_experienced",
    "together_experienced",
    "spend",
)
#: features of an item given anchor items (product page, cart)
ITEM_FEATURES = (
    "together",
    "together_reverse",
    "together_cosine",
    "together_2",
    "together_support",
    "popular",
    "trending",
    "together_recent",
    "name_alike",
    "peers",
)
#: decayed co-orders at which the support feature reaches 1
FULL_SUPPORT = 50.0
#: an anchor in fewer (decayed) orders than this also borrows its neighbours' neighbours
SPARSE_ANCHOR = 10.0
#: neighbours of a sparse anchor whose own neighbours are borrowed
SECOND_ORDER_VIA = 3
#: neighbours borrowed from each of them
SECOND_ORDER_NEIGHBOURS = 20
#: neighbours looked at per anchor item
NEIGHBOURS_PER_ANCHOR = 40
#: products with the most alike names reached as candidates of an item query
NAME_CANDIDATES = 20

_FIRST = itemgetter(0)

#: the shop's lists and their copies weighed by the customer's experience
_EXPERIENCED = (
    ("popular", "popular_experienced"),
    ("trending", "trending_experienced"),
    ("together", "together_experienced"),
)

#: which source a feature speaks for (the source of an item is its strongest feature)
SOURCE_OF = {
    "buy_again": "buy_again",
    "order_share": "buy_again",
    "recency": "buy_again",
    "last_basket": "buy_again",
    "together": "co_purchase",
    "together_reverse": "co_purchase",
    "popular": "popular",
    "trending": "trending",
    "personal": "personal",
    "again_trending": "buy_again",
    "again_recent_customer": "buy_again",
    "again_rebuy_rate": "buy_again",
    "due": "buy_again",
    "first_order": "popular",
    "together_support": "co_purchase",
    "popular_experienced": "popular",
    "trending_experienced": "trending",
    "together_experienced": "co_purchase",
    "together_cosine": "co_purchase",
    "together_2": "co_purchase",
    "together_recent": "co_purchase",
    "name_alike": "similar",
    "peers": "co_purchase",
    "spend": "buy_again",
}


@dataclass
class Candidates:
    """Feature rows (only non-zero features) per candidate, with what the reasons need."""

    rows: dict[str, dict[str, float]] = field(default_factory=dict)
    orders: dict[str, int] = field(default_factory=dict)
    anchor: dict[str, str] = field(default_factory=dict)
    #: the anchors' recent baskets read for an item query (what a covering list reaches)
    baskets: list[tuple[str, ...]] = field(default_factory=list)
    #: how many of those baskets hold each candidate (the anchors left out)
    held: dict[str, int] = field(default_factory=dict)
    #: the neighbour through which a neighbour's neighbour reached its ``anchor`` (only for
    #: candidates never found bought with an anchor: their reason must not claim they were)
    via: dict[str, str] = field(default_factory=dict)


@dataclass
class FeatureColumns:
    """A customer's candidates feature by feature: per feature, in the order a row lists them,
    its value for each candidate that has it (a row is one candidate across the columns)."""

    ids: list[str]
    columns: list[tuple[str, dict[str, float]]] = field(default_factory=list)
    orders: dict[str, int] = field(default_factory=dict)
    anchor: dict[str, str] = field(default_factory=dict)

    def row(self, product_id: str) -> dict[str, float]:
        return {name: column[product_id] for name, column in self.columns if product_id in column}

    def rows(self) -> dict[str, dict[str, float]]:
        rows: dict[str, dict[str, float]] = {product_id: {} for product_id in self.ids}
        for name, column in self.columns:
            for product_id, value in column.items():
                rows[product_id][name] = value
        return rows

    def scores(self, weights: Mapping[str, float], bias: float) -> list[tuple[float, str]]:
        """(-(bias + Σ weight × value), product) for every candidate, in ``ids`` order.

        Summed column by column, so each candidate's terms are added in its row's order: the
        same floats as a dot product over its row, without making a row per candidate.
        """
        totals = dict.fromkeys(self.ids, 0.0)
        for name, column in self.columns:
            weight = weights.get(name, 0.0)
            for product_id, value in column.items():
                totals[product_id] += weight * value
        return [(-(bias + total), product_id) for product_id, total in totals.items()]


@dataclass
class CustomerPlan:
    """The sources of one customer's candidates as read at ``now`` (see ``CandidateBuilder``)."""

    now: float
    n_orders: int
    #: candidate ids in build order: history, co-purchase, then the shop's lists
    ids: list[str] = field(default_factory=list)
    #: product -> (raw decayed score, orders with it, last bought at, first bought at, spent)
    history: dict[str, tuple[float, int, float, float, float]] = field(default_factory=dict)
    top: float = 1.0
    #: log1p of the most money the customer spent on one of the ``history`` items
    spend_top: float = 1.0
    last: set[str] = field(default_factory=set)
    together: dict[str, tuple[float, str]] = field(default_factory=dict)
    together_top: float = 1.0
    #: (feature, {product: value scaled to the list's best})
    lists: list[tuple[str, dict[str, float]]] = field(default_factory=list)
    level: dict[str, float] = field(default_factory=dict)
    level_top: float = 1.0
    fresh: float = 0.0
    experience: float = 0.0


class CandidateBuilder:
    """Builds :class:`Candidates` from the recommenders' current state (reads only)."""

    def __init__(
        self,
        repeat: RepeatPurchases,
        popular: Popularity,
        trending: Popularity,
        personal: PersonalMF,
        copurchase: CoPurchase,
        neighbour_scores: Callable[[Sequence[str]], dict[str, tuple[float, str]]],
        max_candidates: int,
        *,
        newcomers: Popularity,
        history_candidates: int | None = None,
        together_candidates: int | None = None,
        recent_baskets: Callable[[list[str]], list[tuple[str, ...]]] | None = None,
        names: NameIndex | None = None,
        peer_baskets: Callable[[list[str]], list[set[str]]] | None = None,
    ) -> None:
        self.copurchase = copurchase
        self.repeat = repeat
        self.popular = popular
        self.trending = trending
        self.personal = personal
        self.neighbour_scores = neighbour_scores
        self.max_candidates = max_candidates
        self.history_candidates = history_candidates or max_candidates
        self.together_candidates = together_candidates or max_candidates
        self.newcomers = newcomers
        self.recent_baskets = recent_baskets
        self.names = names
        self.peer_baskets = peer_baskets

    def plan(self, customer_id: str, now: float) -> CustomerPlan:
        """Read every source of a customer's candidates once: the ordered candidate ids and
        what their features need, so rows can then be made for all of them or a sample."""
        n_orders, last_order, history = self.repeat.profile(customer_id, self.history_candidates)
        plan = CustomerPlan(now=now, n_orders=n_orders)
        if history:
            plan.top = history[0][1]
            baskets = self.repeat.recent_baskets(customer_id)
            plan.last = set(baskets[-1]) if baskets else set()
            plan.history = {e[0]: e[1:] for e in history}
            plan.spend_top = math.log1p(max(max(e[5] for e in history), 0.0)) or 1.0
            anchors = list(dict.fromkeys(p for b in reversed(baskets) for p in b))[:MAX_ANCHORS]
            plan.together = self.neighbour_scores(anchors)
            if plan.together:
                plan.together_top = max(map(_FIRST, plan.together.values()))
        listed = self.max_candidates // 4
        # the trending list of a customer with a history is read deeper (see ``level``)
        trending = self.trending.top(self.max_candidates if history else listed)
        plan.lists.append(_scaled("popular", self.popular.top(listed)))
        plan.lists.append(_scaled("trending", trending[:listed]))
        if not history:
            plan.lists.append(_scaled("first_order", self.newcomers.top(listed)))
        else:
            # interactions a linear model cannot make itself: a habit that is in season now,
            # and a habit of a customer who ordered recently
            plan.level_top = trending[0][1] if trending else 1.0
            plan.level = dict(trending)
            plan.fresh = 0.5 ** (max(now - last_order, 0.0) / DAY / RECENCY_DAYS)
            # the shop's lists weigh less against a long history of the customer's own
            plan.experience = min(n_orders, EXPERIENCED) / EXPERIENCED
        ids = dict.fromkeys(plan.history)
        ids.update(dict.fromkeys(_strongest_together(plan.together, self.together_candidates)))
        for _, scaled in plan.lists:
            ids.update(dict.fromkeys(scaled))
        plan.ids = list(ids)
        return plan

    def columns(self, plan: CustomerPlan, ids: Iterable[str]) -> FeatureColumns:
        """The features of ``ids`` (candidates of ``plan``), feature by feature: the one
        definition of a customer candidate's features, for a query (scored column by column,
        no row per candidate) and for training (``rows``, a sample's rows).

        The hot loop of a customer query (a few hundred candidates): each source is walked
        once, for the candidates asked, with everything it reads bound to a local first.
        """
        ids = list(ids)
        wanted = set(ids)
        found = FeatureColumns(ids)
        orders_of, anchor_of = found.orders, found.anchor
        now, top, last = plan.now, plan.top, plan.last
        n_orders = max(plan.n_orders, 1)
        buy_again: dict[str, float] = {}
        order_share: dict[str, float] = {}
        recency: dict[str, float] = {}
        last_basket: dict[str, float] = {}
        due: dict[str, float] = {}
        spend: dict[str, float] = {}
        spend_top = plan.spend_top
        for product_id, (raw, orders, last_ts, first_ts, spent) in plan.history.items():
            if product_id not in wanted:
                continue
            age = max(now - last_ts, 0.0) / DAY
            buy_again[product_id] = raw / top
            order_share[product_id] = orders / n_orders
            recency[product_id] = 0.5 ** (age / RECENCY_DAYS)
            last_basket[product_id] = 1.0 if product_id in last else 0.0
            due[product_id] = _due(age, (last_ts - first_ts) / DAY, orders)
            # what the customer spends most on is their staple (a wholesaler's 100 bags of
            # flour beside a jar of jam). Full UCI year, next-basket HitRate@10 0.6908 ->
            # 0.6963 (seed 42), 0.6886 -> 0.6940 (seed 43); units alone gained a third of that,
            # and a share of all their spending, a linear scale or a 90-day decay less
            if spent > 0:
                spend[product_id] = math.log1p(spent) / spend_top
            orders_of[product_id] = orders
        together: dict[str, float] = {}
        together_top = plan.together_top
        for product_id, (score, anchor) in plan.together.items():
            if product_id in wanted:
                together[product_id] = score / together_top
                anchor_of[product_id] = anchor
        columns = found.columns
        columns += [
            ("buy_again", buy_again),
            ("order_share", order_share),
            ("recency", recency),
            ("last_basket", last_basket),
            ("due", due),
            ("together", together),
            ("spend", spend),
        ]
        for name, scaled in plan.lists:
            columns.append((name, {p: v for p, v in scaled.items() if p in wanted}))
        if buy_again:
            # interactions a linear model cannot make itself (see ``plan``)
            level_get, level_top, fresh = plan.level.get, plan.level_top, plan.fresh
            rebuy_rate = self.repeat.rebuy_rate
            columns += [
                (
                    "again_trending",
                    {p: a * level_get(p, 0.0) / level_top for p, a in buy_again.items()},
                ),
                ("again_recent_customer", {p: a * fresh for p, a in buy_again.items()}),
                ("again_rebuy_rate", {p: a * rebuy_rate(p) for p, a in buy_again.items()}),
            ]
        if plan.history:
            experience = plan.experience
            by_name = dict(columns)
            for name, experienced in _EXPERIENCED:
                base = by_name.get(name, {})
                columns.append((experienced, {p: v * experience for p, v in base.items()}))
        return found

    def rows(self, plan: CustomerPlan, ids: Iterable[str]) -> Candidates:
        """Feature rows for ``ids`` (candidates of ``plan``): each the same, key for key, as in
        the full build, so a ranker trained on a sample scores what a query builds."""
        found = self.columns(plan, ids)
        return Candidates(found.rows(), found.orders, found.anchor)

    def build_columns(self, customer_id: str, now: float) -> FeatureColumns:
        """Every candidate of the customer with its features, as columns (what a query
        scores)."""
        plan = self.plan(customer_id, now)
        found = self.columns(plan, plan.ids)
        found.columns.append(("personal", self.personal_column(customer_id, plan.ids)))
        return found

    def build_items(self, anchors: Sequence[str], now: float) -> Candidates:
        """Candidates for items bought with ``anchors``: P(item | anchor) and P(anchor | item)
        summed over anchors (each scaled to [0, 1]), popular and trending, and the share of the
        anchors' recent baskets that hold the item (``together_recent``: what sells with them
        now, where the pair counts remember two months; full UCI year, bought-together
        HitRate@10 0.6874 -> 0.6900, NDCG@10 0.1990 -> 0.2017; the second half year replayed
        alone 0.6736 -> 0.6746, 0.1940 -> 0.1958. Adding the baskets' other items as candidates
        lowered both, and so did leaving the anchors that the lists reach out of the rows the
        item ranker trains on), and how alike the item's name is to the anchors' (``name_alike``,
        with the ``NAME_CANDIDATES`` most alike as candidates; full UCI year, seed 42: 0.6901 ->
        0.6949, NDCG@10 0.2017 -> 0.2034; seed 43: 0.6878 -> 0.6950; 50 candidates 0.6937,
        names scored as a cosine 0.6951 for a dearer query, words in up to 10 % of the products
        0.6949. As a feature of the customer ranker (first 8,000 orders) it moved next-basket by
        +0.001, within seed noise, for a 35 % dearer p99).

        Each feature is summed in a column of its own, so its scale (the column's best) is one
        C-level ``max``; rows are made once at the end, in the order the candidates were found
        and each with its features in the order they were first reached.
        """
        found = Candidates()
        rows, anchor_of = found.rows, found.anchor
        cp = self.copurchase
        count = cp.count
        together: dict[str, float] = {}
        reverse: dict[str, float] = {}
        cosine: dict[str, float] = {}
        second: dict[str, float] = {}
        #: every candidate in the order found; True where ``together_2`` reached it first
        found_first: dict[str, bool] = {}
        best: dict[str, float] = {}
        for anchor in anchors:
            base = count(anchor)
            if base <= 0:
                continue
            for product_id, raw in cp.neighbours(anchor, NEIGHBOURS_PER_ANCHOR):
                value = raw / base
                other = max(count(product_id), 1e-12)
                if product_id not in together:
                    found_first.setdefault(product_id, False)
                    together[product_id] = value
                    reverse[product_id] = raw / other
                    cosine[product_id] = raw / math.sqrt(base * other)
                else:
                    together[product_id] += value
                    reverse[product_id] += raw / other
                    cosine[product_id] += raw / math.sqrt(base * other)
                if value > best.get(product_id, 0.0):
                    best[product_id] = value
                    anchor_of[product_id] = anchor
                    found.via.pop(product_id, None)
            if cp.decayed(base, now) < SPARSE_ANCHOR:
                self._add_second_order(anchor, base, second, found_first, found)
        scale = cp.decayed(1.0, now)
        anchor_rows = [cp.row(a).get for a in anchors]
        top_together, top_reverse = _top(together), _top(reverse)
        top_cosine, top_second = _top(cosine), _top(second)
        skip = set(anchors)
        for product_id, second_first in found_first.items():
            if product_id in skip:
                continue
            row: dict[str, float] = {}
            if second_first:
                row["together_2"] = second[product_id] / top_second
            if product_id in together:
                row["together"] = together[product_id] / top_together
                row["together_reverse"] = reverse[product_id] / top_reverse
                row["together_cosine"] = cosine[product_id] / top_cosine
                if not second_first and product_id in second:
                    row["together_2"] = second[product_id] / top_second
            # how many (decayed) orders back the pair: 1 for 50 and more, on a log scale
            support = 0.0
            for get in anchor_rows:
                support += get(product_id, 0.0)
            support *= scale
            row["together_support"] = min(math.log1p(support) / math.log1p(FULL_SUPPORT), 1.0)
            rows[product_id] = row
        self._add_list(rows, "popular", self.popular.top(self.max_candidates // 10))
        self._add_list(rows, "trending", self.trending.top(self.max_candidates // 10))
        if self.names is not None:
            self._add_alike(rows, anchors)
        if self.recent_baskets is not None:
            found.baskets = self.recent_baskets(list(anchors))
            self._add_recent(found, anchors, anchor_rows)
        if self.peer_baskets is not None:
            self._add_peers(rows, self.peer_baskets(list(anchors)))
        return found

    @staticmethod
    def _add_peers(rows: dict[str, dict[str, float]], bought: list[set[str]]) -> None:
        """``peers``: how many of the anchors' recent buyers bought a candidate in their other
        orders (``RecentBaskets.peers``), scaled to the most bought ("customers who bought this
        also bought": a wholesaler's assortment is wider than one order). Full UCI year,
        bought-together HitRate@10, counting baskets: 0.6949 -> 0.6975 (seed 42), 0.6950 ->
        0.6970 (seed 43); counting buyers 0.6983 and 0.6972; the 20 most held as candidates too
        0.6988 and 0.6955, 5 baskets per buyer 0.6966 (buyers: 0.6970 and 0.6978)."""
        if not bought:
            return
        held = Counter(chain.from_iterable(bought))
        top = max(held.values())
        # each row gains its feature last, whatever order the shared ids come in
        for product_id in rows.keys() & held.keys():
            rows[product_id]["peers"] = held[product_id] / top

    @staticmethod
    def _add_recent(
        found: Candidates,
        anchors: Sequence[str],
        anchor_rows: list[Callable[[str, float], float]],
    ) -> None:
        """``together_recent`` for the candidates in the anchors' recent baskets; one reached
        only by a list gets the anchor it is most often bought with, for its reason."""
        if not found.baskets:
            return
        held = Counter(chain.from_iterable(found.baskets))
        for anchor in anchors:  # every basket holds one (the lists may reach an anchor)
            held.pop(anchor, None)
        found.held = held
        read = len(found.baskets)
        for product_id, row in found.rows.items():
            times = held.get(product_id)
            if not times:
                continue
            row["together_recent"] = times / read
            if product_id not in found.anchor:
                pairs = [get(product_id, 0.0) for get in anchor_rows]
                found.anchor[product_id] = anchors[pairs.index(max(pairs))]

    def _add_alike(self, rows: dict[str, dict[str, float]], anchors: Sequence[str]) -> None:
        """``name_alike`` for every candidate whose name shares rare words with the anchors',
        and the ``NAME_CANDIDATES`` most alike products as candidates."""
        assert self.names is not None
        alike = self.names.scores(anchors)
        if not alike:
            return
        # each row gains its feature last, whatever order the shared ids come in
        for product_id in rows.keys() & alike.keys():
            rows[product_id]["name_alike"] = alike[product_id]
        for product_id, value in best_of(alike, NAME_CANDIDATES):
            if product_id not in rows:
                rows[product_id] = {"name_alike": value}

    def _add_second_order(
        self,
        anchor: str,
        base: float,
        second: dict[str, float],
        found_first: dict[str, bool],
        found: Candidates,
    ) -> None:
        """Neighbours of the neighbours of a rarely bought anchor: P(j | n) weighed by
        P(n | anchor), so a product seen in a few orders still borrows a wider basket. One not
        yet found with an anchor keeps the first neighbour it was reached through, for its
        reason."""
        cp = self.copurchase
        anchor_of, via_of = found.anchor, found.via
        for middle, raw in cp.neighbours(anchor, SECOND_ORDER_VIA, tie_break=False):
            via = raw / base
            middle_count = cp.count(middle)
            if middle_count <= 0:
                continue
            for product_id, raw2 in cp.neighbours(middle, SECOND_ORDER_NEIGHBOURS, tie_break=False):
                found_first.setdefault(product_id, True)
                second[product_id] = second.get(product_id, 0.0) + via * raw2 / middle_count
                if product_id not in anchor_of:
                    anchor_of[product_id] = anchor
                    via_of[product_id] = middle

    def personal_column(self, customer_id: str, ids: list[str]) -> dict[str, float]:
        """The MF feature of ``ids``: where it is above 0 (separate from the other features so
        training scores only what it samples)."""
        if not self.personal.knows(customer_id):
            return {}
        # MF predicts the 0/1 purchase target: clip to [0, 1] (no per-list scaling, so a row
        # means the same whether it was built for training or for a query)
        column = {}
        for product_id, value in zip(ids, self.personal.score(customer_id, ids), strict=True):
            if value > 0:
                column[product_id] = min(value, 1.0)
        return column

    def add_personal(self, customer_id: str, rows: dict[str, dict[str, float]]) -> None:
        """Add the MF feature to ``rows`` (last, as in a query's columns)."""
        for product_id, value in self.personal_column(customer_id, list(rows)).items():
            rows[product_id]["personal"] = value

    @staticmethod
    def _add_list(
        rows: dict[str, dict[str, float]], name: str, ranked: Iterable[tuple[str, float]]
    ) -> None:
        ranked = list(ranked)
        if not ranked:
            return
        top = ranked[0][1]
        for product_id, raw in ranked:
            rows.setdefault(product_id, {})[name] = raw / top


def _top(column: dict[str, float]) -> float:
    """What a summed feature is divided by to scale it to [0, 1]: its best value (1 when there
    is none above 0, which leaves the values as they are)."""
    top = max(column.values(), default=0.0)
    return top if top > 0 else 1.0


def _scaled(name: str, ranked: list[tuple[str, float]]) -> tuple[str, dict[str, float]]:
    """A ranked list as feature values: each raw value over the list's best."""
    if not ranked:
        return name, {}
    top = ranked[0][1]
    return name, {product_id: raw / top for product_id, raw in ranked}


def _strongest_together(together: dict[str, tuple[float, str]], n: int) -> list[str]:
    """The ``n`` products with the highest co-purchase score (ties: first found first)."""
    if len(together) <= n:
        return list(together)
    scores = {product_id: score for product_id, (score, _) in together.items()}
    return sorted(scores, key=scores.__getitem__, reverse=True)[:n]


def _due(age_days: float, span_days: float, orders: int) -> float:
    """How close the time since the last purchase is to the customer's own usual interval
    between two purchases of the item: 1 when it is due now, towards 0 far before or after."""
    if orders < 2 or span_days <= 0 or age_days <= 0:
        return 0.0
    ratio = age_days * (orders - 1) / span_days
    return min(ratio, 1.0 / ratio)
