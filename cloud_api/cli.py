"""``luxebrain-cloud``: a thin click shell over the cloud's library calls.

Every command takes ``--database URL`` (or ``DATABASE_URL``). Exit codes: 0 ok, 1 operational
error (one line, no traceback), 2 usage error. Command groups live in ``cloud_api.commands``
(one module per area, each exposing ``COMMANDS``), so adding an area edits no shared file.
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import sys

import click
import peewee

from cloud_api import commands
from cloud_api.commands.options import database_option, echo_json, json_option
from cloud_api.db import connect_db
from luxebrain.digits import is_digits
from migrations import runner


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="luxebrain")
def cli() -> None:
    """LuxeBrain vendor cloud: tenants, stores, licences, signing keys and staff.

    \b
    Example:
        luxebrain-cloud migrate --database sqlite:///cloud.sqlite
        luxebrain-cloud keys create --database sqlite:///cloud.sqlite
        luxebrain-cloud serve --database sqlite:///cloud.sqlite --bind 127.0.0.1:8080
    """


@cli.command()
@database_option
@json_option
def migrate(database_url: str, as_json: bool) -> None:
    """Apply the pending migrations in migrations/cloud/.

    \b
    Example:
        luxebrain-cloud migrate --database postgresql://postgres@127.0.0.1/luxebrain
    """
    db = _database(database_url)
    try:
        with db.connection_context():
            ran = runner.apply(runner.PeeweeBackend(db), runner.discover("migrations.cloud"))
    except (runner.MigrationError, peewee.DatabaseError) as exc:
        raise click.ClickException(str(exc).strip().splitlines()[0]) from None
    if as_json:
        echo_json({"applied": ran})
    else:
        click.echo(
            f"applied {len(ran)} migration(s)" + (f": {', '.join(ran)}" if ran else ""), err=True
        )


@cli.command()
@database_option
@click.option("--bind", default="127.0.0.1:8080", show_default=True, metavar="HOST:PORT")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (each with its own connection pool).",
)
def serve(database_url: str, bind: str, workers: int) -> None:
    """Serve the cloud with Hypercorn.

    \b
    Example:
        luxebrain-cloud serve --database postgresql://postgres@db/luxebrain --bind 0.0.0.0:8080 \\
            --workers 4
    """
    from hypercorn.config import Config
    from hypercorn.run import run

    host, _, port = bind.rpartition(":")
    if not host or not is_digits(port):
        raise click.BadParameter("must look like HOST:PORT", param_hint="--bind")
    pending = _pending_migrations(database_url)
    if pending:
        raise click.ClickException(
            f"the database needs {len(pending)} migration(s) ({pending[0]}, …): "
            "run luxebrain-cloud migrate first"
        )
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("LUXEBRAIN_CLOUD_JSON_LOGS", "1")  # workers inherit it
    config = Config()
    config.bind = [bind]
    config.application_path = "cloud_api:create_app()"
    config.workers = 0 if workers == 1 else workers
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")  # through the JSON handler
    sys.exit(run(config))


def _database(database_url: str) -> peewee.Database:
    """The database of ``--database`` (not bound to the models); a bad URL is a usage error."""
    try:
        return connect_db(database_url, bind=False)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--database") from None


def _pending_migrations(database_url: str) -> list[str]:
    db = _database(database_url)
    try:
        with db.connection_context():
            state = runner.status(runner.PeeweeBackend(db), runner.discover("migrations.cloud"))
    except peewee.DatabaseError as exc:
        raise click.ClickException(f"database error: {str(exc).strip().splitlines()[0]}") from None
    finally:
        if hasattr(db, "close_all"):
            db.close_all()
    return list(state["pending"])


def _register() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    cli.main(standalone_mode=True)


if __name__ == "__main__":
    main()
