"""``luxebrain-agent``: a thin click shell over the agent's library calls.

Each module of this package exposes ``COMMANDS`` (click commands or groups); they are discovered
here so that adding a command area never edits a shared file. Shared options and helpers are in
``_common``. Exit codes: 0 ok, 1 operational error (``click.ClickException``), 2 usage or config
error (``ConfigProblem``).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from connector_agent.cli._common import ConfigProblem, config_option, load_or_exit, open_store

__all__ = ["ConfigProblem", "cli", "config_option", "load_or_exit", "main", "open_store"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="luxebrain")
def cli() -> None:
    """LuxeBrain agent: syncs a WooCommerce shop, learns online, serves recommendations locally.

    \b
    Example:
        luxebrain-agent init --store-url https://shop.example --consumer-key ck_... \\
            --consumer-secret cs_... --data-dir ./data --config agent.toml
        luxebrain-agent sync --config agent.toml
        luxebrain-agent run --config agent.toml
    """


def _register() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(standalone_mode=True))
