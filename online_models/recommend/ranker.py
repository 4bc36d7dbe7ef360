"""The blended ranker: candidates from every recommender, one score, one fallback chain.

Chain: personal (buy again, co-purchase from recent baskets, MF, ranked by the learned blend) →
co-purchase (with alike names and what the anchors' buyers buy besides) → category popular →
store popular → external fallback. Only a few hundred candidates
are ever scored. Once a learned ranker is ready its list is picked to cover more of the baskets
the query is about (``coverage``): a hit rate asks for one right item, not ten alike. Every result
passes the business filters and carries its source and a reason a shopper can read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from operator import mul

from online_models.catalogue import Catalogue
from online_models.config import BrainConfig
from online_models.recommend.base import Recommendation
from online_models.recommend.baskets import RecentBaskets
from online_models.recommend.candidates import (
    FEATURES,
    ITEM_FEATURES,
    NEIGHBOURS_PER_ANCHOR,
    SOURCE_OF,
    CandidateBuilder,
    Candidates,
    FeatureColumns,
)
from online_models.recommend.copurchase import CoPurchase
from online_models.recommend.coverage import cover, cover_held
from online_models.recommend.first_baskets import FirstBaskets
from online_models.recommend.learned import LearnedBlend
from online_models.recommend.names import NameIndex
from online_models.recommend.personal import PersonalMF
from online_models.recommend.popular import Popularity
from online_models.recommend.repeat import RepeatPurchases

__all__ = ["Ranker"]

#: hand-set weight of neighbours' neighbours against direct co-purchase (until the learned
#: item ranker is ready)
SECOND_ORDER_WEIGHT = 0.5
#: baskets read per recent buyer of a product (``RecentBaskets.peers``)
PEER_BASKETS = 3
#: hand-set weight of a name alike the anchors' (``NameIndex``) against direct co-purchase
NAME_WEIGHT = 0.1
#: a covering list re-picks the best 3 admissible candidates per item asked, at least 60 (full
#: UCI year: pools of 40, 60, 80 and every candidate gave the same next-basket HitRate@10 and
#: bought-together within 0.0003; a pool of 30 cost bought-together 0.0016); the deeper the
#: pool, the dearer the query
COVER_POOL_PER_PICK = 3
MIN_COVER_POOL = 60
#: fewest orders a reason counts aloud (the k of the cloud's k-anonymous lists, by default)
MIN_COUNTED = 3


class _Picks:
    """An ordered, filtered result list that the fallback chain fills in turn."""

    def __init__(self, limit: int, admissible: Callable[[str], bool]) -> None:
        self.limit = limit
        self.admissible = admissible
        self.items: dict[str, Recommendation] = {}

    @property
    def full(self) -> bool:
        return len(self.items) >= self.limit

    def offer(self, product_id: str, score: float, source: str, reason: str) -> None:
        if self.full or product_id in self.items or not self.admissible(product_id):
            return
        self.items[product_id] = Recommendation(product_id, round(score, 6), source, reason)

    def result(self) -> list[Recommendation]:
        return list(self.items.values())


class Ranker:
    """Answers recommendation queries from the brain's models; holds no learned state itself."""

    def __init__(
        self,
        config: BrainConfig,
        catalogue: Catalogue,
        popular: Popularity,
        trending: Popularity,
        copurchase: CoPurchase,
        repeat: RepeatPurchases,
        personal: PersonalMF,
        learned: LearnedBlend,
        learned_items: LearnedBlend,
        *,
        newcomers: Popularity,
        baskets: RecentBaskets,
        first_baskets: FirstBaskets,
        names: NameIndex,
        fallback: Callable[[], list[tuple[str, str]]],
        now: Callable[[], float],
    ) -> None:
        self.config = config
        self.catalogue = catalogue
        self.popular = popular
        self.trending = trending
        self.copurchase = copurchase
        self.repeat = repeat
        self.personal = personal
        self.learned = learned
        self.learned_items = learned_items
        self.baskets = baskets
        self.first_baskets = first_baskets
        self.names = names
        self.fallback = fallback
        self.now = now
        self.candidates = CandidateBuilder(
            repeat,
            popular,
            trending,
            personal,
            copurchase,
            self._neighbour_scores,
            config.max_candidates,
            newcomers=newcomers,
            history_candidates=config.history_candidates,
            together_candidates=config.together_candidates,
            recent_baskets=lambda anchors: baskets.of(anchors, config.cover_baskets_per_product),
            names=names,
            peer_baskets=lambda anchors: baskets.peers(
                anchors, config.cover_baskets_per_product, PEER_BASKETS
            ),
        )

    # ------------------------------------------------------------------ filters and chain tail

    def _filter(self, blocked: set[str], category: str | None) -> Callable[[str], bool]:
        catalogue = self.catalogue

        def admissible(product_id: str) -> bool:
            if product_id in blocked or not catalogue.recommendable(product_id):
                return False
            return category is None or catalogue.in_category(product_id, category)

        return admissible

    def _fill(self, picks: _Picks, category: str | None) -> None:
        """The tail of every chain: category popular, store popular, external fallback."""
        if picks.full:
            return
        if category is not None:
            for product_id, raw in self.popular.top(self.config.max_candidates, category):
                picks.offer(product_id, raw, "category_popular", f"popular in {category}")
                if picks.full:
                    return
        for product_id, raw in self.popular.top(self.config.max_candidates):
            picks.offer(product_id, raw, "popular", "popular in the shop lately")
            if picks.full:
                return
        for product_id, reason in self.fallback():
            picks.offer(product_id, 0.0, "fallback", reason)
            if picks.full:
                return

    # ------------------------------------------------------------------ item to item

    def _neighbour_scores(self, anchors: Sequence[str]) -> dict[str, tuple[float, str]]:
        """score(i) = Σ over anchors of P(i | anchor) / count(i) ** damping, and its best anchor
        (the first anchor to reach the highest P(i | anchor)). A customer query and every
        trained order call this for up to 8 anchors of 40 neighbours: the first anchor's
        values are taken in one comprehension, and the totals and best (value, anchor) are kept
        in two plain dicts (no list per product; 116 -> 73 us at the median on the UCI year)."""
        damping = self.config.copurchase_popularity_damping
        cp = self.copurchase
        count, neighbours = cp.count, cp.neighbours
        totals: dict[str, float] = {}
        best: dict[str, tuple[float, str]] = {}
        for anchor in anchors:
            base = count(anchor)
            if base <= 0:
                continue
            pairs = neighbours(anchor, NEIGHBOURS_PER_ANCHOR, tie_break=False)
            if damping:
                values = [(p, raw / base / max(count(p), 1e-12) ** damping) for p, raw in pairs]
            else:
                values = [(p, raw / base) for p, raw in pairs]
            if not totals:
                totals = dict(values)
                best = {product_id: (value, anchor) for product_id, value in values}
                continue
            total_of = totals.get
            for product_id, value in values:
                total = total_of(product_id)
                if total is None:
                    totals[product_id] = value
                    best[product_id] = (value, anchor)
                    continue
                totals[product_id] = total + value
                if value > best[product_id][0]:
                    best[product_id] = (value, anchor)
        return {product_id: (total, best[product_id][1]) for product_id, total in totals.items()}

    def for_items(
        self,
        anchors: Sequence[str],
        *,
        limit: int,
        category: str | None,
        exclude: Iterable[str],
        customer_id: str | None = None,
        exclude_purchased: bool = False,
    ) -> list[Recommendation]:
        """Co-purchase for the anchors, then (for a known customer) their own picks, then the
        popular tail. ``exclude_purchased`` leaves out what the customer already bought, in
        every part of the chain ("you may also like" is not "buy again")."""
        blocked = set(exclude) | set(anchors)
        if exclude_purchased and customer_id is not None:
            blocked |= self.repeat.bought(customer_id)
        picks = _Picks(limit, self._filter(blocked, category))
        distinct = list(dict.fromkeys(anchors))
        found = self.candidates.build_items(distinct, self.now())
        blend = self.learned_items if self.learned_items.ready else None
        cfg = self.config
        weight = cfg.together_weight_popular

        def hand(row: dict[str, float]) -> float:
            together = row.get("together", 0.0) + SECOND_ORDER_WEIGHT * row.get("together_2", 0.0)
            alike = NAME_WEIGHT * row.get("name_alike", 0.0)
            return together + alike + weight * row.get("popular", 0.0)

        weights = blend.coefficients()[0] if blend is not None else {}
        ranked = self._ranked(blend, found, hand)
        if blend is not None:
            ranked = _covering(
                ranked,
                picks.admissible,
                found.baskets,
                limit,
                cfg.together_cover_weight,
                cfg.together_cover_discount,
            )
        for score, product_id in ranked:
            row = found.rows[product_id]
            feature = ""
            if blend is not None:
                feature = self._top_feature(weights, row)
                source = SOURCE_OF[feature] if feature else "popular"
            else:
                together = row.get("together") or row.get("together_2")
                alike = row.get("name_alike")
                source = "co_purchase" if together else "similar" if alike else "popular"
            if feature == "peers":
                reason = self._peers_reason(distinct)
            elif source == "co_purchase" and product_id in found.anchor:
                reason = self._together_reason(
                    found, found.anchor[product_id], product_id, counted=len(distinct) == 1
                )
            elif source == "similar":
                reason = self._similar_reason(product_id, distinct)
            else:
                reason = self._reason(source, product_id, found)
            picks.offer(product_id, score, source, reason)
            if picks.full:
                break
        if customer_id is not None and not picks.full and self.repeat.knows(customer_id):
            own = self.for_customer(
                customer_id,
                limit=picks.limit,
                category=category,
                exclude=blocked,
                exclude_purchased=exclude_purchased,
            )
            for rec in own:
                picks.offer(rec.product_id, rec.score, rec.source, rec.reason)
        anchor_category = self.catalogue.category(anchors[0]) if anchors else None
        self._fill(picks, category or anchor_category)
        return picks.result()

    def _together_reason(
        self, found: Candidates, anchor: str, product_id: str, *, counted: bool
    ) -> str:
        """How often the item was bought with the anchor, counted in the anchor's recent orders
        when the query is about that one product ("bought in 12 of the last 50 orders with
        Tea"); a cart's baskets are shared among its products, so its reason names the anchor.
        A count below ``MIN_COUNTED`` is not shown: on a quiet shop "1 of the last 1" would tell
        any visitor what one customer bought together. An item reached only through another
        neighbour was never bought with the anchor, and its reason says so."""
        name = self.catalogue.name(anchor)
        times = found.held.get(product_id, 0)
        if counted and times >= MIN_COUNTED:
            return f"bought in {times} of the last {len(found.baskets)} orders with {name}"
        middle = found.via.get(product_id)
        if middle is not None:
            middle_name = self.catalogue.name(middle)
            return f"often bought with {middle_name}, which buyers of {name} also buy"
        return f"often bought together with {name}"

    def _similar_reason(self, product_id: str, anchors: Sequence[str]) -> str:
        """Names the anchor the item's name is most alike (it shares a rare word with one: that
        is how ``name_alike`` reached it)."""
        closest = self.names.closest(product_id, anchors) or anchors[0]
        return f"similar to {self.catalogue.name(closest)}"

    @staticmethod
    def _ranked(
        blend: LearnedBlend | None,
        found: Candidates,
        hand: Callable[[dict[str, float]], float],
    ) -> Iterator[tuple[float, str]]:
        """An item query's rows as (score, product) best first (ties: by product id): the
        learned blend's logit, or the hand-set blend."""
        if blend is not None:
            weights, bias = blend.coefficients()
            # one weight per known feature, so the dot products run in C (map, not a generator);
            # same terms, same order, same sums
            every = dict.fromkeys(FEATURES + ITEM_FEATURES, 0.0)
            every.update(weights)
            weight_of = every.__getitem__
            negated = [
                (-(bias + sum(map(mul, map(weight_of, row), row.values()))), p)
                for p, row in found.rows.items()
            ]
        else:
            negated = [(-hand(row), p) for p, row in found.rows.items()]
        return _best_first(negated)

    # ------------------------------------------------------------------ customer

    def _hand_weights(self) -> dict[str, float]:
        """The hand-set blend as weights per feature (zero for the others)."""
        cfg = self.config
        return {
            "buy_again": cfg.weight_repeat,
            "together": cfg.weight_copurchase,
            "popular": cfg.weight_popular,
            "personal": cfg.weight_personal,
        }

    def _hand_source(self, row: dict[str, float]) -> str:
        cfg = self.config
        parts = {
            "buy_again": cfg.weight_repeat * row.get("buy_again", 0.0),
            "co_purchase": cfg.weight_copurchase * row.get("together", 0.0),
            "popular": cfg.weight_popular * row.get("popular", 0.0),
            "personal": cfg.weight_personal * row.get("personal", 0.0),
        }
        return max(parts, key=lambda s: (parts[s], s))

    @staticmethod
    def _top_feature(weights: dict[str, float], row: dict[str, float]) -> str:
        """The feature that added most to the learned score (ties: the feature name last in
        alphabetical order), or "" for an empty row."""
        top_feature, top = "", 0.0
        for feature, x in row.items():
            part = weights.get(feature, 0.0) * x
            if not top_feature or part > top or (part == top and feature > top_feature):
                top_feature, top = feature, part
        return top_feature

    @classmethod
    def _source(cls, weights: dict[str, float], row: dict[str, float]) -> str:
        """The source of the feature that added most to the learned score."""
        top_feature = cls._top_feature(weights, row)
        return SOURCE_OF[top_feature] if top_feature else "popular"

    def _peers_reason(self, anchors: Sequence[str]) -> str:
        """An item that the anchors' buyers buy in their other orders was not bought with them,
        and its reason does not say it was."""
        if len(anchors) == 1:
            return f"customers who bought {self.catalogue.name(anchors[0])} also buy this"
        return "customers who bought these also buy this"

    def for_customer(
        self,
        customer_id: str,
        *,
        limit: int,
        category: str | None,
        exclude: Iterable[str],
        exclude_purchased: bool,
    ) -> list[Recommendation]:
        blocked = set(exclude)
        if exclude_purchased:
            blocked |= self.repeat.bought(customer_id)
        picks = _Picks(limit, self._filter(blocked, category))
        found = self.candidates.build_columns(customer_id, self.now())
        blend = self.learned if self.learned.ready else None
        weights, bias = blend.coefficients() if blend is not None else (self._hand_weights(), 0.0)
        ranked: Iterable[tuple[float, str]] = _best_first(found.scores(weights, bias))
        if blend is not None:
            ranked = self._customer_covering(customer_id, ranked, picks.admissible, limit)
        for score, product_id in ranked:
            if blend is None and score <= 0:
                break
            row = found.row(product_id)
            source = self._source(weights, row) if blend else self._hand_source(row)
            picks.offer(product_id, score, source, self._reason(source, product_id, found))
            if picks.full:
                break
        self._fill(picks, category)
        return picks.result()

    def _customer_covering(
        self,
        customer_id: str,
        ranked: Iterable[tuple[float, str]],
        admissible: Callable[[str], bool],
        limit: int,
    ) -> Iterator[tuple[float, str]]:
        """A customer's list re-picked to cover their own last baskets, or, for one with none
        yet, the shop's latest first orders (``FirstBaskets``)."""
        cfg = self.config
        own = self.baskets.of_customer(customer_id)
        if own:
            return _covering(
                ranked,
                admissible,
                own,
                limit,
                cfg.customer_cover_weight,
                cfg.customer_cover_discount,
            )
        head, rest = _head(ranked, admissible, limit)
        held = self.first_baskets.holding(item for _, item in head)
        picked = cover_held(
            head, held, weight=cfg.first_cover_weight, discount=cfg.first_cover_discount
        )
        return _then(picked, rest)

    def _reason(
        self, source: str, product_id: str, found: Candidates | FeatureColumns
    ) -> str:
        if source == "buy_again" and product_id in found.orders:
            return f"you bought this in {found.orders[product_id]} orders"
        if source == "co_purchase" and product_id in found.anchor:
            return f"often bought with {self.catalogue.name(found.anchor[product_id])}"
        if source == "personal":
            return "picked for your taste from what you bought"
        if source == "trending":
            return "trending this week"
        return "popular in the shop lately"

    # ------------------------------------------------------------------ lists

    def top_list(
        self,
        which: Popularity,
        source: str,
        *,
        limit: int,
        category: str | None,
        exclude: Iterable[str],
    ) -> list[Recommendation]:
        picks = _Picks(limit, self._filter(set(exclude), category))
        reason = "trending this week" if source == "trending" else "popular in the shop lately"
        for product_id, raw in which.top(self.config.max_candidates, category):
            picks.offer(product_id, raw, source, reason)
            if picks.full:
                break
        self._fill(picks, category)
        return picks.result()


def _best_first(negated: list[tuple[float, str]]) -> Iterator[tuple[float, str]]:
    """(score, product) best first, ties by product id, from (-score, product) pairs: sorted
    as plain tuples, with no key function per item."""
    negated.sort()
    return ((-negative, p) for negative, p in negated)


def _head(
    ranked: Iterable[tuple[float, str]], admissible: Callable[[str], bool], limit: int
) -> tuple[list[tuple[float, str]], Iterator[tuple[float, str]]]:
    """The best ``COVER_POOL_PER_PICK * limit`` admissible items (at least ``MIN_COVER_POOL``:
    the rest are seldom reached), and an iterator over the admissible ones after them.

    Only admissible items are picked, so every pick offered to the chain is one it keeps (a
    filtered pick must not cover baskets)."""
    allowed = (pair for pair in ranked if admissible(pair[1]))
    return list(islice(allowed, max(COVER_POOL_PER_PICK * limit, MIN_COVER_POOL))), allowed


def _then(
    picked: Iterable[tuple[float, str]], rest: Iterable[tuple[float, str]]
) -> Iterator[tuple[float, str]]:
    """The covered head, then the rest in ranked order, their values capped at the head's last
    so scores never rise."""
    last = math.inf
    for value, product_id in picked:
        last = value
        yield value, product_id
    for value, product_id in rest:
        yield min(value, last), product_id


def _covering(
    ranked: Iterable[tuple[float, str]],
    admissible: Callable[[str], bool],
    baskets: list[tuple[str, ...]],
    limit: int,
    weight: float,
    discount: float,
) -> Iterator[tuple[float, str]]:
    """``ranked`` with its head (``_head``) re-picked to cover ``baskets``, then the rest."""
    head, rest = _head(ranked, admissible, limit)
    return _then(cover(head, baskets, weight=weight, discount=discount), rest)
