"""The cloud schema migrates on the selected backend and a second run changes nothing."""

from __future__ import annotations

from cloud_api import connect_db
from cloud_api.models import MODELS, Plan
from migrations import runner


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
