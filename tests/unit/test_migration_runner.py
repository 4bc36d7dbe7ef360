"""The one migration runner: order, atomicity, history, targets."""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import threading
import types
from pathlib import Path

import pytest
import sqlite_utils

from connector_agent.store import Store
from migrations import Migration, MigrationError, SqliteBackend, apply, discover, status


def make(name: str, sql: str) -> Migration:
    return Migration(name, lambda db: db.execute(sql))


def test_applies_in_order_records_and_is_idempotent() -> None:
    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    migrations = [make("0001_a", "CREATE TABLE a (x)"), make("0002_b", "CREATE TABLE b (x)")]
    backend = SqliteBackend(db)
    assert apply(backend, migrations, target="0001_a") == ["0001_a"]
    assert status(backend, migrations)["pending"] == ["0002_b"]
    assert apply(backend, migrations) == ["0002_b"]
    assert apply(backend, migrations) == []
    assert set(db.table_names()) >= {"a", "b", "_migrations"}


def test_failing_migration_rolls_back_entirely() -> None:
    db = sqlite_utils.Database(sqlite3.connect(":memory:"))

    def broken(handle: sqlite_utils.Database) -> None:
        handle.execute("CREATE TABLE half (x)")
        handle.execute("THIS IS NOT SQL")

    with pytest.raises(MigrationError, match="0001_broken"):
        apply(SqliteBackend(db), [Migration("0001_broken", broken)])
    assert "half" not in db.table_names()
    assert status(SqliteBackend(db), [Migration("0001_broken", broken)])["applied"] == {}


def test_unknown_target_and_bad_names_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    with pytest.raises(MigrationError, match="unknown migration target"):
        apply(SqliteBackend(db), [], target="0009_x")
    assert [m.name for m in discover("migrations.agent")][0] == "0001_initial"
    pkg = types.ModuleType("fake_migrations")
    pkg.__path__ = []  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_migrations", pkg)
    assert discover("fake_migrations") == []


def test_two_processes_opening_a_fresh_store_at_once_both_succeed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agent and a CLI command open a store with migrations pending: both read the history
    before either takes the write lock (the barrier only widens that window). The second must
    see what the first applied, not run it again and fail ('table products already exists')."""
    barrier = threading.Barrier(2)
    first_read = threading.local()
    read_history = SqliteBackend.applied

    def applied_together(backend: SqliteBackend) -> dict[str, str]:
        done = read_history(backend)
        if not getattr(first_read, "done", False):
            first_read.done = True
            barrier.wait(timeout=10)
        return done

    monkeypatch.setattr(SqliteBackend, "applied", applied_together)
    errors: list[Exception] = []

    def open_store() -> None:
        try:
            Store.open(tmp_path / "agent.sqlite").close()
        except Exception as exc:  # reported below, with the other opener's
            errors.append(exc)

    openers = [threading.Thread(target=open_store) for _ in range(2)]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join()
    assert errors == []
    with contextlib.closing(sqlite3.connect(tmp_path / "agent.sqlite")) as conn:
        history = [name for (name,) in conn.execute("SELECT name FROM _migrations ORDER BY 1")]
    assert history == [m.name for m in discover("migrations.agent")]
