"""``luxebrain-cloud billing …`` and ``luxebrain-cloud fallbacks …``: the monthly close and the
k-anonymous publication, run by hand or from cron (see ``docs/cloud/billing.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import click

from cloud_api import billing as billing_service
from cloud_api import fallbacks as fallback_service
from cloud_api.commands.options import actor, database_option, echo_json, now, opened


def _run(database_url: str, work: Callable[[int, str], Any]) -> Any:
    """``work(now, actor)`` in one transaction, failures as one-line errors."""
    with opened(database_url):
        return work(now(), actor())


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
@database_option
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
        echo_json(result)
    click.echo(
        f"{result['period']}: {result['created']} invoice(s) created, "
        f"{len(result['invoices'])} in total (closed {result['closed_at']})",
        err=True,
    )


@billing.command()
@database_option
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
    echo_json(rows)


@click.group()
def fallbacks() -> None:
    """Cross-store popular-item lists (k-anonymous).

    \b
    Example:
        luxebrain-cloud fallbacks publish --k 3 --database sqlite:///cloud.sqlite
    """


@fallbacks.command()
@database_option
@click.option("--k", default=fallback_service.DEFAULT_K, show_default=True, type=int)
def publish(database_url: str, k: int) -> None:
    """Rebuild every vertical's list; an item needs at least K tenants (distinct owners).

    \b
    Example:
        luxebrain-cloud fallbacks publish --k 3 --database sqlite:///cloud.sqlite
    """
    result = _run(
        database_url, lambda now, actor: fallback_service.publish(k=k, now=now, actor=actor)
    )
    click.echo(f"published {result['published']} item(s) with k={result['k']}", err=True)


@fallbacks.command()
@database_option
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
