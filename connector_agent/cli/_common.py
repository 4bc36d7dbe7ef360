"""Options and helpers shared by the agent's command modules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from connector_agent.config import AgentConfig
    from connector_agent.store import Store

F = TypeVar("F", bound=Callable[..., Any])


class ConfigProblem(click.ClickException):
    """A usage or configuration error: one line, exit code 2."""

    exit_code = 2


def config_option(func: F) -> F:
    """The ``--config PATH`` option every agent command takes."""
    return click.option(
        "--config",
        "config_path",
        default="agent.toml",
        show_default=True,
        type=click.Path(dir_okay=False),
        help="Path of agent.toml.",
    )(func)


def refuse_overwrite(path: Path, force: bool) -> None:
    """Stop unless ``path`` is new or --force was given: an agent.toml may be a shop's only
    record of its settings."""
    if path.exists() and not force:
        raise click.ClickException(f"{path}: already exists (use --force to overwrite)")


def load_or_exit(config_path: str) -> AgentConfig:
    """Load the config, turning a ConfigError into a one-line exit 2."""
    from connector_agent.config import ConfigError, load_config

    try:
        return load_config(config_path)
    except ConfigError as exc:
        raise ConfigProblem(exc.message) from None


def open_store(config: AgentConfig) -> Store:
    """Open the configured store (migrating it), turning store errors into exit 1."""
    from connector_agent.errors import StoreError
    from connector_agent.store import Store

    try:
        return Store.open(config.database_path)
    except StoreError as exc:
        raise click.ClickException(exc.message) from None
