"""``pair``: redeem the one-time code the WordPress plugin shows after *Connect*."""

from __future__ import annotations

from pathlib import Path

import click

from connector_agent.cli._common import ConfigProblem, config_option, load_or_exit
from connector_agent.config import (
    DEFAULT_DATA_DIR,
    AgentConfig,
    ConfigError,
    render_new_config,
    update_secrets,
    write_new_config,
)
from connector_agent.config_checks import optional_url
from wp_plugin_bridge.pairing import PairingError, redeem_code


@click.command()
@config_option
@click.option("--site", required=True, help="The shop's WordPress URL.")
@click.option("--code", required=True, help="The one-time code from WooCommerce > LuxeBrain.")
@click.option(
    "--agent-url",
    default=None,
    help="URL at which WordPress reaches this agent (default: api.public_url, else http://<bind>).",
)
@click.option(
    "--data-dir",
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="Store directory, used only when --config does not exist yet.",
)
def pair(config_path: str, site: str, code: str, agent_url: str | None, data_dir: str) -> None:
    """Pair this agent with the shop: fetch REST keys and secrets, store them 0600.

    Writes a first agent.toml when --config does not exist yet, so a new shop needs only this
    command and ``run``. The code works once and expires 15 minutes after Connect; pairing
    again (with a new code) replaces the keys, webhooks and secrets.

    \b
    Example:
        luxebrain-agent pair --config agent.toml --site https://shop.example --code abc123
    """
    path = Path(config_path)
    site = _checked_site(site)
    first = not path.exists()
    config = _first_config(path, site, data_dir) if first else load_or_exit(config_path)
    try:
        secrets = redeem_code(site, code, agent_url or config.agent_url)
    except PairingError as exc:
        raise click.ClickException(exc.message) from None
    try:
        if first:
            write_new_config(path, store_url=site, data_dir=data_dir, secrets=secrets)
        else:
            update_secrets(path, **secrets)
    except ConfigError as exc:
        raise ConfigProblem(exc.message) from None
    version = secrets["wc_version"] or "unknown"
    click.echo(
        f"paired with {secrets['store_url']} (WooCommerce {version}); "
        f"secrets in {config.secrets_path} (0600)",
        err=True,
    )


def _checked_site(site: str) -> str:
    """The --site URL, checked before anything is written or sent."""
    try:
        checked = optional_url(site)
    except ValueError as exc:
        raise ConfigProblem(f"--site: {exc}") from None
    if not checked:
        raise ConfigProblem("--site: must not be empty")
    return checked


def _first_config(path: Path, site: str, data_dir: str) -> AgentConfig:
    """The config a first pairing will write, checked now: it is written only once the code
    is redeemed, so a failed pair leaves no agent.toml behind."""
    try:
        return render_new_config(path, store_url=site, data_dir=data_dir)[1]
    except ConfigError as exc:
        raise ConfigProblem(exc.message) from None


COMMANDS = [pair]
