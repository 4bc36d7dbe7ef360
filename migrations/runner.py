"""The one migration runner: find numbered files, apply pending ones atomically, record them.

A migration module defines ``up(db)``; ``db`` is whatever its backend hands over (a
``sqlite_utils.Database`` for the agent, a ``peewee.Database`` for the cloud). Migrations freeze
their own schema and never import the application's models.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType
from typing import Any, Protocol

HISTORY_TABLE = "_migrations"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+$")


class MigrationError(Exception):
    """A migration set that cannot be applied (bad name, failing ``up``, unknown target)."""


@dataclass(frozen=True)
class Migration:
    name: str
    up: Callable[[Any], None]

    @property
    def number(self) -> int:
        return int(self.name[:4])


def discover(package: str) -> list[Migration]:
    """The migrations of a package such as ``migrations.agent``, in number order."""
    pkg: ModuleType = importlib.import_module(package)
    found: list[Migration] = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        if not _NAME.match(info.name):
            raise MigrationError(f"{package}.{info.name}: name must look like 0001_slug")
        module = importlib.import_module(f"{package}.{info.name}")
        up = getattr(module, "up", None)
        if not callable(up):
            raise MigrationError(f"{package}.{info.name}: has no up(db) function")
        found.append(Migration(info.name, up))
    found.sort(key=lambda m: m.name)
    numbers = [m.number for m in found]
    if len(set(numbers)) != len(numbers):
        raise MigrationError(f"{package}: two migrations share a number")
    return found


class Backend(Protocol):
    """What the runner needs from a database."""

    handle: Any

    def ensure_history(self) -> None: ...

    def applied(self) -> dict[str, str]: ...

    def record(self, name: str, applied_at: str) -> None: ...

    def atomic(self) -> Any: ...


class SqliteBackend:
    """sqlite-utils ``Database``; each migration in one explicit transaction."""

    def __init__(self, db: Any) -> None:
        self.handle = db

    def ensure_history(self) -> None:
        self.handle.execute(
            f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} "
            "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )

    def applied(self) -> dict[str, str]:
        rows = self.handle.execute(f"SELECT name, applied_at FROM {HISTORY_TABLE}").fetchall()
        return {name: at for name, at in rows}

    def record(self, name: str, applied_at: str) -> None:
        self.handle.execute(
            f"INSERT INTO {HISTORY_TABLE} (name, applied_at) VALUES (?, ?)", [name, applied_at]
        )

    @contextmanager
    def atomic(self) -> Iterator[None]:
        conn = self.handle.conn
        if conn.in_transaction:
            conn.commit()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


#: the PostgreSQL advisory lock every migrating transaction holds ("LXBM")
PG_MIGRATION_LOCK = 0x4C58424D


class PeeweeBackend:
    """peewee ``Database`` (SQLite or PostgreSQL); each migration inside ``db.atomic()``.

    On PostgreSQL each of those transactions first takes one advisory lock: two cloud
    processes starting on a fresh database (two hypercorn workers, or ``migrate`` beside a
    running API) would otherwise both see a migration pending under READ COMMITTED, and the
    second would fail on the tables the first made. SQLite's write lock already serialises."""

    def __init__(self, db: Any) -> None:
        self.handle = db
        import peewee

        self._postgres = isinstance(db, peewee.PostgresqlDatabase)

    def ensure_history(self) -> None:
        with self.atomic():
            self.handle.execute_sql(
                f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} "
                "(name VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(32) NOT NULL)"
            )

    def applied(self) -> dict[str, str]:
        cursor = self.handle.execute_sql(f"SELECT name, applied_at FROM {HISTORY_TABLE}")
        return {name: at for name, at in cursor.fetchall()}

    def record(self, name: str, applied_at: str) -> None:
        param = self.handle.param
        self.handle.execute_sql(
            f"INSERT INTO {HISTORY_TABLE} (name, applied_at) VALUES ({param}, {param})",
            (name, applied_at),
        )

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self.handle.atomic():
            if self._postgres:
                self.handle.execute_sql("SELECT pg_advisory_xact_lock(%s)", (PG_MIGRATION_LOCK,))
            yield


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def apply(
    backend: Backend, migrations: list[Migration], *, target: str | None = None
) -> list[str]:
    """Apply pending migrations in order (up to and including ``target``); return their names."""
    names = [m.name for m in migrations]
    if target is not None and target not in names:
        raise MigrationError(f"unknown migration target {target!r}")
    backend.ensure_history()
    done = backend.applied()
    ran: list[str] = []
    for migration in migrations:
        if migration.name not in done and _apply_one(backend, migration):
            ran.append(migration.name)
        if migration.name == target:
            break
    return ran


def _apply_one(backend: Backend, migration: Migration) -> bool:
    """Run ``migration`` and record it in one transaction; False if another process applied
    it first.

    The history is read again inside the transaction (under SQLite's write lock): two
    processes opening a fresh store at once (the agent and a CLI command) both saw it pending
    before either began, and the second would otherwise run it again and fail."""
    try:
        with backend.atomic():
            if migration.name in backend.applied():
                return False
            migration.up(backend.handle)
            backend.record(migration.name, _now())
    except MigrationError:
        raise
    except Exception as exc:
        raise MigrationError(f"{migration.name}: {exc}") from exc
    return True


def status(backend: Backend, migrations: list[Migration]) -> dict[str, Any]:
    """``{"applied": {name: time}, "pending": [names]}``."""
    backend.ensure_history()
    done = backend.applied()
    return {
        "applied": done,
        "pending": [m.name for m in migrations if m.name not in done],
    }
