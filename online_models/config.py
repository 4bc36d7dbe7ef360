"""``BrainConfig``: every cap, half-life and guardrail of the models in one frozen dataclass.

Caps bound memory and learning time as the shop grows; they are printed by ``evaluate`` so a
figure can always be read together with the caps that produced it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from online_models.snapshot import SnapshotError

__all__ = ["BrainConfig"]


@dataclass(frozen=True, slots=True)
class BrainConfig:
    """Caps, half-lives (days, in event time) and guardrails.

    Examples
    --------
    >>> BrainConfig().popular_half_life_days
    30.0
    >>> BrainConfig(max_neighbours=0)
    Traceback (most recent call last):
    ...
    ValueError: BrainConfig.max_neighbours: must be > 0 (got 0)
    >>> BrainConfig(together_cover_discount=1.5)
    Traceback (most recent call last):
    ...
    ValueError: BrainConfig.together_cover_discount: must be <= 1 (got 1.5)
    """

    popular_half_life_days: float = 30.0
    trending_half_life_days: float = 7.0
    copurchase_half_life_days: float = 60.0
    repeat_half_life_days: float = 90.0
    #: co-purchase: neighbours kept per item (pruned to this when twice as many are held)
    max_neighbours: int = 100
    #: co-purchase: distinct products of one order that are paired (the first ones); also the
    #: length of a remembered basket (``RecentBaskets``)
    max_basket_items: int = 40
    #: buy-again: distinct items remembered per customer
    max_customer_items: int = 300
    #: personalised MF: latent factors, positives and negatives sampled per order
    mf_factors: int = 16
    mf_learning_rate: float = 0.05
    mf_positives: int = 6
    mf_negatives: int = 6
    #: personalised MF: how many recent purchases negatives are drawn from (popularity-shaped)
    negative_pool: int = 2000
    #: candidates scored for one query, never the catalogue
    max_candidates: int = 240
    #: of them, at most this many from a customer's own history (a wholesaler's holds a
    #: thousand items), and this many of the strongest co-purchase neighbours of their last
    #: baskets (of up to 8 anchors x 40 read). Full UCI year, next-basket HitRate@10 / explore:
    #: 160 and every neighbour 0.6816 / 0.4167; 160 and 50: 0.6843 / 0.4219; 100 and 50:
    #: 0.6850 / 0.4205 with the customer query p99 about 20 % lower; 160 and 30: 0.6808
    history_candidates: int = 100
    together_candidates: int = 50
    #: learned rankers (pairwise logistic regression): SGD step and orders before they take
    #: over (0.02: bought-together 0.6823, next-basket 0.6817; 0.05: 0.6800, 0.6819; 0.1 and
    #: 0.01 lower on both, full UCI year)
    blend_learning_rate: float = 0.02
    blend_warmup: int = 200
    #: share of orders the learned customer ranker trains on (each costs a candidate build of
    #: the customer's whole history; 0.2 cost next-basket 0.0014 of HitRate@10 against 0.3.
    #: 0.1 against 0.2, full UCI year, seeds 42/43/44: 0.6908/0.6886/0.6900 against
    #: 0.6898/0.6893/0.6899, the same within seed noise, for a third fewer builds (~5 % of
    #: learning time, below what this machine's timings can show)
    customer_train_share: float = 0.1
    #: until it has learned this many orders the customer ranker trains on every order (a young
    #: ranker gains most from each; full UCI year, next-basket HitRate@10 and learning speed
    #: against 0: 2,000 → +0.0022 and 4 % slower, 5,000 → +0.0038 and 12 % slower)
    customer_train_all_until: int = 2000
    #: share of orders with two or more products the learned item ranker trains on (each costs
    #: an item candidate build; full UCI year, bought-together HitRate@10 / NDCG@10: 1.0 0.6823;
    #: 0.5 0.6819 / 0.2041, learning 14 % faster; 0.3 0.6811 / 0.2044, 40 % fewer builds again,
    #: learning 3-9 % faster in paired runs, as noisy as that machine's timings are)
    item_train_share: float = 0.3
    #: covering lists (``recommend.coverage``): once a learned ranker is ready, a list is picked
    #: to reach more of the baskets that the query is about (the anchors' last baskets, the
    #: customer's own last baskets) instead of stacking items that are bought together. Each pick
    #: covers ``*_cover_discount`` of the baskets holding it; ``*_cover_weight`` weighs the
    #: coverage term against the ranker's score (0 turns it off). Full UCI year, against the
    #: ranker's own order: next-basket HitRate@10 0.6850 -> 0.6910 (NDCG@10 0.2455 -> 0.2429,
    #: Recall@20 0.2211 -> 0.2129: fewer look-alike items, so fewer of a basket's items each),
    #: bought-together HitRate@10 0.6811 -> 0.6874 (NDCG@10 0.2044 -> 0.1990). Baskets read per
    #: product page: 50 (100, with baskets not yet capped at max_basket_items: 0.6892, and a
    #: dearer query), per customer 20 (50 gained nothing). A product page's baskets also give
    #: its candidates the ``together_recent`` feature (``CandidateBuilder.build_items``)
    cover_baskets_per_product: int = 50
    cover_baskets_per_customer: int = 20
    together_cover_weight: float = 1.0
    together_cover_discount: float = 0.3
    customer_cover_weight: float = 0.25
    customer_cover_discount: float = 0.5
    #: a customer with no baskets of their own (a first order) gets a list covering the last
    #: ``cover_first_baskets`` first orders of the shop (``recommend.first_baskets``). Full UCI
    #: year, next-basket HitRate@10 of first orders against none (0.5612), weight 1 and
    #: discount 0.3: 300 baskets 0.5718, 1,000 0.5732, 2,000 0.5716; with 1,000, weight 2:
    #: 0.5704, 0.5: 0.5674, discount 0.6: 0.5699. A new customer's query costs about 140 us
    #: more with 300 baskets, 340 us with 1,000 (it sums each candidate's baskets)
    cover_first_baskets: int = 300
    first_cover_weight: float = 1.0
    first_cover_discount: float = 0.3
    #: hand-set blend weights of the customer ranker (used until the learned one is ready)
    weight_repeat: float = 1.0
    weight_copurchase: float = 0.3
    weight_popular: float = 0.15
    weight_personal: float = 0.05
    #: item-to-item: weight of store popularity added to P(item | anchor) (a prior, tie-break)
    together_weight_popular: float = 0.2
    #: co-purchase score = count(a, i) / count(i) ** copurchase_popularity_damping
    copurchase_popularity_damping: float = 0.0
    #: orders remembered in full (oldest forgotten first) to compensate a later refund or delete
    #: with the lines that were learned; once forgotten, the ``OrderLedger`` still knows an order
    #: (numeric keys) was taught, so it is never taught twice, and a refund is taken back with the
    #: lines it carries (a delete, which carries none, is then not compensated)
    order_memory: int = 10_000
    #: the recommenders forget a customer with no order for this many days (history, recent
    #: baskets, latent factors); the segments keep them. Memory then grows with the customers
    #: of the last two years, not with every customer the shop ever had
    customer_memory_days: float = 730.0
    #: forecast: days of daily history kept per product and the level window
    forecast_window_days: int = 56
    forecast_level_days: int = 28
    forecast_gate_weeks: int = 8
    #: pricer guardrails: largest relative change, lowest margin over cost (fraction of price)
    price_max_change: float = 0.10
    price_min_margin: float = 0.20
    #: pricer: changes of the posted price (each after a week or more at one price) before an
    #: elasticity is estimated (the slope must also be two standard errors clear, see Pricer)
    price_min_observations: int = 4
    #: anomaly detector: trees, height, window and the score above which an order is flagged.
    #: Trees: on the UCI year's injected anomalies (evaluate), over detector seeds 42-44,
    #: 10 trees gave precision 0.76/0.56/0.65 and recall 0.62/0.63/0.50; 20 trees
    #: 0.81/0.70/0.79 and 0.65/0.63/0.58; 40 trees 0.82/0.77/0.81 and 0.67/0.63/0.62. Each tree
    #: costs ~6.5 us of learning per order (20 trees: ~170 us an order, 10: ~110)
    anomaly_trees: int = 20
    anomaly_height: int = 6
    anomaly_window: int = 250
    anomaly_threshold: float = 0.8
    anomaly_quantile: float = 0.99
    max_flagged: int = 500

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"BrainConfig.{f.name}: must be a number (got {value!r})")
            if value <= 0 and f.name not in _MAY_BE_ZERO:
                raise ValueError(f"BrainConfig.{f.name}: must be > 0 (got {value!r})")
            if value < 0:
                raise ValueError(f"BrainConfig.{f.name}: must be >= 0 (got {value!r})")
            if f.name in _FRACTIONS and value > 1:
                raise ValueError(f"BrainConfig.{f.name}: must be <= 1 (got {value!r})")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    # pickled by name, not by position: a snapshot of a brain whose config had other fields is
    # refused instead of restored with every value after a new field shifted by one
    def __getstate__(self) -> dict[str, Any]:
        return self.as_dict()

    def __setstate__(self, state: Any) -> None:
        names = [f.name for f in fields(self)]
        if not isinstance(state, dict) or set(state) != set(names):
            raise SnapshotError("snapshot holds models of another version (their settings differ)")
        for name in names:
            object.__setattr__(self, name, state[name])


_MAY_BE_ZERO = frozenset(
    {
        "customer_train_all_until",
        "weight_repeat",
        "weight_copurchase",
        "weight_popular",
        "weight_personal",
        "copurchase_popularity_damping",
        "together_weight_popular",
        "price_min_margin",
        "together_cover_weight",
        "customer_cover_weight",
        "first_cover_weight",
    }
)
#: shares: at most 1
_FRACTIONS = frozenset(
    {
        "together_cover_discount",
        "customer_cover_discount",
        "first_cover_discount",
        "customer_train_share",
        "item_train_share",
    }
)
