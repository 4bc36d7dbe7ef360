"""``luxebrain-agent cloud sync``: one cloud round (usage, aggregates, fallback list).

``connector_agent.cli.cloud`` hands ``COMMANDS`` to ``luxebrain-agent``.
"""

from __future__ import annotations

import click
import orjson

from connector_agent.cli._common import config_option, load_or_exit, open_store
from connector_agent.cloud.sync import CloudSync
from connector_agent.licence import LicenceState
from luxebrain.clock import SystemClock


@click.group()
def cloud() -> None:
    """The vendor cloud beyond licences: usage reports and cross-store fallbacks.

    \b
    Example:
        luxebrain-agent cloud sync --config agent.toml --json
    """


@cloud.command()
@config_option
@click.option("--force", is_flag=True, help="Send aggregates even if sent within the day.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def sync(config_path: str, force: bool, as_json: bool) -> None:
    """Report usage, upload the day's aggregates and fetch the mapped fallback list.

    \b
    Example:
        luxebrain-agent cloud sync --config agent.toml --json
    """
    config = load_or_exit(config_path)
    clock = SystemClock()
    store = open_store(config)
    try:
        result = CloudSync(config, store, clock).run(LicenceState.load(config, clock), force=force)
    finally:
        store.close()
    if as_json:
        click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    else:
        for step, answer in result.items():
            click.echo(f"{step}: {answer}", err=True)
    if any(isinstance(a, dict) and "error" in a for a in result.values()):
        raise SystemExit(1)


COMMANDS = [cloud]
