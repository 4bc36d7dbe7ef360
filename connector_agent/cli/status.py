"""``status``, ``erase-customer`` and ``erase-guest``: reading and correcting the local store."""

from __future__ import annotations

import click
import orjson

from connector_agent.cli._common import config_option, load_or_exit, open_store
from connector_agent.eventlog import EventLog
from connector_agent.guests import key_for_email
from connector_agent.status import agent_status


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def status(config_path: str, as_json: bool) -> None:
    """Counts of products, customers and orders, event and applied seq, last sync per resource.

    \b
    Example:
        luxebrain-agent status --config agent.toml --json
    """
    config = load_or_exit(config_path)
    store = open_store(config)
    try:
        report = agent_status(store)
    finally:
        store.close()
    if as_json:
        click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
        return
    counts = report["counts"]
    click.echo(
        f"products {counts['products']}, customers {counts['customers']}, "
        f"orders {counts['orders']}; events {report['event_seq']}, "
        f"applied {report['applied_seq']}"
    )
    for resource, at in report["last_sync"].items():
        click.echo(f"last sync {resource}: {at or 'never'}")
    for resource, error in report["errors"].items():
        click.echo(f"error {resource} at {error['at']}: {error['message']}")


@click.command("erase-customer")
@click.argument("customer_id")
@config_option
def erase_customer(customer_id: str, config_path: str) -> None:
    """Remove a customer's personal data, redact their events and tell the models to forget them.

    \b
    Example:
        luxebrain-agent erase-customer 42 --config agent.toml
    """
    if not customer_id.strip():
        raise click.BadParameter("must not be empty", param_hint="CUSTOMER_ID")
    config = load_or_exit(config_path)
    store = open_store(config)
    try:
        result = EventLog(store).erase_customer(customer_id.strip())
    finally:
        store.close()
    click.echo(
        f"erased customer {customer_id}: {result['orders']} orders unlinked, "
        f"{result['events_redacted']} events redacted",
        err=True,
    )


@click.command("erase-guest")
@click.option("--email", required=True, help="The guest's billing email.")
@config_option
def erase_guest(email: str, config_path: str) -> None:
    """Unlink a guest's orders (a checkout without an account, found by billing email) for good.

    \b
    Example:
        luxebrain-agent erase-guest --email ann@example.com --config agent.toml
    """
    try:
        key = key_for_email(email)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--email") from None
    config = load_or_exit(config_path)
    store = open_store(config)
    try:
        result = EventLog(store).erase_guest(key)
    finally:
        store.close()
    click.echo(
        f"erased guest: {result['orders']} orders unlinked, "
        f"{result['events_redacted']} events redacted",
        err=True,
    )


COMMANDS = [status, erase_customer, erase_guest]
