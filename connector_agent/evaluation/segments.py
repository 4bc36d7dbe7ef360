"""Segments at the end of the file, and agreement of streaming RFM scores with a batch RFM."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from connector_agent.evaluation.protocol import utc_day
from online_models import Brain

__all__ = ["BatchRfm"]

QUINTILES = (0.2, 0.4, 0.6, 0.8)


def _cuts(values: list[float]) -> list[float]:
    ordered = sorted(values)
    return [ordered[min(int(q * len(ordered)), len(ordered) - 1)] for q in QUINTILES]


@dataclass(slots=True)
class _Customer:
    #: UTC day (date ordinal) of the last completed order; None before the first one
    last_day: int | None = None
    orders: int = 0
    spend: float = 0.0


class BatchRfm:
    """Per customer: last completed order's UTC day, completed orders, net spend.

    A cancellation subtracts its amount whenever it comes, before the customer's first completed
    order too; only customers with a completed order are scored."""

    def __init__(self) -> None:
        self.customers: dict[str, _Customer] = {}

    def completed(self, customer_id: str, created_at: str, amount: float) -> None:
        entry = self.customers.setdefault(customer_id, _Customer())
        day = utc_day(created_at)
        entry.last_day = day if entry.last_day is None else max(entry.last_day, day)
        entry.orders += 1
        entry.spend += amount

    def cancelled(self, customer_id: str, amount: float) -> None:
        self.customers.setdefault(customer_id, _Customer()).spend -= abs(amount)

    def values(self, last_day: int) -> dict[str, tuple[float, float, float]]:
        """(−R, F, M) of every scored customer: R = whole days from their last completed order
        to ``last_day`` (the file's last date), negated so that a higher value scores higher, as
        F and M do; customers who ordered on the same day tie."""
        values = {}
        for customer_id, entry in self.customers.items():
            if entry.last_day is not None:
                values[customer_id] = (-(last_day - entry.last_day), entry.orders, entry.spend)
        return values

    def scores(self, last_day: int) -> dict[str, tuple[int, int, int]]:
        """Batch R, F and M quintile scores (1–5) of every scored customer."""
        values = self.values(last_day)
        if not values:
            return {}
        cuts = [_cuts([v[k] for v in values.values()]) for k in range(3)]
        return {
            customer_id: (
                1 + bisect_right(cuts[0], v[0]),
                1 + bisect_right(cuts[1], v[1]),
                1 + bisect_right(cuts[2], v[2]),
            )
            for customer_id, v in values.items()
        }

    def agreement(self, brain: Brain, last_day: int) -> float:
        """Fraction of customers whose streaming R, F and M each differ by at most 1."""
        agree = total = 0
        for customer_id, batch in self.scores(last_day).items():
            streaming = brain.segment_of(customer_id)
            if streaming is None:
                continue
            total += 1
            agree += all(
                abs(b - streaming[name]) <= 1 for b, name in zip(batch, "rfm", strict=True)
            )
        return round(agree / total, 4) if total else 0.0
