"""The ``luxebrain-cloud`` command-line contract: names, flags and JSON shapes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cloud_api.cli import cli
from connector_agent.licence.token import parse_public_keys, verify


@pytest.fixture
def run(database_url: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        depth = 2 if args[0] in ("keys", "licence", "plan") else 1
        return runner.invoke(cli, [*args[:depth], "--database", database_url, *args[depth:]])

    return invoke


def test_migrate_is_idempotent(run) -> None:
    result = run("migrate", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"applied": []}


def test_issue_token_show_revoke_and_public_keys(run) -> None:
    assert run("keys", "create").exit_code == 0
    issued = run(
        "licence",
        "issue",
        "--tenant",
        "Acme",
        "--plan",
        "pro",
        "--stores",
        "2",
        "--days",
        "30",
        "--json",
    )
    assert issued.exit_code == 0, issued.output
    out = json.loads(issued.output)
    assert set(out) == {"licence_id", "key", "expires_at"}
    assert out["key"].startswith("lbk_")

    lid = str(out["licence_id"])
    minted = run("licence", "token", lid, "--store-url", "https://Shop.Example/", "--json")
    assert minted.exit_code == 0, minted.output
    token = json.loads(minted.output)
    assert set(token) == {"token", "expires_at"}
    assert token["expires_at"] == out["expires_at"]

    pem = run("keys", "public")
    assert pem.exit_code == 0 and pem.output.startswith("-----BEGIN PUBLIC KEY-----")
    claims = verify(
        token["token"], parse_public_keys(pem.output), now=0, store_url="https://shop.example"
    )
    assert claims["licence_id"] == out["licence_id"]

    shown = json.loads(run("licence", "show", lid).output)
    assert shown["status"] == "active" and shown["max_stores"] == 2
    assert [s["url"] for s in shown["stores"]] == ["https://shop.example"]
    assert shown["stores"][0]["offline"] is True

    assert run("licence", "revoke", lid).exit_code == 0
    assert json.loads(run("licence", "show", lid).output)["status"] == "revoked"
    again = run("licence", "revoke", lid)
    assert again.exit_code == 1 and "already revoked" in again.output


def test_operational_errors_are_one_line_exit_1(run) -> None:
    unknown_plan = run("licence", "issue", "--tenant", "A", "--plan", "gold", "--days", "3")
    assert unknown_plan.exit_code == 1
    assert unknown_plan.output.strip() == ("Error: no plan 'gold' (known: pro, pro-trial, starter)")
    no_key = run("licence", "token", "1", "--store-url", "https://x.example")
    assert no_key.exit_code == 1 and "Traceback" not in no_key.output
    bad_days = run("licence", "issue", "--tenant", "A", "--plan", "pro", "--days", "0")
    assert bad_days.exit_code == 1 and "days must be" in bad_days.output
    missing = run("licence", "show", "999")
    assert missing.exit_code == 1 and "no licence 999" in missing.output


def test_bad_database_url_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["migrate", "--database", "mysql://x"])
    assert result.exit_code == 2 and "unsupported database URL" in result.output


def test_rotate_keeps_old_keys_published_and_drop_removes_them(run) -> None:
    first = run("keys", "create").output.strip()
    second = run("keys", "rotate").stdout.strip()
    assert first != second
    assert len(parse_public_keys(run("keys", "public").output)) == 2
    assert run("keys", "drop", first).exit_code == 0
    assert list(parse_public_keys(run("keys", "public").output)) == [second]


def test_plan_create_and_list(run) -> None:
    made = run("plan", "create", "--name", "growth", "--feature", "forecasts", "--stores", "2")
    assert made.exit_code == 0, made.output
    names = [p["name"] for p in json.loads(run("plan", "list").output)]
    assert names == ["growth", "pro", "pro-trial", "starter"]
    bad = run("plan", "create", "--name", "x", "--feature", "telepathy")
    assert bad.exit_code == 1 and "unknown feature 'telepathy'" in bad.output


def test_cli_changes_are_audited_with_the_operator(run, database_url: str) -> None:
    from cloud_api.db import transaction
    from cloud_api.models import AuditEntry

    run("keys", "create")
    issued = json.loads(
        run(
            "licence", "issue", "--tenant", "Acme", "--plan", "pro", "--days", "30", "--json"
        ).stdout
    )
    run("licence", "revoke", str(issued["licence_id"]))
    with transaction():
        rows = [
            (e.action, e.actor.startswith("cli:"))
            for e in AuditEntry.select().order_by(AuditEntry.id)
        ]
    assert rows == [("tenant.create", True), ("licence.issue", True), ("licence.revoke", True)]


def test_serve_refuses_an_unmigrated_database_and_a_bad_bind(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    result = CliRunner().invoke(cli, ["serve", "--database", url, "--bind", "127.0.0.1:0"])
    assert result.exit_code == 1 and "run luxebrain-cloud migrate first" in result.output
    bad = CliRunner().invoke(cli, ["serve", "--database", url, "--bind", "nonsense"])
    assert bad.exit_code == 2 and "HOST:PORT" in bad.output
