"""The blended ranker: candidates from every recommender, one score, one fallback chain.

Chain: personal (buy again, co-purchase from recent baskets, MF) → co-purchase → category popular
→ store popular → external fallback. Only a few hundred candidates are ever scored. Every result
passes the business filters and carries its source and a reason a shopper can read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from online_models.catalogue import Catalogue
from online_models.config import BrainConfig
from online_models.recommend.base import Recommendation
from online_models.recommend.copurchase import CoPurchase
from online_models.recommend.personal import PersonalMF
from online_models.recommend.popular import Popularity
from online_models.recommend.repeat import RepeatPurchases

__all__ = ["Ranker"]

#: neighbours looked at per anchor item
NEIGHBOURS_PER_ANCHOR = 40
#: most recent distinct items of a customer's last baskets used as co-purchase anchors
MAX_ANCHORS = 12


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
        fallback: Callable[[], list[tuple[str, str]]],
    ) -> None:
        self.config = config
        self.catalogue = catalogue
        self.popular = popular
        self.trending = trending
        self.copurchase = copurchase
        self.repeat = repeat
        self.personal = personal
        self.fallback = fallback

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
        """score(i) = Σ over anchors of P(i | anchor) / count(i) ** damping, and its best anchor."""
        damping = self.config.copurchase_popularity_damping
        cp = self.copurchase
        scores: dict[str, tuple[float, str]] = {}
        best: dict[str, float] = {}
        for anchor in anchors:
            base = cp.count(anchor)
            if base <= 0:
                continue
            for product_id, raw in cp.neighbours(anchor, NEIGHBOURS_PER_ANCHOR):
                value = raw / base
                if damping:
                    value /= max(cp.count(product_id), 1e-12) ** damping
                total, top_anchor = scores.get(product_id, (0.0, anchor))
                if value > best.get(product_id, 0.0):
                    best[product_id], top_anchor = value, anchor
                scores[product_id] = (total + value, top_anchor)
        return scores

    def for_items(
        self,
        anchors: Sequence[str],
        *,
        limit: int,
        category: str | None,
        exclude: Iterable[str],
        customer_id: str | None = None,
    ) -> list[Recommendation]:
        """Co-purchase for the anchors, then (for a known customer) their own picks, then the
        popular tail."""
        blocked = set(exclude) | set(anchors)
        picks = _Picks(limit, self._filter(blocked, category))
        scores = self._neighbour_scores(list(dict.fromkeys(anchors)))
        weight = self.config.together_weight_popular
        popular = self.popular.top(self.config.max_candidates // 10)
        top = popular[0][1] if popular else 1.0
        prior = {p: weight * raw / top for p, raw in popular}
        blended = []
        for product_id in dict.fromkeys([*scores, *prior]):
            together, anchor = scores.get(product_id, (0.0, ""))
            blended.append((together + prior.get(product_id, 0.0), together, product_id, anchor))
        blended.sort(key=lambda t: (-t[0], t[2]))
        for score, together, product_id, anchor in blended:
            if together > 0:
                reason = self._together_reason(anchor, product_id)
                picks.offer(product_id, score, "co_purchase", reason)
            else:
                picks.offer(product_id, score, "popular", "popular in the shop lately")
            if picks.full:
                break
        if customer_id is not None and not picks.full and self.repeat.knows(customer_id):
            own = self.for_customer(
                customer_id,
                limit=picks.limit,
                category=category,
                exclude=blocked,
                exclude_purchased=False,
            )
            for rec in own:
                picks.offer(rec.product_id, rec.score, rec.source, rec.reason)
        anchor_category = self.catalogue.category(anchors[0]) if anchors else None
        self._fill(picks, category or anchor_category)
        return picks.result()

    def _together_reason(self, anchor: str, product_id: str) -> str:
        return f"often bought together with {self.catalogue.name(anchor)}"

    # ------------------------------------------------------------------ customer

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
        history = self.repeat.items(customer_id)
        if exclude_purchased:
            blocked |= {p for p, _, _ in history}
        picks = _Picks(limit, self._filter(blocked, category))
        cfg = self.config
        components: dict[str, dict[str, float]] = {
            "buy_again": {},
            "co_purchase": {},
            "popular": {},
            "personal": {},
        }
        orders_of: dict[str, int] = {}
        if history:
            top = history[0][1]
            for product_id, raw, orders in history[: cfg.max_candidates]:
                components["buy_again"][product_id] = raw / top
                orders_of[product_id] = orders
        baskets = reversed(self.repeat.recent_baskets(customer_id))
        anchors = list(dict.fromkeys(p for basket in baskets for p in basket))[:MAX_ANCHORS]
        together = self._neighbour_scores(list(dict.fromkeys(anchors)))
        best_anchor = {p: a for p, (_, a) in together.items()}
        if together:
            top = max(v for v, _ in together.values())
            for product_id, (value, _) in together.items():
                components["co_purchase"][product_id] = value / top
        popular = self.popular.top(cfg.max_candidates // 3)
        if popular:
            top = popular[0][1]
            for product_id, raw in popular:
                components["popular"][product_id] = raw / top
        candidates = list(
            dict.fromkeys(
                [*components["buy_again"], *components["co_purchase"], *components["popular"]]
            )
        )[: cfg.max_candidates]
        if cfg.weight_personal and self.personal.knows(customer_id):
            scores = self.personal.score(customer_id, candidates)
            top = max(scores, default=0.0)
            if top > 0:
                components["personal"] = {
                    p: max(s, 0.0) / top for p, s in zip(candidates, scores, strict=True)
                }
        weights = (
            ("buy_again", cfg.weight_repeat, components["buy_again"]),
            ("co_purchase", cfg.weight_copurchase, components["co_purchase"]),
            ("popular", cfg.weight_popular, components["popular"]),
            ("personal", cfg.weight_personal, components["personal"]),
        )
        blended = []
        for product_id in candidates:
            total, best, source = 0.0, -1.0, ""
            for name, weight, values in weights:
                part = weight * values.get(product_id, 0.0)
                total += part
                if part > best:
                    best, source = part, name
            blended.append((total, product_id, source))
        blended.sort(key=lambda t: (-t[0], t[1]))
        for score, product_id, source in blended:
            if score <= 0:
                break
            if source == "buy_again":
                reason = f"you bought this in {orders_of[product_id]} orders"
            elif source == "co_purchase":
                reason = f"often bought with {self.catalogue.name(best_anchor[product_id])}"
            elif source == "personal":
                reason = "picked for your taste from what you bought"
            else:
                reason = "popular in the shop lately"
            picks.offer(product_id, score, source, reason)
            if picks.full:
                break
        self._fill(picks, category)
        return picks.result()

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
