"""One rule for a paid order, in two forms: ``events.is_paid`` (the models) and
``store.paid_order_sql`` (reports over the orders table) must say the same of every order."""

from __future__ import annotations

import sqlite3

import pytest

from connector_agent.store import paid_order_sql
from online_models.events import PAID_STATUSES, REVERSAL_STATUSES, UNPAID_STATUSES, is_paid

STATUSES = sorted(PAID_STATUSES | REVERSAL_STATUSES | UNPAID_STATUSES) + [
    "shipped",
    "delivered",
    "",
    None,
]
PAID_AT = [None, "", "2026-03-02T10:05:00Z"]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("paid_at", PAID_AT)
def test_the_models_and_the_reports_agree(status: str | None, paid_at: str | None) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE orders (status TEXT, paid_at TEXT)")
    conn.execute("INSERT INTO orders VALUES (?, ?)", [status, paid_at])
    (in_sql,) = conn.execute(f"SELECT COUNT(*) FROM orders AS o WHERE {paid_order_sql('o')}")
    assert bool(in_sql[0]) == is_paid(str(status or ""), paid_at)
