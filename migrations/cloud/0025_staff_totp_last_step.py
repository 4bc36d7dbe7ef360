"""Staff remember the time step of the last TOTP code they signed in with.

A sign-in accepts only a code of a later step, so a used code cannot be replayed while it is
still valid (the current step and one either side), and two sign-ins cannot share one code.
"""

from __future__ import annotations

import peewee


def up(db: peewee.Database) -> None:
    db.execute_sql("ALTER TABLE staff ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0")
