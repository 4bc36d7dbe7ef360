"""``billing close`` and ``fallbacks publish`` on the command line: idempotent, one-line errors."""

from __future__ import annotations

from datetime import date

import orjson
from click.testing import CliRunner

from cloud_api import licences
from cloud_api.cli import cli
from cloud_api.commands.billing import last_month
from cloud_api.db import connect_db, transaction


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_closing_a_month_twice_gives_the_same_invoices(database_url: str) -> None:
    connect_db(database_url)
    with transaction():
        licences.issue(
            tenant="Acme",
            plan="starter",
            stores=1,
            days=3650,
            actor="t",
            now=1767225600,
            trial=False,
        )  # 2026-01-01
    first = invoke("billing", "close", "--period", "2026-01", "--database", database_url, "--json")
    again = invoke("billing", "close", "--period", "2026-01", "--database", database_url, "--json")
    assert first.exit_code == again.exit_code == 0
    one, two = orjson.loads(first.stdout), orjson.loads(again.stdout)
    assert (one["created"], two["created"]) == (1, 0)
    assert one["invoices"] == two["invoices"]
    assert [i["total_cents"] for i in one["invoices"]] == [2900]
    listed = invoke("billing", "invoices", "--database", database_url)
    assert [i["number"] for i in orjson.loads(listed.stdout)] == ["LB-2026-01-000001"]


def test_bad_input_is_one_line_and_exit_1(database_url: str) -> None:
    result = invoke("billing", "close", "--period", "2026-13", "--database", database_url)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: period must look like YYYY-MM (got '2026-13')"
    ]
    bad_k = invoke("fallbacks", "publish", "--k", "1", "--database", database_url)
    assert bad_k.exit_code == 1 and "k must be" in bad_k.stderr


def test_last_month() -> None:
    assert last_month(date(2026, 3, 2)) == "2026-02"
    assert last_month(date(2026, 1, 31)) == "2025-12"
