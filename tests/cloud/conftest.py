"""Cloud fixtures. The backend is chosen by ``LUXEBRAIN_TEST_DATABASE`` (``sqlite`` by default,
``postgresql`` for the server on 127.0.0.1:5432).

The schema is migrated once per session into a template (a file, or a PostgreSQL template
database); each test gets a copy, so tests are isolated and cheap. Only databases named
``luxebrain_test_<random>`` are ever created or dropped.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
import pytest
import requests

from cloud_api import connect_db, create_app
from cloud_api import licences as licence_service
from cloud_api.api.agent import POOL as CHECKIN_POOL
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


@dataclass
class PgTemplate:
    """The session's PostgreSQL database and the rows the migrations seeded into it."""

    name: str
    seed: dict[str, tuple[list[str], list[tuple]]]

    def reset(self) -> None:
        """Back to just-migrated: empty every table, restore the seeded rows and sequences."""
        conn = psycopg2.connect(f"{PG}/{self.name}")
        try:
            with conn, conn.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")  # no FK checks
                for table, (columns, rows) in self.seed.items():
                    cursor.execute(f'DELETE FROM "{table}"')  # TRUNCATE is slower on tiny tables
                    if rows:
                        names = ", ".join(f'"{c}"' for c in columns)
                        marks = ", ".join(["%s"] * len(columns))
                        cursor.executemany(
                            f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows
                        )
                    if "id" in columns:
                        cursor.execute(
                            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                            f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
                        )
        finally:
            conn.close()


def _seeded_rows(name: str) -> dict[str, tuple[list[str], list[tuple]]]:
    conn = psycopg2.connect(f"{PG}/{name}")
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> %s ORDER BY tablename",
                (runner.HISTORY_TABLE,),
            )
            seed = {}
            for (table,) in cursor.fetchall():
                cursor.execute(f'SELECT * FROM "{table}"')
                seed[table] = ([d[0] for d in cursor.description], cursor.fetchall())
            return seed
    finally:
        conn.close()


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | PgTemplate]:
    """A migrated SQLite file to copy per test, or one PostgreSQL database reset per test
    (creating a database per test costs seconds on this machine; a reset costs milliseconds)."""
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("cloud") / "template.sqlite"
        _migrate(f"sqlite:///{path}")
        yield str(path)
        return
    name = f"luxebrain_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    _admin(f'ALTER DATABASE "{name}" SET synchronous_commit = off')  # a throwaway database
    try:
        _migrate(f"{PG}/{name}")
        yield PgTemplate(name, _seeded_rows(name))
    finally:
        if database.obj is not None and hasattr(database.obj, "close_all"):
            database.obj.close_all()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(template: str | PgTemplate, tmp_path: Path) -> Iterator[str]:
    """A just-migrated database for one test."""
    if isinstance(template, str):
        path = tmp_path / "cloud.sqlite"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    template.reset()
    yield f"{PG}/{template.name}"
    if database.obj is not None and hasattr(database.obj, "close_all"):
        database.obj.close_all()


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
    yield app
    pool = app.extensions.get(CHECKIN_POOL)
    if pool is not None:
        pool.close()


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

    def make(
        plan: str = "pro",
        stores: int = 1,
        days: int = 365,
        tenant: str = "Acme",
        trial: bool = True,
    ) -> Issued:
        with transaction():
            row, key = licence_service.issue(
                tenant=tenant,
                plan=plan,
                stores=stores,
                days=days,
                actor="test",
                now=int(clock.time()),
                trial=trial,
            )
        return Issued(row.id, key)

    return make


PASSWORD = "correct horse battery staple"


@dataclass
class SignedIn:
    email: str
    role: str
    token: str
    totp_secret: str | None
    recovery_codes: list[str]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_staff(app, clock: FrozenClock):  # type: ignore[no-untyped-def]
    """``make_staff(role)`` -> (email, shown): an account; owners/admins get TOTP."""
    from cloud_api.staff import accounts

    def make(role: str, email: str | None = None) -> tuple[str, dict]:
        email = email or f"{role.replace('-', '')}@vendor.example"
        with transaction():
            _, shown = accounts.create(email, role, PASSWORD, actor="test", now=int(clock.time()))
        return email, shown

    return make


@pytest.fixture
def sign_in(client, make_staff, clock: FrozenClock):  # type: ignore[no-untyped-def]
    """``await sign_in(role)`` -> SignedIn with a bearer token from ``POST /api/v1/login``."""
    from cloud_api.staff.totp import code_at

    async def login(role: str, email: str | None = None) -> SignedIn:
        email, shown = make_staff(role, email)
        body = {"email": email, "password": PASSWORD}
        if shown:
            body["code"] = code_at(shown["totp_secret"], clock.time())
        response = await client.post("/api/v1/login", json=body)
        assert response.status_code == 200, await response.get_data()
        token = (await response.get_json())["token"]
        return SignedIn(
            email, role, token, shown.get("totp_secret"), shown.get("recovery_codes", [])
        )

    return login


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def cloud_env() -> dict[str, str]:
    """Extra environment for ``live_cloud`` (override with ``@pytest.mark.parametrize``)."""
    return {}


@pytest.fixture
def live_cloud(database_url: str, cloud_env: dict[str, str]) -> Iterator[str]:
    """``luxebrain-cloud serve`` as a real process on a free loopback port; yields its URL.

    The database has a signing key; the process is stopped (by its pid) afterwards.
    """
    connect_db(database_url)
    with transaction():
        create_key(int(time.time()))
    port = _free_port()
    env = {**os.environ, "LUXEBRAIN_CLOUD_SECRET_KEY": "live-test-secret", **cloud_env}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cloud_api.cli",
            "serve",
            "--database",
            database_url,
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"cloud did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
