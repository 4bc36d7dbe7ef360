"""Hot-path SQL, prepared once per PostgreSQL connection (planning cost more than running).

A statement is written with ``{}`` placeholders in parameter order; SQLite gets ``?`` and runs
it directly, PostgreSQL gets ``$1…$n`` in a ``PREPARE`` the first time a pooled connection
meets it, then ``EXECUTE``. Prepared statements outlive transactions, even rolled-back ones.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from cloud_api.db import database, is_sqlite

_prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def run(name: str, template: str, params: Sequence[Any]) -> Any:
    """Execute the statement ``name`` (``template`` with ``{}`` placeholders); the cursor."""
    db = database.obj
    if is_sqlite(db):
        return db.execute_sql(template.format(*["?"] * len(params)), params)
    connection = db.connection()
    done = _prepared.setdefault(connection, set())
    if name not in done:
        numbered = template.format(*[f"${i}" for i in range(1, len(params) + 1)])
        db.execute_sql(f"PREPARE {name} AS {numbered}")
        done.add(name)
    return db.execute_sql(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
