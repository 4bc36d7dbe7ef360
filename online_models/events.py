"""The event contract between the agent (which appends events) and the models (which learn them).

Both sides import this module and nothing else of each other. An event is immutable; its payload
is a normalised dict (never raw WooCommerce JSON):

* ids are strings, money is a decimal string in the shop currency, times are UTC ISO 8601 with
  ``Z``, quantities are integers;
* ``version`` is ``date_modified_gmt`` plus a short hash of the normalised payload, so two changes
  in the same second are two versions and a re-sync of an unchanged record is no new event;
* the dedupe key is ``(kind, key, version)``, nothing else.

Examples
--------
>>> payload = {"id": "7", "status": "completed", "line_items": []}
>>> v = version_of("2026-11-25T18:42:24Z", payload)
>>> v.startswith("2026-11-25T18:42:24Z#") and len(v) == len("2026-11-25T18:42:24Z#") + 12
True
>>> version_of("2026-11-25T18:42:24Z", dict(payload)) == v
True
>>> delete_version(v)[:8]
'deleted:'
>>> ev = Event(1, "order.upserted", "7", v, "2026-11-25T18:42:24Z", payload)
>>> ev.dedupe_key == ("order.upserted", "7", v)
True
>>> format_time(datetime(614, 1, 2, 3, 4, 5, tzinfo=UTC))
'0614-01-02T03:04:05Z'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

import orjson

__all__ = [
    "BROWSING_KINDS",
    "KINDS",
    "PAID_STATUSES",
    "REVERSAL_STATUSES",
    "Event",
    "EventError",
    "delete_version",
    "format_time",
    "payload_hash",
    "parse_time",
    "version_of",
]

ORDER_UPSERTED: Final = "order.upserted"
ORDER_DELETED: Final = "order.deleted"
PRODUCT_UPSERTED: Final = "product.upserted"
PRODUCT_DELETED: Final = "product.deleted"
CUSTOMER_UPSERTED: Final = "customer.upserted"
CUSTOMER_DELETED: Final = "customer.deleted"
CUSTOMER_ERASED: Final = "customer.erased"
VIEW: Final = "view"
ADD_TO_CART: Final = "add_to_cart"
REC_IMPRESSION: Final = "rec_impression"
REC_CLICK: Final = "rec_click"

BROWSING_KINDS: Final = frozenset({VIEW, ADD_TO_CART, REC_IMPRESSION, REC_CLICK})
KINDS: Final = (
    frozenset(
        {
            ORDER_UPSERTED,
            ORDER_DELETED,
            PRODUCT_UPSERTED,
            PRODUCT_DELETED,
            CUSTOMER_UPSERTED,
            CUSTOMER_DELETED,
            CUSTOMER_ERASED,
        }
    )
    | BROWSING_KINDS
)

#: Imported history's order keys are ``import:<source order id>`` (never a shop's own id); such an
#: order that arrives cancelled is a return record of its own (see ``Brain``).
IMPORT_KEY_PREFIX: Final = "import:"
#: A guest (a checkout without an account, known by ``guest_key``) is the customer
#: ``guest:<guest_key>`` to the segments, and a guest's erasure is ``customer.erased`` of that key.
GUEST_PREFIX: Final = "guest:"
#: An order teaches purchase models when it first reaches one of these statuses.
PAID_STATUSES: Final = frozenset({"processing", "completed"})
#: A later move to one of these is a compensating update.
REVERSAL_STATUSES: Final = frozenset({"cancelled", "refunded", "failed", "trash"})
#: WooCommerce's statuses of an order not paid yet (block checkout drafts included).
UNPAID_STATUSES: Final = frozenset({"pending", "on-hold", "checkout-draft", "draft", "auto-draft"})
#: ``created_via`` of the orders a subscription plugin places by itself (WooCommerce
#: Subscriptions' renewals): sales and demand, but no one chose anything
RENEWAL_CREATED_VIA: Final = "subscription"
#: The range of real timezones' offsets from UTC (UTC-12 to UTC+14), for ``utc_offset_minutes``.
MIN_UTC_OFFSET_MINUTES: Final = -12 * 60
MAX_UTC_OFFSET_MINUTES: Final = 14 * 60


def is_paid(status: str, paid_at: object) -> bool:
    """Whether an order counts as a sale: processing or completed, or a status a plugin added
    (``shipped``, ``delivered``, ``awaiting-pickup`` …) on an order WooCommerce has a payment
    date for. Shops with custom statuses move paid orders on from processing, so a backfill
    would otherwise find most of their history in statuses it does not know.

    >>> is_paid("completed", None), is_paid("shipped", "2026-03-02T10:00:00Z")
    (True, True)
    >>> is_paid("shipped", None), is_paid("on-hold", "2026-03-02T10:00:00Z")
    (False, False)
    >>> is_paid("", "2026-03-02T10:00:00Z")  # no status: no sale
    False
    """
    if status in PAID_STATUSES:
        return True
    if not status or status in REVERSAL_STATUSES or status in UNPAID_STATUSES:
        return False
    return isinstance(paid_at, str) and bool(paid_at)

HASH_CHARS: Final = 12


class EventError(ValueError):
    """An event that breaks the contract (unknown kind, naive time, bad key)."""


@dataclass(frozen=True, slots=True)
class Event:
    """One fact in the event log; ``seq`` is 0 until the log has assigned one.

    Payloads of each kind (keys the models may rely on):

    ``order.upserted``
        ``id, status, customer_id`` (``None`` for a guest), ``guest_key``, ``currency``,
        ``created_via`` (``checkout``, ``admin``, ``rest-api``, ``subscription`` for a
        subscription's renewal, …, or ``None``), ``created_at``, ``paid_at`` (or ``None``),
        ``utc_offset_minutes`` (the shop's clock less UTC when the order was made, or
        ``None``: the models then count UTC days), ``total``, ``line_items``: list of
        ``{product_id, variation_id (or None), name, category, quantity, unit_price}``, and
        ``bundled: true`` on a line that is part of a bundle bought on another line (absent
        otherwise),
        ``refunds``: list of ``{id, amount}`` (positive decimal strings), with
        ``line_items`` (``{product_id, variation_id, quantity}``, units given back) when the
        refund gave units back and the agent has read them.
    ``product.upserted``
        ``id, parent_id (or None), type, name, status, sku, categories`` (list of
        ``{id, name}``), ``price, regular_price, sale_price`` (decimal strings or ``None``),
        ``stock_status, stock_quantity (int or None), permalink, image (url or None),
        price_html, gtin (or None), catalog_visibility`` (``visible``, ``catalog``,
        ``search``, ``hidden``; ``None`` for a variation).
    ``customer.upserted``
        ``id, email, first_name, last_name, created_at, role``.
    ``*.deleted`` / ``customer.erased``
        ``{"id": key}``.
    browsing kinds
        ``session_id, customer_id (or None), product_id, placement (or None),
        source (or None), recommended_ids`` (list, for impressions).
    """

    seq: int
    kind: str
    key: str
    version: str
    occurred_at: str
    payload: dict[str, Any] = field(hash=False, compare=True)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise EventError(f"unknown event kind {self.kind!r}")
        if not self.key or not isinstance(self.key, str):
            raise EventError(f"{self.kind}: key must be a non-empty string")
        if not self.version:
            raise EventError(f"{self.kind} {self.key}: version must not be empty")
        parse_time(self.occurred_at)

    @property
    def dedupe_key(self) -> tuple[str, str, str]:
        return (self.kind, self.key, self.version)

    @property
    def when(self) -> datetime:
        """``occurred_at`` as an aware UTC datetime."""
        return parse_time(self.occurred_at)

    @property
    def timestamp(self) -> float:
        """``occurred_at`` as Unix seconds: what decays are computed from."""
        return parse_time(self.occurred_at).timestamp()

    def with_seq(self, seq: int) -> Event:
        return Event(seq, self.kind, self.key, self.version, self.occurred_at, self.payload)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def payload_hash(payload: dict[str, Any]) -> str:
    """A short, stable hash of a normalised payload (key order does not matter)."""
    try:
        raw = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS, default=_default)
    except TypeError as exc:  # e.g. an integer beyond 64 bits in a hostile payload
        raise EventError(f"payload is not serialisable: {exc}") from None
    return hashlib.sha256(raw).hexdigest()[:HASH_CHARS]


def version_of(modified_at: str, payload: dict[str, Any]) -> str:
    """``modified time # payload hash``: the version part of the dedupe key."""
    return f"{modified_at}#{payload_hash(payload)}"


def delete_version(last_version: str | None) -> str:
    """A delete's version: ``deleted:`` + the last version held for that key."""
    return f"deleted:{last_version or 'unknown'}"


def parse_time(value: str) -> datetime:
    """Parse a UTC ISO 8601 time with ``Z`` (or ``+00:00``); naive times break the contract."""
    if not isinstance(value, str) or not value:
        raise EventError(f"time must be an ISO 8601 string (got {value!r})")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise EventError(f"time is not ISO 8601 (got {value!r})") from exc
    if parsed.tzinfo is None:
        raise EventError(f"time must be UTC with Z (got naive {value!r})")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 at +01:00, or 9999-12-31 at -01:00: no such UTC time
        raise EventError(f"time is out of range (got {value!r})") from None


def format_time(moment: datetime) -> str:
    """An aware datetime as ``YYYY-MM-DDTHH:MM:SSZ`` (the contract's form)."""
    if moment.tzinfo is None:
        raise EventError("format_time needs an aware datetime")
    utc = moment.astimezone(UTC)
    # %Y does not zero-pad years below 1000 on glibc, which parse_time would then refuse
    return f"{utc.year:04d}-{utc:%m-%dT%H:%M:%S}Z"
