"""The ``Brain``: one facade over every model, fed events, answering the agent's queries.

It owns the order lifecycle (what teaches what): an order teaches the purchase models once, when
it first reaches a paid status (``events.is_paid``); a later cancellation or refund is a
compensating update; an order that arrives already cancelled is learned as a cancellation
(demand and spend only) when it is a return record of its own (imported history), and not at all
when it is a shop order that was never paid. A partial refund of an order that stays paid lowers
its customer's spend by the amount, and the product's demand by the units it gave back (when the
agent read them off the refund). A subscription's renewal is a sale but no choice: it teaches
no recommender. Money in another currency is converted first (``currency.CurrencyRates``); days
and hours are the shop's own (``orders.Order.day``); days a product was out of stock are not
days without demand (``_track_stock``); the recommenders forget customers quiet for
``customer_memory_days``. The last ``order_memory`` orders are remembered in full (a delete is
compensated with the lines that were learned); the ``OrderLedger`` keeps the state of every
order beyond that, so an order is taught once however late it changes. Guest checkouts count in
the segments as the customer ``guest:<guest_key>``. ``customer.erased`` makes every model with
per-customer state forget the customer (or guest). Queries never change state; all time is event
time, and an order counts from when it was made (``order_of``: a backfilled order's last edit
may be months after its sale).
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from online_models import snapshot as snapshot_format
from online_models.anomaly import AnomalyDetector
from online_models.catalogue import Catalogue
from online_models.config import BrainConfig
from online_models.currency import CurrencyRates
from online_models.events import (
    IMPORT_KEY_PREFIX,
    REVERSAL_STATUSES,
    Event,
    format_time,
)
from online_models.forecast import STOCKOUT_HORIZON, DemandForecaster, day_name
from online_models.ledger import OrderLedger
from online_models.orders import Order, Packed, buyer_of, has_refunds, order_of, pack, unpack
from online_models.price import Pricer
from online_models.recommend import (
    CoPurchase,
    FirstBaskets,
    LearnedBlend,
    NameIndex,
    PersonalMF,
    Popularity,
    Ranker,
    RecentBaskets,
    Recommendation,
    RepeatPurchases,
)
from online_models.segment import Segmenter

__all__ = ["Brain"]

MAX_LIMIT = 100
DAY_SECONDS = 86_400.0
#: how strongly browsing teaches the personalised model, relative to a purchase (1.0)
BROWSING_TARGETS = {"view": 0.3, "add_to_cart": 0.6, "rec_click": 0.5}
#: the layout of the models' state: raised whenever a model's state changes shape, or what a
#: model learns from the same events changes (13: refunds of forgotten orders, edited orders,
#: the segments' earlier order time, repeat histories' first order), so a snapshot written by
#: an older agent is refused (and the models rebuilt from the event log) rather than restored
#: into code that no longer matches it
STATE_VERSION = 14
#: order states in the lifecycle memory
TAUGHT, REVERSED, CANCELLED = 1, 2, 3


def _refunded_as_taught(order: Order, taught: Order) -> float:
    """``order``'s refunds in the money ``taught`` was counted in: the same share of its total.
    An order paid in another currency is converted at a rate that moves between two events of
    it, so its refunds compare as shares, not amounts."""
    if order.total == taught.total or order.total <= 0 or taught.total <= 0:
        return order.refunded
    share = order.refunded / order.total
    if abs(share - taught.refunded / taught.total) < 1e-9:
        return taught.refunded
    return share * taught.total


def _local_day(ts: float, utc_offset: int | None) -> int:
    """The date ordinal of ``ts`` on a clock ``utc_offset`` minutes from UTC (None: UTC)."""
    return datetime.fromtimestamp(ts + 60 * (utc_offset or 0), UTC).toordinal()


def _check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be an integer from 1 to {MAX_LIMIT} (got {limit!r})")
    return limit


def _is_return_record(order: Order) -> bool:
    """Whether a cancelled or refunded order never taught is a return of its own to learn.

    Imported histories record a return as a separate order (``import:`` key, often with negative
    quantities), which takes back what earlier orders gave. A shop's own order seen first in a
    reversed status gave nothing here: it was never paid (a failed or unpaid cancelled checkout)
    or was paid and reversed before the agent saw it, so there is nothing to take back.
    """
    if order.key.startswith(IMPORT_KEY_PREFIX):
        return True
    return any(line.quantity < 0 for line in order.lines)


def _edited(taught: Order, order: Order) -> bool:
    """Whether a paid order's lines are no longer the ones it was taught with (an order put on
    hold, edited, paid again). Products and quantities only: a foreign-currency order's unit
    prices move with the rate between two events of it."""
    return _line_counts(taught) != _line_counts(order)


def _line_counts(order: Order) -> list[tuple[str, int]]:
    return sorted((line.product_id, line.quantity) for line in order.lines)


class Brain:
    """Every model of the shop behind one learn/query/snapshot interface.

    Examples
    --------
    >>> from online_models.events import Event
    >>> brain = Brain(seed=7)
    >>> def order(key, customer, *products, at="2026-01-05T10:00:00Z"):
    ...     lines = [{"product_id": p, "name": p.title(), "quantity": 1, "unit_price": "2.50"}
    ...              for p in products]
    ...     payload = {"id": key, "status": "completed", "customer_id": customer,
    ...                "line_items": lines}
    ...     return Event(0, "order.upserted", key, "v1", at, payload)
    >>> for i in range(3):
    ...     brain.learn(order(f"o{i}", "ann", "tea", "cup"))
    >>> brain.learn(order("o9", "bob", "tea", "scone"))
    >>> [(r.product_id, r.source) for r in brain.recommend_for_product("tea", limit=2)]
    [('cup', 'co_purchase'), ('scone', 'co_purchase')]
    >>> brain.recommend_for_product("tea", limit=1)[0].reason
    'bought in 3 of the last 4 orders with Tea'
    >>> Brain.restore(brain.snapshot()).snapshot() == brain.snapshot()
    True
    """

    def __init__(self, config: BrainConfig | None = None, seed: int = 42) -> None:
        self.config = config
        self.seed = seed
        self.state_version = STATE_VERSION
        cfg = config or BrainConfig()
        self._cfg = cfg
        self._catalogue = Catalogue()
        #: product name words (an item query's ``name_alike`` feature)
        self._names = NameIndex()
        self._popular = Popularity(cfg.popular_half_life_days)
        self._trending = Popularity(cfg.trending_half_life_days)
        #: what customers buy in their first order (a new customer's best guess)
        self._newcomers = Popularity(cfg.popular_half_life_days)
        self._copurchase = CoPurchase(
            cfg.copurchase_half_life_days, cfg.max_neighbours, cfg.max_basket_items
        )
        self._repeat = RepeatPurchases(cfg.repeat_half_life_days, cfg.max_customer_items)
        self._baskets = RecentBaskets(
            cfg.cover_baskets_per_product, cfg.cover_baskets_per_customer, cfg.max_basket_items
        )
        self._first_baskets = FirstBaskets(cfg.cover_first_baskets, cfg.max_basket_items)
        self._personal = PersonalMF(
            cfg.mf_factors,
            cfg.mf_learning_rate,
            cfg.mf_positives,
            cfg.mf_negatives,
            cfg.negative_pool,
            seed,
        )
        self._demand = DemandForecaster(
            cfg.forecast_window_days, cfg.forecast_level_days, cfg.forecast_gate_weeks
        )
        self._segments = Segmenter()
        self._pricer = Pricer(
            cfg.price_max_change, cfg.price_min_margin, cfg.price_min_observations
        )
        self._anomaly = AnomalyDetector(
            cfg.anomaly_trees,
            cfg.anomaly_height,
            cfg.anomaly_window,
            cfg.anomaly_threshold,
            cfg.max_flagged,
            seed,
            cfg.anomaly_quantile,
        )
        self._learned = LearnedBlend(
            cfg.blend_learning_rate, cfg.blend_warmup, cfg.mf_positives, cfg.mf_negatives * 2, seed
        )
        self._learned_items = LearnedBlend(
            cfg.blend_learning_rate, cfg.blend_warmup, cfg.mf_positives, cfg.mf_negatives * 2, seed
        )
        self._orders: OrderedDict[str, tuple[int, Packed | None]] = OrderedDict()
        self._ledger = OrderLedger()
        self._fallback: list[tuple[str, str]] = []
        self._last_ts: float | None = None
        #: the shop's clock less UTC (minutes) at its latest order: what "today" is for it
        self._utc_offset = 0
        #: products out of stock now, and the day each went out (see ``_track_stock``)
        self._stocked_out: dict[str, int] = {}
        self._currencies = CurrencyRates()
        #: of taught orders the full memory forgot: (share of the total refunded, units given
        #: back) as far as they were learned (only orders with refunds; see ``_settle``)
        self._settled: dict[str, tuple[float, tuple[tuple[str, int], ...]]] = {}
        #: customers by their latest order or browsing (oldest first): whom the recommenders
        #: may forget
        self._last_order_at: OrderedDict[str, float] = OrderedDict()
        self._ranker = self._make_ranker()

    def _make_ranker(self) -> Ranker:
        return Ranker(
            self._cfg,
            self._catalogue,
            self._popular,
            self._trending,
            self._copurchase,
            self._repeat,
            self._personal,
            self._learned,
            self._learned_items,
            newcomers=self._newcomers,
            baskets=self._baskets,
            first_baskets=self._first_baskets,
            names=self._names,
            fallback=lambda: self._fallback,
            now=lambda: self._last_ts or 0.0,
        )

    # ------------------------------------------------------------------ snapshot

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_ranker"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # interned names, as pickle gives every other object: equal state, equal snapshot bytes
        self.__dict__.update({sys.intern(k): v for k, v in state.items()})
        if "_newcomers" not in state:  # a snapshot from before first orders were counted
            self._newcomers = Popularity(self._cfg.popular_half_life_days)
        self._ranker = self._make_ranker()

    def snapshot(self) -> bytes:
        """The complete state (random generators included) as bytes."""
        return snapshot_format.dumps(self)

    @classmethod
    def restore(
        cls, data: bytes, *, config: BrainConfig | None = None, seed: int | None = None
    ) -> Brain:
        """A brain from :meth:`snapshot` bytes; :class:`SnapshotError` on anything else.

        Given ``config`` or ``seed``, a brain learned with other settings is refused too: an
        agent upgraded to new defaults relearns its models rather than keep the old ones."""
        brain = snapshot_format.loads(data)
        if not isinstance(brain, cls):
            raise snapshot_format.SnapshotError("snapshot does not hold a Brain")
        version = getattr(brain, "state_version", 1)
        if version != STATE_VERSION:
            raise snapshot_format.SnapshotError(
                f"snapshot holds model state version {version}, this agent reads version "
                f"{STATE_VERSION}"
            )
        if config is not None and brain._cfg != config:
            learned = brain._cfg.as_dict()
            changed = [k for k, v in config.as_dict().items() if learned[k] != v]
            raise snapshot_format.SnapshotError(
                f"snapshot was learned with other model settings ({', '.join(changed)})"
            )
        if seed is not None and brain.seed != seed:
            raise snapshot_format.SnapshotError(
                f"snapshot was learned with seed {brain.seed}, this agent uses {seed}"
            )
        return brain

    # ------------------------------------------------------------------ learning

    @property
    def last_event_at(self) -> str | None:
        if self._last_ts is None:
            return None
        return format_time(datetime.fromtimestamp(self._last_ts, UTC))

    def learn(self, event: Event) -> None:
        """Learn one event of any kind; unknown ids and odd payloads never raise.

        Only the shop's records (orders, products, customers) move the models' clock: browsing
        teaches the personal model alone (see :meth:`answers_changed_by`)."""
        handler = self._handlers.get(event.kind)
        if handler is None:
            return
        if event.kind not in BROWSING_TARGETS:
            ts = event.timestamp
            self._last_ts = ts if self._last_ts is None else max(self._last_ts, ts)
        handler(self, event)

    @staticmethod
    def answers_changed_by(kind: str) -> str:
        """Which answers learning an event of ``kind`` can change.

        ``"all"`` for the shop's records; ``"personal"`` for browsing, which teaches only the
        personal model (and leaves the clock alone), so only answers about a customer can move;
        ``"none"`` for kinds no model learns (a widget's ``rec_impression``). An answer cache
        keyed on it keeps a product page's answer through the views and impressions that the
        page's own widget reports.

        >>> [Brain.answers_changed_by(k) for k in ("order.upserted", "view", "rec_impression")]
        ['all', 'personal', 'none']
        """
        if kind in BROWSING_TARGETS:
            return "personal"
        return "all" if kind in Brain._handlers else "none"

    def _on_order(self, event: Event) -> None:
        state, taught = self._order_state(event.key)
        order = self._currencies.to_shop(
            self._enrich(order_of(event)), self._catalogue.price, new=state == 0
        )
        if event.timestamp == self._last_ts and order.utc_offset is not None:
            self._utc_offset = order.utc_offset
        for line in order.lines:
            self._catalogue.learn_line(line)
        if order.paid and state != TAUGHT:
            self._teach_paid(order, event)
        elif order.paid and taught is not None and _edited(unpack(taught), order):
            # learned again as it is now (what the edit changed, the learned rankers and the
            # anomaly detector see as a second sale: edits of paid orders are rare)
            self._teach(unpack(taught), -1)
            self._teach_paid(order, event)
        elif order.paid:
            self._learn_refunds(order, self._as_taught(order, taught), event)
        elif order.status in REVERSAL_STATUSES and state == TAUGHT:
            self._teach(self._as_taught(order, taught), -1)
            self._settled.pop(order.key, None)
            self._remember(order.key, REVERSED, None)
        elif order.status in REVERSAL_STATUSES and state == 0:
            if _is_return_record(order):
                self._learn_cancellation(order)
            self._remember(order.key, CANCELLED, None)
        # after teaching: the item ranker's rows for this very order must not reach a product
        # by a name only this order made known (a query could not have)
        for product_id in dict.fromkeys(ln.product_id for ln in order.lines):
            self._index_name(product_id)

    def _teach_paid(self, order: Order, event: Event) -> None:
        """Teach a paid order; units it already gave back count as returned on this day."""
        sold = replace(order, returned=()) if order.returned else order
        self._teach(sold, 1)
        self._remember(order.key, TAUGHT, pack(sold))
        if order.returned:
            self._learn_refunds(order, sold, event)

    def _as_taught(self, order: Order, taught: Packed | None) -> Order:
        """The order as it was taught: remembered in full, or (forgotten) the order as it is
        now, with the refunds learned before it was forgotten."""
        if taught is not None:
            return unpack(taught)
        share, returned = self._settled.get(order.key, (0.0, ()))
        return replace(order, refunded=share * order.total, returned=returned)

    def _learn_refunds(self, order: Order, taught: Order, event: Event) -> None:
        """A paid order's partial refunds change what its customer spent and, for the units
        they give back, the product's demand on the day the refund is learned (as a
        cancellation lowers it on its own day); the order stays a sale for everything else."""
        refunded = _refunded_as_taught(order, taught)
        if refunded == taught.refunded and order.returned == taught.returned:
            return
        now = replace(taught, refunded=refunded, returned=order.returned)
        if taught.buyer is not None and now.spend != taught.spend:
            self._segments.learn(
                taught.buyer, ts=taught.timestamp, amount=now.spend - taught.spend, orders=0
            )
        before = dict(taught.returned)
        day = _local_day(event.timestamp, order.utc_offset)
        for product_id, units in order.returned:
            was = before.pop(product_id, 0)
            if units != was:
                self._demand.learn(product_id, day, was - units)
        for product_id, was in before.items():  # a refund deleted: its units count again
            self._demand.learn(product_id, day, was)
        if order.key in self._orders:
            self._orders[order.key] = (TAUGHT, pack(now))
        else:  # a forgotten order: remembered again, with what it now holds
            self._settled.pop(order.key, None)
            self._remember(order.key, TAUGHT, pack(now))

    def _on_order_deleted(self, event: Event) -> None:
        state, taught = self._order_state(event.key)
        # an order forgotten in full stays taught: its lines are not known to take back
        if state == TAUGHT and taught is not None:
            self._teach(unpack(taught), -1)
            self._remember(event.key, REVERSED, None)

    def _order_state(self, key: str) -> tuple[int, Packed | None]:
        """(state, the order as taught) from the full memory, else the state from the ledger
        (the order itself forgotten: a reversal is then taken back with the lines it carries)."""
        remembered = self._orders.get(key)
        if remembered is not None:
            return remembered
        return self._ledger.get(key) or 0, None

    def _remember(self, key: str, state: int, order: Packed | None) -> None:
        self._ledger.set(key, state)
        self._orders[key] = (state, order)
        self._orders.move_to_end(key)
        while len(self._orders) > self._cfg.order_memory:
            forgotten, (state, packed) = self._orders.popitem(last=False)
            if state == TAUGHT and packed is not None and has_refunds(packed):
                self._settle(forgotten, unpack(packed))

    def _settle(self, key: str, taught: Order) -> None:
        """Keep what refunds of an order leaving the full memory were learned, so that a later
        refund or reversal of it takes back only the rest (at most ``10 * order_memory``
        orders, the oldest dropped first)."""
        share = taught.refunded / taught.total if taught.total > 0 else 0.0
        self._settled[key] = (share, taught.returned)
        while len(self._settled) > 10 * self._cfg.order_memory:
            del self._settled[next(iter(self._settled))]

    def _enrich(self, order: Order) -> Order:
        """Give WooCommerce lines (which carry no category) their product's category."""
        category = self._catalogue.category
        if not any(not ln.category and category(ln.product_id) for ln in order.lines):
            return order
        lines = tuple(
            ln if ln.category else replace(ln, category=category(ln.product_id))
            for ln in order.lines
        )
        return replace(order, lines=lines)

    def _teach(self, order: Order, sign: int) -> None:
        customer = order.customer_id
        returning = customer is not None and self._repeat.knows(customer)
        buyer = order.buyer
        # to the anomaly detector a guest who ordered before (same billing email), or a
        # customer the recommenders forgot after a quiet spell, is no new customer
        known_buyer = buyer is not None and self._segments.knows(buyer)
        if not order.renewal:  # a subscription's renewal is a sale that no one chose
            self._teach_choice(order, sign, returning)
            if customer is not None and sign > 0:
                self._active(customer, order.timestamp)
        if buyer is not None:
            self._segments.learn(buyer, ts=order.timestamp, amount=sign * order.spend, orders=sign)
        # a reversal takes back only the units no refund gave back already
        returned = dict(order.returned) if sign < 0 else {}
        for line in order.lines:
            if line.is_product and line.quantity > 0:
                given_back = min(line.quantity, returned.get(line.product_id, 0))
                if given_back:
                    returned[line.product_id] -= given_back
                self._demand.learn(
                    line.product_id, order.day, sign * (line.quantity - given_back)
                )
                if order.renewal or line.bundled:
                    # bought at the price of the day it was subscribed to, or at a bundle's
                    continue
                # demand answers the posted price, not a line's (quantity-tiered) unit price
                posted = self._catalogue.price(line.product_id) or line.unit_price
                self._pricer.learn(
                    line.product_id, line.category, posted, order.day, line.quantity, sign
                )
        if sign > 0:
            self._anomaly.learn(order, known_buyer)

    def _seen(self, customer: str, ts: float) -> None:
        """Note that the customer ordered or browsed at ``ts``: they are kept that long."""
        last = self._last_order_at.pop(customer, ts)
        self._last_order_at[customer] = max(last, ts)

    def _active(self, customer: str, ts: float) -> None:
        """Note a customer's order, then let the recommenders forget the customers whose latest
        order (or browsing) is older than ``customer_memory_days`` (oldest first; amortised
        O(1)). Only orders move the cut-off: browsing leaves the models' clock alone."""
        self._seen(customer, ts)
        cutoff = ts - self._cfg.customer_memory_days * DAY_SECONDS
        while self._last_order_at:
            oldest, at = next(iter(self._last_order_at.items()))
            if at >= cutoff:
                break
            del self._last_order_at[oldest]
            self._recommenders_forget(oldest)

    def _recommenders_forget(self, customer: str) -> None:
        """Drop what the recommenders hold per customer (history, baskets, latent factors)."""
        self._repeat.forget_customer(customer)
        self._baskets.forget_customer(customer)
        self._first_baskets.forget_customer(customer)
        self._personal.forget_customer(customer)

    def _teach_choice(self, order: Order, sign: int, returning: bool) -> None:
        """What the customer chose teaches the recommenders (and their learned rankers)."""
        products = order.products
        customer = order.customer_id
        share = self._cfg.customer_train_share
        if self._learned.trained < self._cfg.customer_train_all_until:
            share = 1.0  # a young ranker learns from every order it can
        train = sign > 0 and self._learned.choose_to_train(share)
        if train and customer is not None and products:
            # what would have been shown to this customer just before: labelled by this order
            # (features only for the sampled candidates: the same rows a query would build)
            builder = self._ranker.candidates
            plan = builder.plan(customer, order.timestamp)
            chosen = self._learned.sample(plan.ids, set(products))
            rows = builder.rows(plan, [p for p, _ in chosen]).rows
            builder.add_personal(customer, rows)
            self._learned.learn_sample([(rows[p], label) for p, label in chosen])
        train_items = sign > 0 and len(products) >= 2
        if train_items and self._learned_items.choose_to_train(self._cfg.item_train_share):
            # what a product page for one of its items would have shown: labelled by the rest
            anchor = self._learned_items.choose(products)
            shown = self._ranker.candidates.build_items([anchor], order.timestamp).rows
            self._learned_items.learn(shown, set(products) - {anchor})
        if customer is not None and (
            not returning if sign > 0 else self._repeat.orders(customer) == 1
        ):
            self._newcomers.learn_order(order, products, sign)
            self._first_baskets.learn_order(order, products, sign)
        for model in (
            self._popular,
            self._trending,
            self._copurchase,
            self._repeat,
            self._baskets,
        ):
            model.learn_order(order, products, sign)
        if customer is not None and sign > 0:
            self._personal.learn(customer, products, 1.0)

    def _learn_cancellation(self, order: Order) -> None:
        for line in order.lines:
            if line.is_product:
                self._demand.learn(line.product_id, order.day, -abs(line.quantity))
        if order.buyer is not None:
            refund = sum(abs(ln.quantity) * ln.unit_price for ln in order.lines)
            self._segments.learn(order.buyer, ts=order.timestamp, amount=-refund, orders=0)

    def _on_product(self, event: Event) -> None:
        if isinstance(event.payload, dict):
            was_out = self._catalogue.out_of_stock(event.key)
            self._catalogue.upsert({"id": event.key, **event.payload})
            self._index_name(event.key)
            self._track_stock(event, was_out, self._catalogue.out_of_stock(event.key))

    def _track_stock(self, event: Event, was_out: bool, is_out: bool) -> None:
        """A product out of stock all day could not be bought: the demand forecaster leaves
        those days out (zero sales then say nothing about demand). The days between the one it
        went out and the one it came back are such days; until it is back, the ones since."""
        day = _local_day(event.timestamp, self._utc_offset)
        if is_out and not was_out:
            self._stocked_out.setdefault(event.key, day)
        elif was_out and not is_out:
            since = self._stocked_out.pop(event.key, None)
            if since is not None and day - since >= 2:
                self._demand.mark_unavailable(event.key, since + 1, day - 1)

    def _index_name(self, product_id: str) -> None:
        """Keep the name index in step with the catalogue: a listed product under its current
        name; a trashed, hidden or non-product one not at all (it would take an alike slot of
        every query that reaches it, and count in the words' rarity)."""
        if self._catalogue.listed(product_id):
            self._names.learn(product_id, self._catalogue.name(product_id))
        else:
            self._names.forget(product_id)

    def _on_product_deleted(self, event: Event) -> None:
        self._catalogue.delete(event.key)
        self._index_name(event.key)

    def _on_customer_gone(self, event: Event) -> None:
        payload = event.payload if isinstance(event.payload, dict) else {}
        customer = str(payload.get("id") or event.key)
        self._recommenders_forget(customer)
        self._segments.forget_customer(customer)
        self._last_order_at.pop(customer, None)
        for key, (state, packed) in list(self._orders.items()):
            # read the buyer off the tuple: a bulk delete of customers visits every remembered
            # order once per customer
            if packed is not None and buyer_of(packed) == customer:
                anonymous = replace(unpack(packed), customer_id=None, guest_key=None)
                self._orders[key] = (state, pack(anonymous))

    def _on_browsing(self, event: Event) -> None:
        payload = event.payload if isinstance(event.payload, dict) else {}
        customer, product = payload.get("customer_id"), payload.get("product_id")
        target = BROWSING_TARGETS.get(event.kind)
        if customer and product and target:
            self._personal.learn(str(customer), (str(product),), target)
            # a customer who only browses holds latent factors too: forgotten like the others
            self._seen(str(customer), event.timestamp)

    _handlers: dict[str, Callable[[Brain, Event], None]] = {
        "order.upserted": _on_order,
        "order.deleted": _on_order_deleted,
        "product.upserted": _on_product,
        "product.deleted": _on_product_deleted,
        "customer.erased": _on_customer_gone,
        "customer.deleted": _on_customer_gone,
        "view": _on_browsing,
        "add_to_cart": _on_browsing,
        "rec_click": _on_browsing,
    }

    # ------------------------------------------------------------------ recommendations

    def set_fallback(self, items: list[tuple[str, str]]) -> None:
        """The external (cloud) fallback list: (product_id, reason), best first."""
        self._fallback = [(str(p), str(r)) for p, r in items]

    def recommend_for_product(
        self,
        product_id: str,
        *,
        limit: int = 10,
        category: str | None = None,
        exclude: Iterable[str] = (),
        customer_id: str | None = None,
        exclude_purchased: bool = False,
    ) -> list[Recommendation]:
        return self.recommend_for_cart(
            [product_id],
            limit=limit,
            category=category,
            exclude=exclude,
            customer_id=customer_id,
            exclude_purchased=exclude_purchased,
        )

    def recommend_for_cart(
        self,
        product_ids: Sequence[str],
        *,
        limit: int = 10,
        category: str | None = None,
        exclude: Iterable[str] = (),
        customer_id: str | None = None,
        exclude_purchased: bool = False,
    ) -> list[Recommendation]:
        """Items bought with the cart; with ``exclude_purchased``, none that ``customer_id``
        already bought."""
        return self._ranker.for_items(
            [str(p) for p in product_ids],
            limit=_check_limit(limit),
            category=category,
            exclude=exclude,
            customer_id=customer_id,
            exclude_purchased=exclude_purchased,
        )

    def recommend_for_customer(
        self,
        customer_id: str,
        *,
        limit: int = 10,
        category: str | None = None,
        exclude: Iterable[str] = (),
        exclude_purchased: bool = False,
    ) -> list[Recommendation]:
        return self._ranker.for_customer(
            str(customer_id),
            limit=_check_limit(limit),
            category=category,
            exclude=exclude,
            exclude_purchased=exclude_purchased,
        )

    def popular(
        self, *, limit: int = 10, category: str | None = None, exclude: Iterable[str] = ()
    ) -> list[Recommendation]:
        return self._ranker.top_list(
            self._popular, "popular", limit=_check_limit(limit), category=category, exclude=exclude
        )

    def trending(
        self, *, limit: int = 10, category: str | None = None, exclude: Iterable[str] = ()
    ) -> list[Recommendation]:
        return self._ranker.top_list(
            self._trending,
            "trending",
            limit=_check_limit(limit),
            category=category,
            exclude=exclude,
        )

    def product(self, product_id: str) -> dict[str, Any] | None:
        return self._catalogue.get(str(product_id))

    # ------------------------------------------------------------------ demand

    def _today(self) -> int | None:
        """The shop's calendar day of its latest event (orders are counted on shop days)."""
        if self._last_ts is None:
            return None
        return _local_day(self._last_ts, self._utc_offset)

    def forecast(
        self,
        product_id: str,
        horizon: int = 7,
        stock: int | None = None,
        *,
        as_of: str | None = None,
    ) -> dict[str, Any]:
        """Units per day for ``horizon`` (1..30) days after ``as_of`` (default: the last event's
        day), with an interval, and the days until ``stock`` (default: catalogue stock) runs out."""
        if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 30:
            raise ValueError(f"horizon must be an integer from 1 to 30 (got {horizon!r})")
        start = self._today() if as_of is None else datetime.fromisoformat(as_of[:10]).toordinal()
        stock = self._catalogue.stock(str(product_id)) if stock is None else stock
        if start is None:
            days: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0)] * horizon
            method = "no_history"
            start = 0
        else:
            days, method = self._demand.forecast(
                str(product_id), start, horizon, out_since=self._stocked_out.get(str(product_id))
            )
        return {
            "product_id": str(product_id),
            "days": [
                {
                    "date": day_name(start + h + 1) if start else None,
                    "units": round(u, 3),
                    "low": round(lo, 3),
                    "high": round(hi, 3),
                }
                for h, (u, lo, hi) in enumerate(days)
            ],
            "total": round(sum(u for u, _, _ in days), 3),
            "days_until_stockout": self._stockout(str(product_id), start, stock),
            "method": method,
        }

    def _stockout(
        self, product_id: str, start: int | None, stock: int | None, within: int = STOCKOUT_HORIZON
    ) -> float | None:
        if stock is None or not start:
            return None
        days = self._demand.days_until_empty(
            product_id, start, float(stock), out_since=self._stocked_out.get(product_id),
            within=within,
        )
        return None if days is None else round(days, 2)

    def running_out(self, *, within_days: int = 14, limit: int = 20) -> list[dict[str, Any]]:
        """Published products with stock that the forecast empties within ``within_days``."""
        start = self._today()
        found = []
        for product_id, stock in self._catalogue.with_stock():
            days = self._stockout(product_id, start, stock, within_days + 1)
            if days is not None and days <= within_days:
                found.append(
                    {
                        "product_id": product_id,
                        "stock": stock,
                        "days_until_stockout": days,
                        "name": self._catalogue.name(product_id),
                    }
                )
        found.sort(key=lambda f: (f["days_until_stockout"], f["product_id"]))
        return found[:limit]

    # ------------------------------------------------------------------ customers, prices, orders

    def segment_of(self, customer_id: str) -> dict[str, Any] | None:
        return self._segments.segment_of(str(customer_id))

    def segment_sizes(self) -> dict[str, int]:
        return self._segments.segment_sizes()

    def _published(self, product_id: str) -> bool:
        """In the catalogue as published: a trashed, draft or private product is no longer
        sold, so a price for it is advice nobody can take."""
        entry = self._catalogue.get(product_id)
        return entry is not None and entry["status"] == "publish"

    def suggest_price(self, product_id: str) -> dict[str, Any] | None:
        """A price suggestion for a published product, or None."""
        pid = str(product_id)
        if not self._published(pid):
            return None
        return self._pricer.suggest(
            pid,
            current=self._catalogue.price(pid),
            cost=self._catalogue.cost(pid),
            category=self._catalogue.category(pid),
        )

    def price_suggestions(self, *, limit: int = 20) -> list[dict[str, Any]]:
        """The biggest suggested changes first, for published products only."""
        found = [s for s in map(self.suggest_price, self._pricer.products()) if s is not None]
        found.sort(key=lambda s: (-abs(s["change"]), s["product_id"]))
        return found[:limit]

    def flagged_orders(self, *, limit: int = 50) -> list[dict[str, Any]]:
        return [
            {
                "order_id": f["order_id"],
                "score": f["score"],
                "occurred_at": format_time(datetime.fromtimestamp(f["ts"], UTC)),
                "reasons": list(f["reasons"]),
            }
            for f in self._anomaly.flagged(limit)
        ]

    def currencies(self) -> dict[str, Any]:
        """The shop's currency as the orders say, and the rates learned for the others (price
        in each per unit of the shop's): what a support person asks for when a customer paying
        in another currency looks odd in the segments."""
        return self._currencies.summary()

    def stats(self) -> dict[str, int]:
        """Sizes per model, for /metrics and the evaluation's memory notes."""
        return {
            "catalogue_products": len(self._catalogue),
            "copurchase_items": len(self._copurchase),
            "copurchase_pairs": self._copurchase.pair_count(),
            "copurchase_largest_row": self._copurchase.largest_row(),
            "repeat_customers": len(self._repeat),
            "baskets_held": self._baskets.basket_count(),
            "first_baskets_held": len(self._first_baskets),
            **self._personal.stats(),
            "popular_items": len(self._popular),
            "forecast_series": len(self._demand),
            "segment_customers": len(self._segments),
            "segment_cells": self._segments.cell_count(),
            "pricer_products": len(self._pricer),
            "anomaly_orders_seen": len(self._anomaly),
            "orders_remembered": len(self._orders),
            "orders_in_ledger": len(self._ledger),
        }

    def __repr__(self) -> str:
        return f"Brain(seed={self.seed}, last_event_at={self.last_event_at!r})"
