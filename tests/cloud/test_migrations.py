"""The cloud schema migrates on the selected backend and a second run changes nothing."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from cloud_api import connect_db
from cloud_api.models import MODELS, Plan
from migrations import runner
from tests.cloud.conftest import BACKEND, PG, _admin


def test_every_migration_applied_and_rerun_is_a_no_op(database_url: str) -> None:
    db = connect_db(database_url)
    migrations = runner.discover("migrations.cloud")
    with db.connection_context():
        state = runner.status(runner.PeeweeBackend(db), migrations)
        again = runner.apply(runner.PeeweeBackend(db), migrations)
        tables = set(db.get_tables())
        plans = sorted(p.name for p in Plan.select())
    assert state["pending"] == []
    assert sorted(state["applied"]) == [m.name for m in migrations]
    assert again == []
    assert {m._meta.table_name for m in MODELS} <= tables
    assert plans == ["pro", "pro-trial", "starter"]


def test_models_match_the_migrated_columns(database_url: str) -> None:
    db = connect_db(database_url)
    with db.connection_context():
        for model in MODELS:
            columns = {c.name for c in db.get_columns(model._meta.table_name)}
            assert set(model._meta.columns) == columns, model.__name__


@pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite's write lock serialises already")
def test_processes_migrating_a_fresh_database_at_once_apply_each_migration_once() -> None:
    """Two cloud processes starting on an empty PostgreSQL database: without the advisory lock
    both saw every migration pending and the second failed on the first's tables."""
    name = f"luxebrain_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        script = (
            "import sys\n"
            "from cloud_api import connect_db\n"
            "from migrations import runner\n"
            "db = connect_db(sys.argv[1], bind=False)\n"
            "with db.connection_context():\n"
            "    found = runner.discover('migrations.cloud')\n"
            "    ran = runner.apply(runner.PeeweeBackend(db), found)\n"
            "print(len(ran))\n"
        )
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", script, f"{PG}/{name}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        results = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [0] * 4, [err for _, err in results]
        # every migration ran in exactly one of the processes
        assert sum(int(out) for out, _ in results) == len(runner.discover("migrations.cloud"))
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
