"""What every ``luxebrain-cloud`` command shares: ``--database``, ``--json``, one transaction
with one-line errors, the operator's name for the audit log, the clock."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
import orjson
import peewee

from cloud_api.config import ENV_PREFIX
from cloud_api.db import connect_db, transaction
from cloud_api.errors import CloudError
from luxebrain.clock import SystemClock

F = TypeVar("F", bound=Callable[..., Any])
CLOCK = SystemClock()


def database_option(func: F) -> F:
    return click.option(
        "--database",
        "database_url",
        envvar="DATABASE_URL",
        required=True,
        metavar="URL",
        help="sqlite:///path or postgresql://user@host/db (default $DATABASE_URL).",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")(func)


def actor() -> str:
    return f"cli:{getpass.getuser()}"


def now() -> int:
    return int(CLOCK.time())


def passphrase() -> str:
    return os.environ.get(ENV_PREFIX + "KEY_PASSPHRASE", "")


def echo_json(value: Any) -> None:
    click.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())


@contextmanager
def opened(database_url: str) -> Iterator[None]:
    """Connect, run the body in one transaction, and turn failures into one-line errors."""
    try:
        connect_db(database_url)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--database") from None
    try:
        with transaction():
            yield
    except CloudError as exc:
        raise click.ClickException(exc.message) from None
    except peewee.DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise click.ClickException(
            f"database error: {first} (is the database migrated? luxebrain-cloud migrate)"
        ) from None
