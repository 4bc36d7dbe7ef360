"""``luxebrain-cloud billing …`` and ``luxebrain-cloud fallbacks …``: the monthly close and the
k-anonymous publication, run by hand or from cron (see ``docs/cloud/billing.md``).

Until these groups are attached to ``luxebrain-cloud`` they also run as
``python -m cloud_api.cli_billing billing close --period 2026-01 --database URL``.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import click
import orjson

from cloud_api import billing as billing_service
from cloud_api import fallbacks as fallback_service
from luxebrain.clock import SystemClock

F = TypeVar("F", bound=Callable[..., Any])
CLOCK = SystemClock()


def _database(func: F) -> F:
    return click.option(
        "--database",
        "database_url",
        envvar="DATABASE_URL",
        required=True,
        metavar="URL",
        help="sqlite:///path or postgresql://user@host/db (default $DATABASE_URL).",
    )(func)


def _run(database_url: str, work: Callable[[int, str], Any]) -> Any:
    """``work(now, actor)`` in one transaction, errors as one line (``cloud_api.cli.opened``)."""
    from cloud_api.cli import opened

    with opened(database_url):
        return work(int(CLOCK.time()), f"cli:{getpass.getuser()}")


def _echo(value: Any) -> None:
    click.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())


def last_month(now: date) -> str:
    """``2026-03-02`` -> ``"2026-02"``."""
    return (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


@click.group()
def billing() -> None:
    """Monthly invoices from metered usage.

    \b
    Example:
        luxebrain-cloud billing close --period 2026-01 --database sqlite:///cloud.sqlite
    """


@billing.command()
@_database
@click.option("--period", default=None, metavar="YYYY-MM", help="Default: last month (UTC).")
@click.option("--json", "as_json", is_flag=True, help="Print the invoices as JSON.")
def close(database_url: str, period: str | None, as_json: bool) -> None:
    """Close a month: one invoice per tenant. Running it again changes nothing.

    \b
    Example:
        luxebrain-cloud billing close --period 2026-01 --database sqlite:///cloud.sqlite --json
    """
    month = period or last_month(datetime.now(UTC))
    result = _run(
        database_url, lambda now, actor: billing_service.close(month, actor=actor, now=now)
    )
    if as_json:
        _echo(result)
    click.echo(
        f"{result['period']}: {result['created']} invoice(s) created, "
        f"{len(result['invoices'])} in total (closed {result['closed_at']})",
        err=True,
    )


@billing.command()
@_database
@click.option("--tenant-id", type=int, default=None)
@click.option("--period", default=None, metavar="YYYY-MM")
def invoices(database_url: str, tenant_id: int | None, period: str | None) -> None:
    """Print invoices with their lines as JSON, newest month first.

    \b
    Example:
        luxebrain-cloud billing invoices --tenant-id 3 --database sqlite:///cloud.sqlite
    """
    rows = _run(
        database_url,
        lambda now, actor: [
            billing_service.invoice_json(i)
            for i in billing_service.invoices(tenant_id=tenant_id, period=period)
        ],
    )
    _echo(rows)


@click.group()
def fallbacks() -> None:
    """Cross-store popular-item lists (k-anonymous).

    \b
    Example:
        luxebrain-cloud fallbacks publish --k 3 --database sqlite:///cloud.sqlite
    """


@fallbacks.command()
@_database
@click.option("--k", default=fallback_service.DEFAULT_K, show_default=True, type=int)
def publish(database_url: str, k: int) -> None:
    """Rebuild every vertical's list; an item needs at least K stores.

    \b
    Example:
        luxebrain-cloud fallbacks publish --k 3 --database sqlite:///cloud.sqlite
    """
    result = _run(database_url, lambda now, actor: fallback_service.publish(k=k, now=now))
    click.echo(f"published {result['published']} item(s) with k={result['k']}", err=True)


@fallbacks.command()
@_database
@click.argument("tenant_id", type=int)
@click.argument("vertical")
def vertical(database_url: str, tenant_id: int, vertical: str) -> None:
    """Declare a tenant's shop category (its stores count in that vertical's lists).

    \b
    Example:
        luxebrain-cloud fallbacks vertical 3 garden --database sqlite:///cloud.sqlite
    """
    _run(
        database_url,
        lambda now, actor: fallback_service.set_vertical(tenant_id, vertical, actor=actor, now=now),
    )
    click.echo(f"tenant {tenant_id}: vertical {vertical}", err=True)


COMMANDS = [billing, fallbacks]


@click.group()
def main() -> None:
    """Part 2's commands, standalone."""


for _command in COMMANDS:
    main.add_command(_command)

if __name__ == "__main__":
    main()
