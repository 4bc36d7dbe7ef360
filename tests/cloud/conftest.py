"""Cloud fixtures. The backend is chosen by ``LUXEBRAIN_TEST_DATABASE`` (``sqlite`` by default,
``postgresql`` for the server on 127.0.0.1:5432).

The schema is migrated once per session into a template (a file, or a PostgreSQL template
database); each test gets a copy, so tests are isolated and cheap. Only databases named
``luxebrain_test_<random>`` are ever created or dropped.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
import pytest

from cloud_api import connect_db, create_app
from cloud_api import licences as licence_service
from cloud_api.db import database, transaction
from cloud_api.signing import create_key
from luxebrain.clock import FrozenClock
from migrations import runner

BACKEND = os.environ.get("LUXEBRAIN_TEST_DATABASE", "sqlite")
PG = "postgresql://postgres@127.0.0.1:5432"
START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

if BACKEND not in ("sqlite", "postgresql"):
    raise pytest.UsageError("LUXEBRAIN_TEST_DATABASE must be sqlite or postgresql")


def _admin(sql: str) -> None:
    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


def _migrate(url: str) -> None:
    db = connect_db(url, bind=False)
    with db.connection_context():
        runner.apply(runner.PeeweeBackend(db), runner.discover("migrations.cloud"))
    if hasattr(db, "close_all"):
        db.close_all()


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated template: a SQLite file path, or a PostgreSQL database name."""
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("cloud") / "template.sqlite"
        _migrate(f"sqlite:///{path}")
        yield str(path)
        return
    name = f"luxebrain_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        _migrate(f"{PG}/{name}")
        yield name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    if BACKEND == "sqlite":
        path = tmp_path / "cloud.sqlite"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    name = f"luxebrain_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield f"{PG}/{name}"
    finally:
        if database.obj is not None and hasattr(database.obj, "close_all"):
            database.obj.close_all()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(database_url: str, clock: FrozenClock):  # type: ignore[no-untyped-def]
    app = create_app(
        {"DATABASE_URL": database_url, "CLOCK": clock, "SECRET_KEY": "test-secret", "TESTING": True}
    )
    with transaction():
        create_key(int(clock.time()))
    return app


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@dataclass
class Issued:
    id: int
    key: str


@pytest.fixture
def issue(app, clock: FrozenClock):  # type: ignore[no-untyped-def]
    """``issue(plan="pro", stores=1, days=365, tenant="Acme")`` -> Issued(id, key)."""

    def make(plan: str = "pro", stores: int = 1, days: int = 365, tenant: str = "Acme",
             trial: bool = True) -> Issued:
        with transaction():
            row, key = licence_service.issue(tenant=tenant, plan=plan, stores=stores, days=days,
                                             actor="test", now=int(clock.time()), trial=trial)
        return Issued(row.id, key)

    return make
