"""What EVALUATION.md says about an order of the file: whether it is replayed, and its UTC day.

Every part of the evaluation (the brain, the baselines, the forecast series, the batch RFM)
decides through these two functions, so they all see the same events on the same days.
"""

from __future__ import annotations

from typing import Any

from online_models.events import parse_time

__all__ = ["NO_PRODUCT_LINE", "STATUSES", "skip_reason", "utc_day"]

#: the only statuses the protocol defines; an order in any other status is skipped by everyone
STATUSES = frozenset({"completed", "cancelled"})
#: the reason given for a completed order with no product line (the protocol skips it)
NO_PRODUCT_LINE = "completed without a product line"


def _is_product_line(item: dict[str, Any]) -> bool:
    """A line the protocol calls a product line: not ``non_product``, quantity above 0."""
    return item["category"] != "non_product" and item["quantity"] > 0


def skip_reason(payload: dict[str, Any]) -> str | None:
    """Why the protocol skips this order (its status, or :data:`NO_PRODUCT_LINE`); None when
    it is replayed. A skipped order is neither asked about nor learned by any model."""
    status = payload["status"]
    if status not in STATUSES:
        return status
    if status == "completed" and not any(map(_is_product_line, payload["line_items"])):
        return NO_PRODUCT_LINE
    return None


def utc_day(created_at: str) -> int:
    """The date ordinal of the UTC day of ``created_at`` (its text before ``T`` is the local
    date when the time carries an offset, e.g. ``2010-03-03T01:00:00+05:00`` is 2 March)."""
    return parse_time(created_at).date().toordinal()
