"""Segments at the end of the file, and agreement of streaming RFM scores with a batch RFM."""

from __future__ import annotations

from bisect import bisect_right

from online_models import Brain

__all__ = ["BatchRfm"]

QUINTILES = (0.2, 0.4, 0.6, 0.8)


def _cuts(values: list[float]) -> list[float]:
    ordered = sorted(values)
    return [ordered[min(int(q * len(ordered)), len(ordered) - 1)] for q in QUINTILES]


class BatchRfm:
    """Per customer: last completed order time, completed orders, net spend (cancels subtract)."""

    def __init__(self) -> None:
        self.customers: dict[str, list[float]] = {}

    def completed(self, customer_id: str, ts: float, amount: float) -> None:
        entry = self.customers.setdefault(customer_id, [ts, 0.0, 0.0])
        entry[0] = max(entry[0], ts)
        entry[1] += 1
        entry[2] += amount

    def cancelled(self, customer_id: str, amount: float) -> None:
        entry = self.customers.get(customer_id)
        if entry is not None:
            entry[2] -= abs(amount)

    def agreement(self, brain: Brain) -> float:
        """Fraction of customers whose streaming R, F and M each differ by at most 1."""
        if not self.customers:
            return 0.0
        cuts = [_cuts([e[k] for e in self.customers.values()]) for k in range(3)]
        agree = total = 0
        for customer_id, entry in self.customers.items():
            streaming = brain.segment_of(customer_id)
            if streaming is None:
                continue
            total += 1
            batch = [1 + bisect_right(cuts[k], entry[k]) for k in range(3)]
            agree += all(
                abs(b - streaming[name]) <= 1 for b, name in zip(batch, "rfm", strict=True)
            )
        return round(agree / total, 4) if total else 0.0
