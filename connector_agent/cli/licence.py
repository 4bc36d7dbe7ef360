"""``luxebrain-agent licence …``: store the key, verify tokens offline, show the state, check in."""

from __future__ import annotations

import json
from typing import Any

import click
import requests

from connector_agent.cli import config_option
from connector_agent.cli._common import ConfigProblem, load_or_exit
from luxebrain.clock import SystemClock


@click.group("licence")
def licence() -> None:
    """The shop's licence: key, token, features.

    \b
    Example:
        luxebrain-agent licence set lbk_… --config agent.toml
        luxebrain-agent licence checkin --config agent.toml
        luxebrain-agent licence status --config agent.toml --json
    """


@licence.command("set")
@click.argument("key")
@config_option
def set_key(key: str, config_path: str) -> None:
    """Store the licence key (0600 secrets file); the next check-in activates this shop.

    \b
    Example:
        luxebrain-agent licence set lbk_Xy12… --config agent.toml
    """
    from connector_agent.config import ConfigError, update_secrets

    if not key.startswith("lbk_") or len(key) < 20 or any(c.isspace() for c in key):
        raise click.BadParameter(
            "not a LuxeBrain licence key (they start with lbk_)", param_hint="KEY"
        )
    try:
        path = update_secrets(config_path, licence_key=key)
    except ConfigError as exc:
        raise ConfigProblem(exc.message) from None
    click.echo(f"licence key stored in {path}", err=True)


@licence.command("verify")
@click.argument("token")
@click.option(
    "--public-key",
    "public_key",
    required=True,
    metavar="PATH_OR_URL",
    help="PEM file, or the cloud's /.well-known/luxebrain-keys.json URL.",
)
@click.option("--store-url", default=None, help="Also require the token to be for this store.")
@click.option("--json", "as_json", is_flag=True, help="Print the claims as JSON.")
def verify_token(token: str, public_key: str, store_url: str | None, as_json: bool) -> None:
    """Verify a token offline; print its claims, or exit 1 with the reason.

    \b
    Example:
        luxebrain-agent licence verify eyJ… --public-key luxebrain-keys.pem --json
    """
    from connector_agent.licence.token import (
        TokenInvalid,
        fetch_public_keys,
        parse_public_keys,
        verify,
    )

    try:
        keys = parse_public_keys(fetch_public_keys(public_key))
        claims = verify(token, keys, now=SystemClock().time(), store_url=store_url)
    except TokenInvalid as exc:
        raise click.ClickException(f"invalid token: {exc.message}") from None
    except (OSError, requests.RequestException) as exc:
        raise click.ClickException(f"cannot read public key {public_key}: {exc}") from None
    if as_json:
        click.echo(json.dumps(claims, indent=2, sort_keys=True))
    else:
        click.echo(
            f"valid: licence {claims.get('licence_id')} plan {claims.get('plan')} "
            f"for {claims.get('store_url')}"
        )


@licence.command("status")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the state as JSON.")
def status(config_path: str, as_json: bool) -> None:
    """Show the licence state and the features it unlocks (offline).

    \b
    Example:
        luxebrain-agent licence status --config agent.toml --json
    """
    from connector_agent.licence import LicenceState

    state = LicenceState.load(load_or_exit(config_path), SystemClock())
    _show(state.to_json(), as_json)


@licence.command("install")
@click.argument("token")
@config_option
def install(token: str, config_path: str) -> None:
    """Install an offline token from the vendor (for a shop that cannot reach the cloud).

    \b
    Example:
        luxebrain-agent licence install eyJ… --config agent.toml
    """
    from connector_agent.licence.state import install_token
    from connector_agent.licence.token import TokenInvalid

    try:
        state = install_token(load_or_exit(config_path), token, SystemClock())
    except TokenInvalid as exc:
        raise click.ClickException(f"invalid token: {exc.message}") from None
    _show(state.to_json(), False)


@licence.command("checkin")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the resulting state as JSON.")
def checkin_command(config_path: str, as_json: bool) -> None:
    """Check in with the cloud now (activates this shop if needed).

    \b
    Example:
        luxebrain-agent licence checkin --config agent.toml
    """
    from connector_agent.licence import checkin

    state = checkin(load_or_exit(config_path), SystemClock())
    _show(state.to_json(), as_json)


def _show(state: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(state, indent=2, sort_keys=True))
        return
    line = f"{state['status']}: {', '.join(state['features'])}"
    if state["trial_days_left"] is not None:
        line += f" ({state['trial_days_left']} trial day(s) left)"
    if state["reason"]:
        line += f" — {state['reason']}"
    click.echo(line)


COMMANDS = [licence]
