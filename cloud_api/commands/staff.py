"""``luxebrain-cloud staff …``: staff accounts."""

from __future__ import annotations

import click

from cloud_api.commands.options import (
    actor,
    database_option,
    echo_json,
    json_option,
    now,
    opened,
)
from cloud_api.staff import accounts
from cloud_api.staff.roles import ROLES


@click.group()
def staff() -> None:
    """Staff accounts for the console and the staff API.

    \b
    Example:
        luxebrain-cloud staff create --database sqlite:///c.sqlite --email ana@vendor.example \\
            --role owner --json
    """


@staff.command("create")
@database_option
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="LUXEBRAIN_CLOUD_STAFF_PASSWORD",
    help="At least 12 characters (prompted when omitted).",
)
@click.option(
    "--totp",
    "enrol_totp",
    is_flag=True,
    help="Enrol two-factor even for support/read-only (always on for owner/admin).",
)
@json_option
def staff_create(
    database_url: str, email: str, role: str, password: str, enrol_totp: bool, as_json: bool
) -> None:
    """Create an active staff account; prints the TOTP secret and recovery codes once.

    \b
    Example:
        luxebrain-cloud staff create --database sqlite:///c.sqlite --email ana@vendor.example \\
            --role owner --json
    """
    with opened(database_url):
        row, shown = accounts.create(
            email, role, password, actor=actor(), now=now(), enrol_totp=enrol_totp
        )
        out = {**accounts.staff_json(row), **shown}
    if as_json:
        echo_json(out)
    else:
        click.echo(f"staff {out['id']} {out['email']} ({out['role']})")
        if shown:
            click.echo(f"TOTP: {shown['otpauth_uri']}")
            click.echo(f"recovery codes: {' '.join(shown['recovery_codes'])}")


COMMANDS = [staff]
