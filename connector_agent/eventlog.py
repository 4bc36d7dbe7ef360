"""The durable event log: sync, webhooks, imports and the plugin only ever *append* here.

Guarantees:

* dedupe on ``(kind, key, version)`` — a re-sync, a repeated webhook or a retried browsing batch
  adds nothing;
* per record, versions only move forward: an upsert whose modified time is older than the newest
  one held for that key (a late webhook after a sync) is stale and skipped;
* each new event gets the next ``seq``, and the store's tables (products, customers, orders, line
  items, refunds) are updated in the same transaction, so the log and the tables always agree;
* an erased customer stays erased: later events about them arrive redacted; so does an erased
  guest (a checkout without an account, known only by ``guest_key``, a hash of the billing
  email);
* no event is logged as occurring more than ``MAX_CLOCK_AHEAD`` after this agent's clock: a
  record dated in the future (a shop clock or a record's date gone wrong) is logged at the
  agent's time instead, with a warning. The models decay by event time, so one order dated years
  ahead would otherwise make every real order before and after it count for nothing. Versions
  keep the shop's own times, so dedupe and staleness are unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

import orjson

from connector_agent.store import Store
from online_models import events as ev
from online_models.events import Event, parse_time

log = logging.getLogger(__name__)

#: how far ahead of the agent's clock an event may be dated (clocks of two machines drift)
MAX_CLOCK_AHEAD = timedelta(minutes=5)
PERSONAL_CUSTOMER_FIELDS = ("email", "first_name", "last_name")
ENTITY_PREFIXES = ("order.", "product.", "customer.")
#: seqs that one transaction of :meth:`EventLog.compact` works through: about 10 ms of holding
#: the write lock, so a webhook appended meanwhile barely waits
COMPACT_WINDOW = 2_000
#: an event of the window is older than ``before`` and a browsing event, or has a newer event of
#: its record (same key, same kind family: ``order.``, ``product.``, ``customer.``). The newer
#: one is found by one seek of the index ``event_log_family`` (migration 0023), whose
#: expression this must repeat exactly; the rowid every index ends with serves ``seq >``.
_COMPACT_SQL = """
    DELETE FROM event_log
    WHERE seq > :low AND seq <= :high AND occurred_at < :before AND (
        kind IN ('view', 'add_to_cart', 'rec_impression', 'rec_click')
        OR EXISTS (
            SELECT 1 FROM event_log AS newer
            WHERE newer.key = event_log.key
              AND substr(newer.kind, 1, instr(newer.kind, '.'))
                  = substr(event_log.kind, 1, instr(event_log.kind, '.'))
              AND newer.seq > event_log.seq
        )
    )
"""


def _modified_part(version: str) -> str | None:
    """The modified-time part of ``time#hash`` versions (imports have none)."""
    head, sep, _ = version.partition("#")
    return head if sep else None


#: (seq, kind, key, version, occurred_at, payload JSON) as the log stores an event
LogRow = tuple[int, str, str, str, str, str]


def event_of_row(row: LogRow) -> Event:
    """The event a log row holds; ``EventError`` or ``orjson.JSONDecodeError`` for a row this
    version cannot read."""
    seq, kind, key, version, occurred_at, payload = row
    return Event(seq, kind, key, version, occurred_at, orjson.loads(payload))


def _newest_delete(conn: Any, event: Event) -> tuple[int, str, Any] | None:
    """(seq, version, trashed_at) of the delete that is the newest event held of ``event``'s
    record (its key, its kind family), or None when the newest is no delete."""
    resource = event.kind.partition(".")[0]
    row = conn.execute(
        "SELECT seq, kind, version, json_extract(payload, '$.trashed_at') FROM event_log "
        "WHERE key = ? AND kind LIKE ? ORDER BY seq DESC LIMIT 1",
        [event.key, f"{resource}.%"],
    ).fetchone()
    if row is None or row[1] != f"{resource}.deleted":
        return None
    return row[0], row[2], row[3]


def _redact_if_erased(conn: Any, event: Event) -> Event:
    """``event`` without the personal data of an erased customer or guest it names.

    Read in the append's own transaction, never cached: an erasure may come from another
    connection (the ``erase-customer`` CLI while the agent runs, an API erasure during a sync in
    its worker thread), and a webhook after it must not store the data again. Primary-key
    lookups: one or two per event."""
    payload = event.payload
    if event.kind == ev.CUSTOMER_UPSERTED:
        if not _customer_erased(conn, event.key):
            return event
        payload = _redacted_customer(event.key)
    elif payload.get("customer_id") and _customer_erased(conn, str(payload["customer_id"])):
        payload = {**payload, "customer_id": None, "guest_key": None}
    elif payload.get("guest_key") and conn.execute(
        "SELECT 1 FROM erased_guests WHERE guest_key = ?", [str(payload["guest_key"])]
    ).fetchone():
        payload = {**payload, "guest_key": None}
    else:
        return event
    return Event(event.seq, event.kind, event.key, event.version, event.occurred_at, payload)


def _customer_erased(conn: Any, customer_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM customers WHERE id = ? AND erased_at IS NOT NULL", [customer_id]
    ).fetchone()
    return row is not None


def _dumps(payload: dict[str, Any]) -> str:
    return orjson.dumps(payload, default=str).decode()


class EventLog:
    """Append-only, deduplicated, ``seq``-ordered log of :class:`Event` over a :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ------------------------------------------------------------ writing

    def append(self, events: Iterable[Event]) -> list[Event]:
        """Append events not seen before (one transaction); return them with their ``seq``."""
        added: list[Event] = []
        now = self.store.clock.iso()
        latest = self.store.clock.now() + MAX_CLOCK_AHEAD
        ahead: list[Event] = []
        with self.store.transaction() as conn:
            for event in events:
                event = _redact_if_erased(conn, event)
                if self._is_stale(conn, event):
                    continue
                if self._exists(conn, event):
                    event = self._undo_stale_delete(conn, event)
                    if event is None:
                        continue
                if event.when > latest:
                    ahead.append(event)
                    event = replace(event, occurred_at=now)
                cursor = conn.execute(
                    "INSERT INTO event_log "
                    "(kind, key, version, occurred_at, payload, appended_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        event.kind,
                        event.key,
                        event.version,
                        event.occurred_at,
                        _dumps(event.payload),
                        now,
                    ],
                )
                stored = event.with_seq(int(cursor.lastrowid or 0))
                _project(conn, stored)
                added.append(stored)
        if ahead:
            first = ahead[0]
            log.warning(
                "%d event(s) dated more than %s ahead of this agent's clock were logged at "
                "%s instead (first: %s %s dated %s); check the shop's and this machine's clocks",
                len(ahead), MAX_CLOCK_AHEAD, now, first.kind, first.key, first.occurred_at,
            )
        return added

    @staticmethod
    def _exists(conn: Any, event: Event) -> bool:
        row = conn.execute(
            "SELECT 1 FROM event_log WHERE kind = ? AND key = ? AND version = ?",
            [event.kind, event.key, event.version],
        ).fetchone()
        return row is not None

    @staticmethod
    def _undo_stale_delete(conn: Any, event: Event) -> Event | None:
        """A known upsert seen again after a delete of that very version: the delete was stale.

        Deliveries come in any order: a restore's upsert may land before the older delete.
        When the shop still shows the version the delete superseded, the record lives; it is
        re-appended under a version that names the delete it overrides (so it dedupes too).
        """
        if not event.kind.endswith(".upserted"):
            return None
        row = _newest_delete(conn, event)
        if row is None or row[1] != f"deleted:{event.version}":
            return None
        version = f"{event.version}~after:{row[0]}"
        return Event(event.seq, event.kind, event.key, version, event.occurred_at, event.payload)

    def _is_stale(self, conn: Any, event: Event) -> bool:
        """Whether an upsert is older than what is held of its record: its newest upsert, or a
        trash newer than both (deliveries and sync pages arrive in any order, so an update
        made before the trash can come after it, and must not bring the record back)."""
        if not event.kind.endswith(".upserted"):
            return False
        incoming = _modified_part(event.version)
        if incoming is None:
            return False
        row = conn.execute(
            "SELECT version FROM event_log WHERE key = ? AND kind = ? ORDER BY seq DESC LIMIT 1",
            [event.key, event.kind],
        ).fetchone()
        held = _modified_part(row[0]) if row is not None else None
        if held is not None and incoming < held:
            return True
        trashed_at = self._trashed_at(conn, event)
        return trashed_at is not None and parse_time(incoming) < parse_time(trashed_at)

    @staticmethod
    def _trashed_at(conn: Any, event: Event) -> str | None:
        """The shop's time of the record's trash, when a delete is the newest event held of it
        and says when (one without it, a force delete or reconciliation's, says nothing)."""
        row = _newest_delete(conn, event)
        return row[2] if row is not None and isinstance(row[2], str) else None

    def erase_customer(self, customer_id: str) -> dict[str, int]:
        """Remove a customer's personal data, redact their events, append ``customer.erased``."""
        now = self.store.clock.iso()
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO customers (id, erased_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE "
                "SET email = NULL, first_name = NULL, last_name = NULL, "
                "erased_at = excluded.erased_at",
                [customer_id, now],
            )
            orders = conn.execute(
                "UPDATE orders SET customer_id = NULL, guest_key = NULL WHERE customer_id = ?",
                [customer_id],
            ).rowcount
            profile = conn.execute(
                "UPDATE event_log SET payload = ? WHERE kind = ? AND key = ?",
                [_dumps(_redacted_customer(customer_id)), ev.CUSTOMER_UPSERTED, customer_id],
            ).rowcount
            linked = conn.execute(
                "UPDATE event_log SET payload = json_set(payload, '$.customer_id', json('null'), "
                "'$.guest_key', json('null')) "
                "WHERE kind != ? AND json_extract(payload, '$.customer_id') = ?",
                [ev.CUSTOMER_UPSERTED, customer_id],
            ).rowcount
            self._append_erasure(customer_id, now)
        self.store.truncate_wal()
        return {"orders": orders, "events_redacted": profile + linked}

    def erase_guest(self, guest_key: str) -> dict[str, int]:
        """Unlink a guest's orders (their ``guest_key``) in the store and the log, for good, and
        append ``customer.erased`` of ``guest:<guest_key>`` so the models forget the guest too
        (the segments count guests as customers).

        The orders themselves stay, anonymous, as a registered customer's do when erased. The key
        is kept in ``erased_guests`` so a later sync of the same orders is redacted as it arrives.
        """
        now = self.store.clock.iso()
        guest = ev.GUEST_PREFIX + guest_key
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO erased_guests (guest_key, erased_at) VALUES (?, ?) "
                "ON CONFLICT (guest_key) DO UPDATE SET erased_at = excluded.erased_at",
                [guest_key, now],
            )
            orders = conn.execute(
                "UPDATE orders SET guest_key = NULL WHERE guest_key = ?", [guest_key]
            ).rowcount
            redacted = conn.execute(
                "UPDATE event_log SET payload = json_set(payload, '$.guest_key', json('null')) "
                "WHERE json_extract(payload, '$.guest_key') = ?",
                [guest_key],
            ).rowcount
            self._append_erasure(guest, now)
        self.store.truncate_wal()
        return {"orders": orders, "events_redacted": redacted}

    def _append_erasure(self, key: str, now: str) -> None:
        """Append ``customer.erased`` of ``key`` and drop every stored snapshot before it (in
        the erasure's transaction): those still hold the person. The running applier stores a
        new snapshot once it has learned the erasure; a stopped agent rebuilds from the
        redacted log at its next start."""
        self.append([Event(0, ev.CUSTOMER_ERASED, key, f"erased:{now}", now, {"id": key})])
        self.store.forget_snapshots_before(self.store.last_erasure_seq())

    def compact(self, *, before: str, up_to_seq: int, window: int = COMPACT_WINDOW) -> int:
        """Prune events older than ``before`` already in a snapshot (``seq <= up_to_seq``).

        Browsing events go; of each order, product or customer only the newest event is kept,
        so the log still holds the current state of every record and can rebuild the models.
        It works through ``window`` seqs per transaction, so another writer (a webhook being
        appended) never waits long for a big first compaction; what is removed does not depend
        on the window, as an event that stays is the newest of its record in every window.
        """
        removed = 0
        low = 0
        up_to_seq = min(up_to_seq, self.last_seq())
        while low < up_to_seq:
            high = min(low + window, up_to_seq)
            with self.store.transaction() as conn:
                removed += conn.execute(
                    _COMPACT_SQL, {"low": low, "high": high, "before": before}
                ).rowcount
            low = high
        return removed

    # ------------------------------------------------------------ reading

    def read(self, after_seq: int = 0, limit: int = 1000) -> list[Event]:
        """Events with ``seq > after_seq`` in order, at most ``limit``."""
        return [event_of_row(row) for row in self.read_rows(after_seq, limit)]

    def read_rows(self, after_seq: int = 0, limit: int = 1000) -> list[LogRow]:
        """The rows of :meth:`read`, not yet made events: the applier makes each one itself,
        so that a row this version cannot read (a kind a newer agent wrote before a
        downgrade) is skipped and logged instead of stopping learning."""
        return self.store.db.conn.execute(
            "SELECT seq, kind, key, version, occurred_at, payload FROM event_log "
            "WHERE seq > ? ORDER BY seq LIMIT ?",
            [after_seq, limit],
        ).fetchall()

    def last_seq(self) -> int:
        row = self.store.db.conn.execute("SELECT MAX(seq) FROM event_log").fetchone()
        return int(row[0] or 0)

    def _newest(self, resource: str, key: str) -> tuple[str, str | None] | None:
        """(version, payload JSON) of the newest event of a ``resource`` ``key`` (compaction
        keeps it), or None."""
        return self.store.db.conn.execute(
            "SELECT version, payload FROM event_log WHERE key = ? AND kind LIKE ? "
            "ORDER BY seq DESC LIMIT 1",
            [key, f"{resource}.%"],
        ).fetchone()

    def last_version(self, resource: str, key: str) -> str | None:
        """The newest version held for a ``resource`` (order, product, customer) ``key``."""
        row = self._newest(resource, key)
        return str(row[0]) if row else None

    def last_payload(self, resource: str, key: str) -> dict[str, Any] | None:
        """The newest payload held for a ``resource`` ``key``."""
        row = self._newest(resource, key)
        if row is None or row[1] is None:
            return None
        payload = orjson.loads(row[1])
        return payload if isinstance(payload, dict) else None

    def known_keys(self, resource: str) -> set[str]:
        """Keys of live (not deleted) records of a resource, from the projected tables."""
        table = {"order": "orders", "product": "products", "customer": "customers"}[resource]
        rows = self.store.db.conn.execute(f"SELECT id FROM {table} WHERE deleted_at IS NULL")
        return {row[0] for row in rows}

    def count_by_kind(self) -> dict[str, int]:
        rows = self.store.db.conn.execute("SELECT kind, COUNT(*) FROM event_log GROUP BY kind")
        return {kind: int(n) for kind, n in rows}


def _redacted_customer(customer_id: str) -> dict[str, Any]:
    return {"id": customer_id, "redacted": True}


# ---------------------------------------------------------------- the table projection


def _project(conn: Any, event: Event) -> None:
    kind, payload = event.kind, event.payload
    modified = _modified_part(event.version) or event.occurred_at
    if kind == ev.ORDER_UPSERTED:
        _project_order(conn, event.key, payload, modified, event.version)
    elif kind == ev.PRODUCT_UPSERTED:
        _upsert(
            conn,
            "products",
            {
                "id": event.key,
                "parent_id": payload.get("parent_id"),
                "type": payload.get("type"),
                "name": payload.get("name"),
                "sku": payload.get("sku"),
                "status": payload.get("status"),
                "stock_status": payload.get("stock_status"),
                "stock_quantity": payload.get("stock_quantity"),
                "price": payload.get("price"),
                "regular_price": payload.get("regular_price"),
                "sale_price": payload.get("sale_price"),
                "categories": _dumps(payload.get("categories") or []),
                "image": payload.get("image"),
                "permalink": payload.get("permalink"),
                "price_html": payload.get("price_html"),
                "gtin": payload.get("gtin"),
                "modified_at": modified,
                "version": event.version,
                "deleted_at": None,
            },
        )
    elif kind == ev.CUSTOMER_UPSERTED:
        _upsert(
            conn,
            "customers",
            {
                "id": event.key,
                "email": payload.get("email"),
                "first_name": payload.get("first_name"),
                "last_name": payload.get("last_name"),
                "role": payload.get("role"),
                "created_at": payload.get("created_at"),
                "modified_at": modified,
                "version": event.version,
                "deleted_at": None,
            },
        )
    elif kind in (ev.ORDER_DELETED, ev.PRODUCT_DELETED, ev.CUSTOMER_DELETED):
        table = {"order": "orders", "product": "products", "customer": "customers"}[
            kind.partition(".")[0]
        ]
        conn.execute(
            f"UPDATE {table} SET deleted_at = ? WHERE id = ?", [event.occurred_at, event.key]
        )


def _project_order(
    conn: Any, order_id: str, payload: dict[str, Any], modified: str, version: str
) -> None:
    conn.execute("DELETE FROM line_items WHERE order_id = ?", [order_id])
    conn.execute("DELETE FROM refunds WHERE order_id = ?", [order_id])
    _upsert(
        conn,
        "orders",
        {
            "id": order_id,
            "status": payload.get("status"),
            "customer_id": payload.get("customer_id"),
            "guest_key": payload.get("guest_key"),
            "currency": payload.get("currency"),
            "total": payload.get("total"),
            "created_at": payload.get("created_at"),
            "paid_at": payload.get("paid_at"),
            "modified_at": modified,
            "version": version,
            "deleted_at": None,
        },
    )
    lines: Sequence[dict[str, Any]] = payload.get("line_items") or []
    conn.executemany(
        "INSERT INTO line_items (order_id, position, product_id, variation_id, name, category, "
        "quantity, unit_price) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                order_id,
                position,
                line.get("product_id"),
                line.get("variation_id"),
                line.get("name"),
                line.get("category"),
                line.get("quantity"),
                line.get("unit_price"),
            )
            for position, line in enumerate(lines)
        ],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO refunds (order_id, refund_id, amount, reason) VALUES (?, ?, ?, ?)",
        [
            (order_id, str(refund.get("id")), refund.get("amount"), refund.get("reason"))
            for refund in payload.get("refunds") or []
        ],
    )


def _upsert(conn: Any, table: str, row: dict[str, Any]) -> None:
    columns = list(row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
    conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}",
        [row[c] for c in columns],
    )
