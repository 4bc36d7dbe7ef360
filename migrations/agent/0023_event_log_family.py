"""An index on each event's record and kind family, so log compaction finds "a newer event of
this record" with one index seek per event.

The family is the kind up to its dot (``order.``, ``product.``, ``customer.``): an order's
upserts and its delete are one record. Compaction's first query could only use the ``key``
prefix of ``event_log_key`` and was quadratic in the versions a record has (a best-seller's
20,000 stock changes took three minutes, holding the write lock so webhooks failed). Every index
ends with the rowid, so ``key = ? AND family = ? AND seq > ?`` is a range seek here.

``connector_agent.eventlog`` repeats the expression exactly, or SQLite would not use the index.
"""

from __future__ import annotations

from typing import Any

FAMILY = "substr(kind, 1, instr(kind, '.'))"


def up(db: Any) -> None:
    db.execute(f"CREATE INDEX event_log_family ON event_log (key, {FAMILY})")
