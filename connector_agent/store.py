"""The agent's SQLite store: the only module that opens the database (sqlite-utils, WAL mode).

The tables of products, customers, orders, line items and refunds are a *projection* of the event
log, written in the same transaction as the events (see ``eventlog.py``), so they always agree
with it and can rebuild the models. Sync cursors and model snapshots live here too.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import sqlite_utils

from connector_agent.errors import StoreError
from luxebrain.clock import Clock, SystemClock
from migrations import SqliteBackend, apply, discover, status
from online_models.events import (
    CUSTOMER_ERASED,
    PAID_STATUSES,
    REVERSAL_STATUSES,
    UNPAID_STATUSES,
)

log = logging.getLogger(__name__)

MIGRATIONS_PACKAGE = "migrations.agent"
COUNTED_TABLES = ("products", "customers", "orders")
BUSY_TIMEOUT_MS = 30_000
#: the WAL is cut back to this size after each checkpoint, so stale frames (deleted personal
#: data among them) do not linger in a file that a big snapshot once grew to hundreds of MB
JOURNAL_SIZE_LIMIT = 16 * 1024 * 1024
#: how long the truncating checkpoint after an erasure waits for readers (it may run on the
#: event loop, so not the full busy timeout)
CHECKPOINT_WAIT_MS = 2_000


class Store:
    """One SQLite database file; open it with :meth:`open` (which migrates)."""

    def __init__(self, db: sqlite_utils.Database, path: Path | None, clock: Clock) -> None:
        self.db = db
        self.path = path
        self.clock = clock

    @classmethod
    def open(
        cls, path: str | Path, *, clock: Clock | None = None, migrate: bool = True
    ) -> Store:
        """Open (creating if needed) the database at ``path`` in WAL mode and apply migrations."""
        path = Path(path)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            # the store holds customers' personal data: owner-only from the first byte
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        try:
            conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # erased personal data must not stay readable in freed pages, whatever the build's
            # default (SQLITE_SECURE_DELETE) is
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the store ({exc})") from exc
        store = cls(sqlite_utils.Database(conn), path, clock or SystemClock())
        if migrate:
            store.migrate()
        return store

    @classmethod
    def memory(cls, *, clock: Clock | None = None) -> Store:
        """A migrated in-memory store (tests and ``evaluate``)."""
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA secure_delete=ON")
        store = cls(sqlite_utils.Database(conn), None, clock or SystemClock())
        store.migrate()
        return store

    def close(self) -> None:
        self.db.conn.close()

    # ------------------------------------------------------------ migrations

    def migrate(self) -> list[str]:
        """Apply pending agent migrations; return the names applied."""
        return apply(SqliteBackend(self.db), discover(MIGRATIONS_PACKAGE))

    def migration_status(self) -> dict[str, Any]:
        return status(SqliteBackend(self.db), discover(MIGRATIONS_PACKAGE))

    # ------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on any error); nests as a no-op.

        SQLite's own failures (a full disk, a lock held past the busy timeout, an I/O error)
        leave nothing written and come out as :class:`StoreError`, which names the file: the
        API answers it 503 and the jobs log it and try again later."""
        conn = self.db.conn
        try:
            if conn.in_transaction:  # nested: the outer one commits
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path or 'the store'}: cannot write ({exc})") from exc

    # ------------------------------------------------------------ sync cursors

    def cursor(self, resource: str) -> dict[str, Any]:
        """The saved sync state of a resource (``{}`` when none)."""
        row = self.db.conn.execute(
            "SELECT state FROM sync_cursors WHERE resource = ?", [resource]
        ).fetchone()
        return orjson.loads(row[0]) if row and row[0] else {}

    def save_cursor(self, resource: str, state: dict[str, Any], *, success: bool = False) -> None:
        """Checkpoint a resource's sync state (inside the transaction that appended its page)."""
        now = self.clock.iso()
        with self.transaction() as conn:
            conn.execute(
                """
                INSERT INTO sync_cursors (resource, state, updated_at, last_success_at)
                VALUES (?, ?, ?, ?)
                ON CONFLICT (resource) DO UPDATE SET
                    state = excluded.state,
                    updated_at = excluded.updated_at,
                    last_success_at = COALESCE(excluded.last_success_at, last_success_at),
                    last_error = CASE WHEN excluded.last_success_at IS NULL
                                      THEN last_error END,
                    last_error_at = CASE WHEN excluded.last_success_at IS NULL
                                         THEN last_error_at END
                """,
                [resource, orjson.dumps(state).decode(), now, now if success else None],
            )

    def record_sync_error(self, resource: str, message: str) -> None:
        now = self.clock.iso()
        with self.transaction() as conn:
            conn.execute(
                """
                INSERT INTO sync_cursors (resource, state, updated_at, last_error, last_error_at)
                VALUES (?, '{}', ?, ?, ?)
                ON CONFLICT (resource) DO UPDATE SET
                    last_error = excluded.last_error, last_error_at = excluded.last_error_at
                """,
                [resource, now, message, now],
            )

    def sync_summary(self) -> dict[str, dict[str, str | None]]:
        rows = self.db.conn.execute(
            "SELECT resource, last_success_at, last_error, last_error_at FROM sync_cursors"
        ).fetchall()
        return {
            resource: {"last_success_at": ok, "last_error": err, "last_error_at": err_at}
            for resource, ok, err, err_at in rows
        }

    # ------------------------------------------------------------ snapshots

    def save_snapshot(self, applied_seq: int, data: bytes, mac: str) -> None:
        """Store a model snapshot with the last seq it contains; keeps only the newest two, and
        none from before the newest erasure (they still hold the erased person).

        A snapshot that predates an erasure in the log is not stored at all: it was taken
        before the models learned the erasure (one serialised while an erase committed)."""
        erased_seq = self.last_erasure_seq()
        if applied_seq < erased_seq:
            log.info("model snapshot of seq %s not stored: it predates an erasure", applied_seq)
            return
        conn = self.db.conn
        conn.execute(
            "INSERT INTO model_snapshots (applied_seq, created_at, size, mac, data) "
            "VALUES (?, ?, ?, ?, ?)",
            [applied_seq, self.clock.iso(), len(data), mac, data],
        )
        conn.execute(
            "DELETE FROM model_snapshots WHERE id NOT IN "
            "(SELECT id FROM model_snapshots ORDER BY id DESC LIMIT 2)"
        )
        self.forget_snapshots_before(erased_seq)

    def forget_snapshots_before(self, seq: int) -> None:
        """Delete the snapshots that do not hold event ``seq`` (an erasure): with
        ``secure_delete`` their pages are zeroed, not just unlinked."""
        self.db.conn.execute("DELETE FROM model_snapshots WHERE applied_seq < ?", [seq])

    def last_erasure_seq(self) -> int:
        """The seq of the newest ``customer.erased`` in the log (0 if none); an index search
        (the log's unique key begins with the kind)."""
        row = self.db.conn.execute(
            "SELECT MAX(seq) FROM event_log WHERE kind = ?", [CUSTOMER_ERASED]
        ).fetchone()
        return int(row[0] or 0)

    def truncate_wal(self) -> bool:
        """Checkpoint the WAL into the database and cut it to zero bytes, so no old frame of
        erased data stays in the ``-wal`` file; False (and a warning) when that failed.

        The erasure is committed already, so a failure is logged, not raised. Waits at most
        ``CHECKPOINT_WAIT_MS`` for readers: an erase may run on the event loop."""
        conn = self.db.conn
        if self.path is None or conn.in_transaction:
            return False
        conn.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            reason = "a reader held it"
        except sqlite3.Error as exc:
            busy, reason = 1, str(exc)
        finally:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if busy:
            log.warning(
                "%s: the WAL was not truncated after an erasure (%s); its old frames go at "
                "the next checkpoint",
                self.path,
                reason,
            )
        return not busy

    def latest_snapshot(self) -> tuple[int, bytes, str] | None:
        row = self.db.conn.execute(
            "SELECT applied_seq, data, mac FROM model_snapshots ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return (int(row[0]), bytes(row[1]), str(row[2])) if row else None

    def has_snapshot(self) -> bool:
        return self.db.conn.execute("SELECT 1 FROM model_snapshots LIMIT 1").fetchone() is not None

    def applied_seq(self) -> int:
        row = self.db.conn.execute(
            "SELECT applied_seq FROM model_snapshots ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return int(row[0]) if row else 0

    # ------------------------------------------------------------ counts

    def counts(self) -> dict[str, int]:
        """Live (not deleted) products, customers and orders."""
        result: dict[str, int] = {}
        for table in COUNTED_TABLES:
            (result[table],) = self.db.conn.execute(
                f"SELECT COUNT(*) FROM {table} WHERE deleted_at IS NULL"
            ).fetchone()
        return result


def _quoted(statuses: frozenset[str]) -> str:
    return ", ".join(f"'{status}'" for status in sorted(statuses))


def paid_order_sql(alias: str) -> str:
    """The SQL condition on the ``orders`` row ``alias`` that says what ``events.is_paid`` says
    of its event: processing or completed, or another status (a plugin's) with a payment date.

    >>> paid_order_sql("o")  # doctest: +NORMALIZE_WHITESPACE
    "(o.status IN ('completed', 'processing') OR (o.status NOT IN ('auto-draft',
    'cancelled', 'checkout-draft', 'draft', 'failed', 'on-hold', 'pending', 'refunded',
    'trash') AND o.status != '' AND COALESCE(o.paid_at, '') != ''))"
    """
    unpaid = _quoted(REVERSAL_STATUSES | UNPAID_STATUSES)
    return (
        f"({alias}.status IN ({_quoted(PAID_STATUSES)}) OR ({alias}.status NOT IN ({unpaid}) "
        f"AND {alias}.status != '' AND COALESCE({alias}.paid_at, '') != ''))"
    )
