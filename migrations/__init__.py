"""Numbered schema migrations for the agent's SQLite and the cloud database, with one runner.

Each set is a folder of files ``NNNN_slug.py`` (``agent/``, ``cloud/``), each with ``up(db)``
that runs atomically and is recorded in a ``_migrations`` history table with a UTC time.
``apply(backend)`` runs what is pending; ``status(backend)`` tells what is applied and pending.
"""

from __future__ import annotations

from migrations.runner import (
    Backend,
    Migration,
    MigrationError,
    PeeweeBackend,
    SqliteBackend,
    apply,
    discover,
    status,
)

__all__ = [
    "Backend",
    "Migration",
    "MigrationError",
    "PeeweeBackend",
    "SqliteBackend",
    "apply",
    "discover",
    "status",
]
