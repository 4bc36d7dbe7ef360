"""``api``: ask the running agent anything, signed with this agent's shared secret."""

from __future__ import annotations

import click
import orjson

from connector_agent.cli._common import ConfigProblem, config_option, load_or_exit
from connector_agent.errors import AgentUnreachable
from connector_agent.local_client import call_agent


@click.command("api")
@click.argument("method", type=click.Choice(["GET", "POST"], case_sensitive=False))
@click.argument("path")
@click.option("--data", default=None, help="JSON body for POST.")
@click.option("--url", default=None, help="Agent base URL (default http://<api.bind>).")
@config_option
def api(method: str, path: str, data: str | None, url: str | None, config_path: str) -> None:
    """Send a signed request to the running agent and print the JSON answer.

    Exits 1 when the agent answers with an error or cannot be reached.

    \b
    Example:
        luxebrain-agent api GET /v1/recommendations/popular?limit=5 --config agent.toml
        luxebrain-agent api GET /v1/status --config agent.toml
    """
    if not path.startswith("/"):
        raise ConfigProblem(f"PATH must start with / (got {path!r})")
    config = load_or_exit(config_path)
    try:
        body = orjson.loads(data) if data else None
    except orjson.JSONDecodeError as exc:
        raise ConfigProblem(f"--data: not valid JSON ({exc})") from None
    try:
        status, answer = call_agent(config, method, path, body, base_url=url)
    except AgentUnreachable as exc:
        raise click.ClickException(exc.message) from None
    if isinstance(answer, str):
        click.echo(answer)
    else:
        click.echo(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
    if status >= 400:
        raise click.ClickException(f"HTTP {status}")


COMMANDS = [api]
