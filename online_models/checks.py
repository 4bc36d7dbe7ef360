"""The generated check suite every model passes (River's ``check_estimator`` idea).

``yield_checks()`` yields ``(model name, check)`` pairs; each check builds the model from its
case, feeds it a small deterministic synthetic stream and asserts one convention:

* snapshot round-trip: a restored copy snapshots to the same bytes and answers exactly like the
  original, now and after both learn more (bytes may then differ only in how pickle shares equal
  strings, which is not state);
* determinism: two models with the same seed fed the same stream answer the same and snapshot to
  the same bytes;
* queries are pure: asking does not change the snapshot bytes;
* no I/O: learning and asking never open files or sockets or start processes;
* a clean repr: one short line naming the class, no memory address.
"""

from __future__ import annotations

import builtins
import os
import random
import socket
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from online_models import snapshot as snapshot_format
from online_models.anomaly import AnomalyDetector
from online_models.brain import Brain
from online_models.events import Event, format_time
from online_models.forecast import DemandForecaster
from online_models.ledger import OrderLedger
from online_models.orders import Line, Order, order_of
from online_models.price import Pricer
from online_models.recommend import (
    CoPurchase,
    FirstBaskets,
    NameIndex,
    PersonalMF,
    Popularity,
    RecentBaskets,
    RepeatPurchases,
)
from online_models.segment import Segmenter

__all__ = ["CASES", "ModelCase", "brain_answers", "check_model", "synthetic_events", "yield_checks"]

DAY = 86_400
START = 1_767_225_600  # 2026-01-01T00:00:00Z
#: the synthetic shop's first order id (WooCommerce order ids are integers)
ORDER_IDS = 1000


def synthetic_events(n_orders: int = 120, seed: int = 0) -> list[Event]:
    """A small shop: 20 customers, 30 products in 3 categories, 90 days, some views,
    cancellations and partial refunds."""
    from datetime import UTC, datetime

    rng = random.Random(seed)
    events = []
    for p in range(30):
        payload = {
            "id": f"p{p}",
            "name": f"Product {p}",
            "status": "publish",
            "stock_status": "outofstock" if p == 29 else "instock",
            "stock_quantity": 50 + p,
            "price": f"{1 + p % 7}.50",
            "categories": [{"id": p % 3, "name": f"cat{p % 3}"}],
        }
        when = format_time(datetime.fromtimestamp(START, UTC))
        events.append(Event(0, "product.upserted", f"p{p}", f"v{p}", when, payload))
    for i in range(n_orders):
        ts = START + int(i * 90 * DAY / n_orders) + rng.randrange(3600)
        customer = f"c{rng.randrange(20)}" if rng.random() < 0.9 else None
        products = rng.sample(range(30), rng.randrange(1, 6))
        lines = [
            {
                "product_id": f"p{p}",
                "name": f"Product {p}",
                "quantity": rng.randrange(1, 4),
                "unit_price": f"{1 + p % 7 + rng.choice((0.0, 0.25, -0.25)):.2f}",
            }
            for p in products
        ]
        payload = {
            "id": str(ORDER_IDS + i),
            "status": "completed",
            "customer_id": customer,
            "line_items": lines,
            "total": "0",
        }
        when = format_time(datetime.fromtimestamp(ts, UTC))
        events.append(Event(0, "order.upserted", str(ORDER_IDS + i), f"v{i}", when, payload))
        if i % 10 == 3 and customer is not None:
            view = {
                "session_id": f"s{i}",
                "customer_id": customer,
                "product_id": f"p{i % 30}",
                "placement": "product",
                "source": None,
                "recommended_ids": [],
            }
            events.append(Event(0, "view", f"view-{i}", "1", when, view))
        if i % 17 == 5:
            cancelled = {**payload, "status": "cancelled"}
            events.append(Event(0, "order.upserted", str(ORDER_IDS + i), f"v{i}c", when, cancelled))
        elif i % 13 == 4:
            refund = {**payload, "refunds": [{"id": f"r{i}", "amount": "1.25"}]}
            events.append(Event(0, "order.upserted", str(ORDER_IDS + i), f"v{i}r", when, refund))
    return events


def _orders(events: list[Event]) -> list[Order]:
    return [order_of(e) for e in events if e.kind == "order.upserted"]


@dataclass(frozen=True)
class ModelCase:
    """How to build, feed and ask one model family."""

    name: str
    build: Callable[[int], Any]
    feed: Callable[[Any, list[Event]], None]
    ask: Callable[[Any], Any]


def _feed_orders(learn: Callable[[Any, Order], None]) -> Callable[[Any, list[Event]], None]:
    def feed(model: Any, events: list[Event]) -> None:
        for order in _orders(events):
            if order.status == "completed":
                learn(model, order)

    return feed


def _feed_first_orders(model: Any, events: list[Event]) -> None:
    """Each customer's first completed order of ``events`` (what ``FirstBaskets`` learns)."""
    seen: set[str] = set()
    for order in _orders(events):
        customer = order.customer_id
        if order.status == "completed" and customer is not None and customer not in seen:
            seen.add(customer)
            model.learn_order(order, order.products, 1)


#: words of the synthetic products' names for ``NameIndex`` (the events all say "Product N")
_KINDS = ("mug", "plate", "bowl", "jug", "cup")
_COLOURS = ("red", "blue", "green", "pink", "white", "black")


def _feed_names(model: Any, events: list[Event]) -> None:
    for order in _orders(events):
        for line in order.lines:
            number = int(line.product_id[1:])
            colour, kind = _COLOURS[number % 6], _KINDS[number % 5]
            model.learn(line.product_id, f"{colour} {kind} {order.day % 2 and 'spotted'}")


def _posted(product_id: str, day: int) -> float:
    """A posted price for the Pricer's case: 2.00 or 2.50, switching every 21 days."""
    return 2.0 + 0.5 * ((day // 21 + len(product_id)) % 2)


def brain_answers(b: Brain) -> Any:
    """Every query of the Brain on the synthetic shop (what "answers the same" compares)."""
    return (
        b.recommend_for_customer("c1"),
        b.recommend_for_product("p3", limit=5),
        b.recommend_for_cart(["p1", "p2"], limit=5, exclude=["p4"]),
        b.popular(limit=5, category="cat1"),
        b.trending(limit=5),
        b.forecast("p3", 14),
        b.running_out(within_days=30),
        b.segment_of("c2"),
        b.segment_sizes(),
        b.price_suggestions(limit=5),
        b.flagged_orders(limit=5),
        b.stats(),
        b.last_event_at,
    )


CASES: tuple[ModelCase, ...] = (
    ModelCase(
        "Brain",
        lambda seed: Brain(seed=seed),
        lambda m, evs: [m.learn(e) for e in evs],
        brain_answers,
    ),
    ModelCase(
        "Popularity",
        lambda seed: Popularity(half_life_days=7.0, keep=5),
        _feed_orders(lambda m, o: m.learn_order(o, o.products, 1)),
        lambda m: (m.top(5), m.top(3, "cat1")),
    ),
    ModelCase(
        "CoPurchase",
        lambda seed: CoPurchase(half_life_days=30.0, max_neighbours=4, max_basket_items=4),
        _feed_orders(lambda m, o: m.learn_order(o, o.products, 1)),
        lambda m: [m.neighbours(f"p{p}", 5) for p in range(30)],
    ),
    ModelCase(
        "RepeatPurchases",
        lambda seed: RepeatPurchases(half_life_days=30.0, max_items=3),
        _feed_orders(lambda m, o: m.learn_order(o, o.products, 1)),
        lambda m: [m.items(f"c{c}") for c in range(20)],
    ),
    ModelCase(
        "RecentBaskets",
        lambda seed: RecentBaskets(per_product=3, per_customer=2, max_basket_items=4),
        _feed_orders(lambda m, o: m.learn_order(o, o.products, 1)),
        lambda m: (
            [m.of([f"p{p}"], 3) for p in range(30)],
            m.of(["p1", "p2"], 3),
            [m.of_customer(f"c{c}") for c in range(20)],
        ),
    ),
    ModelCase(
        "FirstBaskets",
        lambda seed: FirstBaskets(keep=8, max_basket_items=3),
        _feed_first_orders,
        lambda m: (m.holding(f"p{p}" for p in range(30)), len(m)),
    ),
    ModelCase(
        "NameIndex",
        lambda seed: NameIndex(max_share=0.3, min_common=2),
        _feed_names,
        lambda m: ([m.similar([f"p{p}"], 5) for p in range(30)], m.closest("p1", ["p7", "p2"])),
    ),
    ModelCase(
        "OrderLedger",
        lambda seed: OrderLedger(),
        _feed_orders(lambda m, o: m.set(o.key, 1 + len(o.lines) % 3)),
        lambda m: ([m.get(str(ORDER_IDS + i)) for i in range(130)], len(m)),
    ),
    ModelCase(
        "PersonalMF",
        lambda seed: PersonalMF(4, 0.05, 3, 3, 20, seed),
        _feed_orders(lambda m, o: o.customer_id and m.learn(o.customer_id, o.products, 1.0)),
        lambda m: [m.score(f"c{c}", ["p1", "p2", "p3"]) for c in range(20)],
    ),
    ModelCase(
        "DemandForecaster",
        lambda seed: DemandForecaster(window_days=28, level_days=14, gate_weeks=4),
        _feed_orders(lambda m, o: [m.learn(ln.product_id, o.day, ln.quantity) for ln in o.lines]),
        lambda m: [m.forecast(f"p{p}", 739_700, 7) for p in range(30)],
    ),
    ModelCase(
        "Segmenter",
        lambda seed: Segmenter(),
        _feed_orders(
            lambda m, o: (
                o.customer_id and m.learn(o.customer_id, ts=o.timestamp, amount=o.total, orders=1)
            )
        ),
        lambda m: (m.segment_sizes(), [m.segment_of(f"c{c}") for c in range(20)]),
    ),
    ModelCase(
        "Pricer",
        lambda seed: Pricer(max_change=0.1, min_margin=0.2, min_observations=3),
        # posted prices that move every three weeks, so regimes close and elasticities exist
        _feed_orders(
            lambda m, o: [
                m.learn(ln.product_id, "cat", _posted(ln.product_id, o.day), o.day, ln.quantity, 1)
                for ln in o.lines
            ]
        ),
        lambda m: [
            (
                m.elasticity(f"p{p}", "cat"),
                m.suggest(f"p{p}", current=2.0, cost=1.0, category="cat"),
            )
            for p in range(30)
        ],
    ),
    ModelCase(
        "AnomalyDetector",
        lambda seed: AnomalyDetector(5, 4, 10, 0.7, 5, seed),
        _feed_orders(lambda m, o: m.learn(o, returning=True)),
        lambda m: (
            m.flagged(5),
            m.score(
                Order("x", "completed", None, 0.0, 0, 3, (Line("p1", "", None, 999, 9.0),)), False
            ),
        ),
    ),
)


def _bytes(model: Any) -> bytes:
    return snapshot_format.dumps(model)


def check_snapshot_roundtrip(case: ModelCase) -> None:
    events = synthetic_events()
    half = len(events) // 2
    model = case.build(7)
    case.feed(model, events[:half])
    data = _bytes(model)
    copy = snapshot_format.loads(data)
    assert _bytes(copy) == data, "a restored model snapshots to different bytes"
    assert case.ask(copy) == case.ask(model), "restored model answers differently"
    case.feed(model, events[half:])
    case.feed(copy, events[half:])
    assert case.ask(copy) == case.ask(model), "restored model diverges after more learning"


def check_same_seed(case: ModelCase) -> None:
    events = synthetic_events()
    a, b = case.build(11), case.build(11)
    case.feed(a, events)
    case.feed(b, events)
    assert case.ask(a) == case.ask(b), "same seed, same stream, different answers"
    assert _bytes(a) == _bytes(b), "same seed, same stream, different snapshot bytes"


def check_queries_are_pure(case: ModelCase) -> None:
    model = case.build(3)
    case.feed(model, synthetic_events())
    before = _bytes(model)
    case.ask(model)
    assert _bytes(model) == before, "a query changed the model's state"


@contextmanager
def _no_io() -> Iterator[None]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a model did I/O")

    saved = (builtins.open, socket.socket, subprocess.Popen, os.system)
    builtins.open = socket.socket = subprocess.Popen = os.system = refuse  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        builtins.open, socket.socket, subprocess.Popen, os.system = saved  # type: ignore[misc]


def check_no_io(case: ModelCase) -> None:
    events = synthetic_events()
    model = case.build(5)
    with _no_io():
        case.feed(model, events)
        case.ask(model)


def check_repr(case: ModelCase) -> None:
    text = repr(case.build(1))
    assert text.startswith(case.name + "("), text
    assert "\n" not in text and len(text) < 200 and " at 0x" not in text, text


CHECKS = (
    check_snapshot_roundtrip,
    check_same_seed,
    check_queries_are_pure,
    check_no_io,
    check_repr,
)


def yield_checks(cases: tuple[ModelCase, ...] = CASES) -> Iterator[tuple[str, Callable[[], None]]]:
    """(``Model.check``, a no-argument callable) for every case and check."""
    for case in cases:
        for check in CHECKS:
            yield f"{case.name}.{check.__name__}", (lambda c=case, k=check: k(c))


def check_model(case: ModelCase) -> None:
    """Run every check on one case (raises AssertionError on the first failure)."""
    for check in CHECKS:
        check(case)
