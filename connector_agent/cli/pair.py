"""``pair``: redeem the one-time code the WordPress plugin shows after *Connect*."""

from __future__ import annotations

from pathlib import Path

import click

from connector_agent.cli._common import ConfigProblem, config_option, load_or_exit
from connector_agent.config import ConfigError, update_secrets, write_new_config
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
    default="./luxebrain-data",
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
    if not path.exists():
        try:
            write_new_config(path, store_url=site, data_dir=data_dir)
        except (ConfigError, OSError) as exc:
            raise ConfigProblem(f"{path}: cannot write a first config ({exc})") from None
    config = load_or_exit(config_path)
    try:
        secrets = redeem_code(site, code, agent_url or config.agent_url)
    except PairingError as exc:
        raise click.ClickException(exc.message) from None
    try:
        secrets_path = update_secrets(config_path, **secrets)
    except ConfigError as exc:
        raise ConfigProblem(exc.message) from None
    version = secrets["wc_version"] or "unknown"
    click.echo(
        f"paired with {secrets['store_url']} (WooCommerce {version}); "
        f"secrets in {secrets_path} (0600)",
        err=True,
    )


COMMANDS = [pair]
