"""``luxebrain-cloud licence …``: issue, show, revoke; offline tokens."""

from __future__ import annotations

import click

from cloud_api import activation, licences, plans, signing
from cloud_api.commands.options import (
    actor,
    database_option,
    echo_json,
    json_option,
    now,
    opened,
    passphrase,
)


@click.group()
def licence() -> None:
    """Issue, inspect and revoke licences; mint offline tokens.

    \b
    Example:
        luxebrain-cloud licence issue --database sqlite:///c.sqlite --tenant "Acme" --plan pro \\
            --stores 1 --days 365 --json
    """


@licence.command("issue")
@database_option
@click.option("--tenant", required=True, help="Tenant name (created when new).")
@click.option("--plan", "plan_name", required=True)
@click.option("--stores", type=int, default=None, help="Store limit (default: the plan's).")
@click.option("--days", type=int, required=True, help="Days until the licence expires.")
@click.option("--no-trial", is_flag=True, help="Skip the plan's trial (a paid licence).")
@json_option
def licence_issue(
    database_url: str,
    tenant: str,
    plan_name: str,
    stores: int | None,
    days: int,
    no_trial: bool,
    as_json: bool,
) -> None:
    """Issue a licence; prints {"licence_id", "key", "expires_at"}. The key is shown only once.

    \b
    Example:
        luxebrain-cloud licence issue --database sqlite:///c.sqlite --tenant Acme --plan pro \\
            --stores 2 --days 365 --json
    """
    with opened(database_url):
        if stores is None:
            stores = int(plans.get_plan(plan_name).limits.get("stores", 1))
        row, key = licences.issue(
            tenant=tenant,
            plan=plan_name,
            stores=stores,
            days=days,
            actor=actor(),
            now=now(),
            trial=not no_trial,
        )
        out = {
            "licence_id": row.id,
            "key": key,
            "expires_at": licences.licence_json(row, now())["expires_at"],
        }
    if as_json:
        echo_json(out)
    else:
        click.echo(f"licence {out['licence_id']} key {key} expires {out['expires_at']}")


@licence.command("show")
@database_option
@click.argument("licence_id", type=int)
def licence_show(database_url: str, licence_id: int) -> None:
    """Print a licence and its stores as JSON.

    \b
    Example:
        luxebrain-cloud licence show --database sqlite:///c.sqlite 12
    """
    with opened(database_url):
        row = licences.get(licence_id)
        out = licences.licence_json(row, now())
        out["stores"] = [activation.store_json(s) for s in licences.active_stores(row)]
    echo_json(out)


@licence.command("revoke")
@database_option
@click.argument("licence_id", type=int)
def licence_revoke(database_url: str, licence_id: int) -> None:
    """Revoke a licence: every store degrades to free features at its next check-in.

    \b
    Example:
        luxebrain-cloud licence revoke --database sqlite:///c.sqlite 12
    """
    with opened(database_url):
        licences.revoke(licences.get(licence_id), actor=actor(), now=now())
    click.echo(f"revoked licence {licence_id}", err=True)


@licence.command("token")
@database_option
@click.argument("licence_id", type=int)
@click.option("--store-url", required=True, help="The shop's site URL.")
@json_option
def licence_token(database_url: str, licence_id: int, store_url: str, as_json: bool) -> None:
    """Mint an offline token for a store (it takes one of the licence's store slots).

    \b
    Example:
        luxebrain-cloud licence token --database sqlite:///c.sqlite 12 \\
            --store-url https://shop.example --json
    """
    with opened(database_url):
        signer = signing.current_signer(passphrase())
        out = activation.offline_token(
            licences.get(licence_id), store_url, signer=signer, actor=actor(), now=now()
        )
    if as_json:
        echo_json(out)
    else:
        click.echo(out["token"])


COMMANDS = [licence]
