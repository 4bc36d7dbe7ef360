"""Licences record when they were revoked.

Billing charges no fee for the months after a revocation. It used to read the revocation time
from ``updated_at``, which any later change of the licence moved; revoked licences already in
the database take their ``updated_at`` as the best record there is.
"""

from __future__ import annotations

import peewee


def up(db: peewee.Database) -> None:
    db.execute_sql("ALTER TABLE licence ADD COLUMN revoked_at BIGINT")
    db.execute_sql("UPDATE licence SET revoked_at = updated_at WHERE status = 'revoked'")
