"""What every recommender answers with, and the verbs every one of them implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from online_models.orders import Order

__all__ = ["SOURCES", "Recommendation", "BasketLearner"]

SOURCES = (
    "personal",
    "buy_again",
    "co_purchase",
    "similar",
    "category_popular",
    "popular",
    "trending",
    "fallback",
)


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One recommended product, the model that put it there and why, for the shopper to read."""

    product_id: str
    score: float
    source: str
    reason: str


class BasketLearner(Protocol):
    """A model that learns purchases and can take them back (a compensating update)."""

    def learn_order(self, order: Order, products: tuple[str, ...], sign: int) -> None: ...

    def forget_customer(self, customer_id: str) -> None: ...
