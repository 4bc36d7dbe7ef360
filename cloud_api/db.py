"""The cloud database, chosen by one URL: ``sqlite:///path`` or ``postgresql://…``.

Models bind to :data:`database` (a proxy) so the same code serves either backend. Request
handlers run their database work in a worker thread (``run_sync``) inside :func:`transaction`,
which holds one connection for the duration and takes the write lock up front on SQLite so
concurrent writers wait instead of failing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import peewee
from playhouse import db_url
from quart.utils import run_sync

from luxebrain.errors import LuxeBrainError

T = TypeVar("T")

database = peewee.DatabaseProxy()

#: the largest integer a column holds (SQLite's and PostgreSQL's 64-bit integers): a larger one
#: reaching the driver fails there (a 500), so inputs are refused above it
MAX_INTEGER = 2**63 - 1

_SQLITE_PRAGMAS = (("journal_mode", "wal"), ("synchronous", "normal"), ("foreign_keys", 1))


def connect_db(url: str, *, bind: bool = True) -> peewee.Database:
    """Open the database at ``url`` (not yet connected); with ``bind`` the models use it."""
    if url.startswith("sqlite:"):
        db = db_url.connect(url, pragmas=_SQLITE_PRAGMAS, timeout=30)
    elif url.startswith(("postgresql:", "postgres:")):
        pooled = "postgresql+pool:" + url.split(":", 1)[1]
        db = db_url.connect(pooled, max_connections=32, stale_timeout=300, timeout=30)
    else:
        raise ValueError(f"unsupported database URL {url!r} (use sqlite:///… or postgresql://…)")
    if bind:
        database.initialize(db)
    return db


def is_sqlite(db: peewee.Database | None = None) -> bool:
    target = db if db is not None else database.obj
    return isinstance(target, peewee.SqliteDatabase)


_SQLITE_WRITER = threading.Lock()


@contextmanager
def transaction() -> Iterator[None]:
    """One connection and one transaction.

    SQLite: threads of this process queue on a lock (fairer and faster than the busy handler's
    sleeps), the write lock is taken at BEGIN, and each thread keeps its connection open.
    PostgreSQL: a pooled connection for the duration.
    """
    db = database.obj
    if is_sqlite(db):
        with _SQLITE_WRITER:
            db.connect(reuse_if_open=True)
            with db.atomic("IMMEDIATE"):
                yield
        return
    with db.connection_context(), db.atomic():
        yield


async def in_db(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``func(*args, **kwargs)`` in a worker thread inside :func:`transaction`."""

    def call() -> T:
        with transaction():
            return func(*args, **kwargs)

    return await run_sync(call)()


def locked(query: peewee.Select) -> peewee.Select:
    """``SELECT … FOR UPDATE`` on PostgreSQL; SQLite needs none (IMMEDIATE holds the write lock)."""
    return query if is_sqlite() else query.for_update()


async def in_db_keeping_counts(func: Callable[..., T], *args: Any) -> T:
    """Like :func:`in_db`, but a domain error from ``func`` still commits what it wrote first.

    For throttled calls: the failure counters must stick when the call is refused. ``func``
    must write nothing else before raising (or do its other writes in a savepoint).
    """

    def call() -> tuple[T | None, LuxeBrainError | None]:
        with transaction():
            try:
                return func(*args), None
            except LuxeBrainError as error:
                return None, error

    result, error = await run_sync(call)()
    if error is not None:
        raise error
    return result  # type: ignore[return-value]
