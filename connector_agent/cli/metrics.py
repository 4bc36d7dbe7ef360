"""``metrics-token``: the bearer token a Prometheus scraper sends for ``GET /metrics``."""

from __future__ import annotations

import click

from connector_agent.cli._common import ConfigProblem, config_option, load_or_exit
from connector_agent.config import ConfigError, new_secret, update_secrets


@click.command("metrics-token")
@config_option
@click.option(
    "--new", "rotate", is_flag=True, help="Replace the token (the old one stops working)."
)
def metrics_token(config_path: str, rotate: bool) -> None:
    """Print the token that lets a scraper read GET /metrics (made on first use, kept 0600).

    Every other route still needs the plugin's signature; the token opens only /metrics. A
    running agent takes a new token within a second (it rereads a changed secrets file).

    \b
    Example:
        luxebrain-agent metrics-token --config agent.toml
        # prometheus.yml: authorization: {credentials: <the token>}
    """
    config = load_or_exit(config_path)
    token = config.secrets.metrics_token
    if token and not rotate:
        click.echo(token)
        return
    token = new_secret()
    try:
        secrets_path = update_secrets(config_path, metrics_token=token)
    except ConfigError as exc:
        raise ConfigProblem(exc.message) from None
    click.echo(token)
    click.echo(f"metrics token saved in {secrets_path} (0600)", err=True)


COMMANDS = [metrics_token]
