"""``luxebrain-cloud``: a thin click shell over the cloud's library calls.

Every command takes ``--database URL`` (or ``DATABASE_URL``). Exit codes: 0 ok, 1 operational
error (one line, no traceback), 2 usage error.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
import orjson
import peewee

from cloud_api import activation, licences, plans, signing
from cloud_api.config import ENV_PREFIX
from cloud_api.db import connect_db, transaction
from cloud_api.errors import CloudError
from cloud_api.staff import accounts
from cloud_api.staff.roles import ROLES
from luxebrain.clock import SystemClock
from migrations import runner

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


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _now() -> int:
    return int(CLOCK.time())


def _passphrase() -> str:
    return os.environ.get(ENV_PREFIX + "KEY_PASSPHRASE", "")


def _echo_json(value: Any) -> None:
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
    try:
        db = connect_db(database_url, bind=False)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--database") from None
    try:
        with db.connection_context():
            ran = runner.apply(runner.PeeweeBackend(db), runner.discover("migrations.cloud"))
    except (runner.MigrationError, peewee.DatabaseError) as exc:
        raise click.ClickException(str(exc).strip().splitlines()[0]) from None
    if as_json:
        _echo_json({"applied": ran})
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

    os.environ["DATABASE_URL"] = database_url
    config = Config()
    config.bind = [bind]
    config.application_path = "cloud_api:create_app()"
    config.workers = 0 if workers == 1 else workers
    config.accesslog = None
    sys.exit(run(config))


@cli.group()
def keys() -> None:
    """Ed25519 signing keys for licence tokens.

    \b
    Example:
        luxebrain-cloud keys rotate --database sqlite:///cloud.sqlite
    """


@keys.command("create")
@database_option
def keys_create(database_url: str) -> None:
    """Create a signing key (the first one, or an extra current one); prints its kid.

    \b
    Example:
        LUXEBRAIN_CLOUD_KEY_PASSPHRASE=… luxebrain-cloud keys create --database sqlite:///c.sqlite
    """
    with opened(database_url):
        key = signing.create_key(_now(), _passphrase())
    click.echo(key.kid)


@keys.command("rotate")
@database_option
def keys_rotate(database_url: str) -> None:
    """Create a new current key and retire the others (their tokens verify until they expire).

    \b
    Example:
        luxebrain-cloud keys rotate --database sqlite:///cloud.sqlite
    """
    with opened(database_url):
        key, retired = signing.rotate(_now(), _passphrase())
    click.echo(key.kid)
    click.echo(f"retired: {', '.join(retired) or 'none'}", err=True)


@keys.command("drop")
@database_option
@click.argument("kid")
def keys_drop(database_url: str, kid: str) -> None:
    """Unpublish a key at once (after a leak): tokens it signed stop verifying.

    \b
    Example:
        luxebrain-cloud keys drop --database sqlite:///cloud.sqlite 3fA9_k2LxQe0ZbTn
    """
    with opened(database_url):
        signing.drop(kid)
    click.echo(f"dropped {kid}", err=True)


@keys.command("public")
@database_option
def keys_public(database_url: str) -> None:
    """Print the published public keys (PEM), current first.

    \b
    Example:
        luxebrain-cloud keys public --database sqlite:///cloud.sqlite > luxebrain-keys.pem
    """
    with opened(database_url):
        published = signing.public_keys()
    if not published:
        raise click.ClickException("no signing key: run `luxebrain-cloud keys create`")
    click.echo("".join(k.pem for k in published), nl=False)


@cli.group()
def plan() -> None:
    """Plans: paid features, default limits, trial length, price.

    \b
    Example:
        luxebrain-cloud plan list --database sqlite:///cloud.sqlite
    """


@plan.command("list")
@database_option
def plan_list(database_url: str) -> None:
    """Print every plan as JSON.

    \b
    Example:
        luxebrain-cloud plan list --database sqlite:///cloud.sqlite
    """
    with opened(database_url):
        rows = [plans.plan_json(p) for p in plans.Plan.select().order_by(plans.Plan.name)]
    _echo_json(rows)


@plan.command("create")
@database_option
@click.option("--name", required=True)
@click.option("--feature", "features", multiple=True, help="A paid feature (repeatable).")
@click.option("--stores", default=1, show_default=True, type=int)
@click.option("--staging", default=1, show_default=True, type=int)
@click.option("--trial-days", default=0, show_default=True, type=int)
@click.option("--price-cents", default=0, show_default=True, type=int)
@click.option("--currency", default="EUR", show_default=True)
def plan_create(
    database_url: str,
    name: str,
    features: tuple[str, ...],
    stores: int,
    staging: int,
    trial_days: int,
    price_cents: int,
    currency: str,
) -> None:
    """Create a plan.

    \b
    Example:
        luxebrain-cloud plan create --database sqlite:///c.sqlite --name growth \\
            --feature personalised --feature forecasts --stores 2 --price-cents 4900
    """
    with opened(database_url):
        row = plans.create_plan(
            name,
            list(features),
            stores=stores,
            staging=staging,
            trial_days=trial_days,
            price_cents=price_cents,
            currency=currency,
            now=_now(),
        )
        _echo_json(plans.plan_json(row))


@cli.group()
def licence() -> None:
    """Issue, inspect and revoke licences; mint offline tokens.

    \b
    Example:
        luxebrain-cloud licence issue --database sqlite:///c.sqlite --tenant "Acme" --plan pro \\
            --stores 1 --days 365 --json
    """


@licence.command("issue")
@database_option
@click.option("--tenant", required=True, help="Tenant name (created when new).")
@click.option("--plan", "plan_name", required=True)
@click.option("--stores", type=int, default=None, help="Store limit (default: the plan's).")
@click.option("--days", type=int, required=True, help="Days until the licence expires.")
@click.option("--no-trial", is_flag=True, help="Skip the plan's trial (a paid licence).")
@json_option
def licence_issue(
    database_url: str,
    tenant: str,
    plan_name: str,
    stores: int | None,
    days: int,
    no_trial: bool,
    as_json: bool,
) -> None:
    """Issue a licence; prints {"licence_id", "key", "expires_at"}. The key is shown only once.

    \b
    Example:
        luxebrain-cloud licence issue --database sqlite:///c.sqlite --tenant Acme --plan pro \\
            --stores 2 --days 365 --json
    """
    with opened(database_url):
        if stores is None:
            stores = int(plans.get_plan(plan_name).limits.get("stores", 1))
        row, key = licences.issue(
            tenant=tenant,
            plan=plan_name,
            stores=stores,
            days=days,
            actor=_actor(),
            now=_now(),
            trial=not no_trial,
        )
        out = {
            "licence_id": row.id,
            "key": key,
            "expires_at": licences.licence_json(row, _now())["expires_at"],
        }
    if as_json:
        _echo_json(out)
    else:
        click.echo(f"licence {out['licence_id']} key {key} expires {out['expires_at']}")


@licence.command("show")
@database_option
@click.argument("licence_id", type=int)
def licence_show(database_url: str, licence_id: int) -> None:
    """Print a licence and its stores as JSON.

    \b
    Example:
        luxebrain-cloud licence show --database sqlite:///c.sqlite 12
    """
    with opened(database_url):
        row = licences.get(licence_id)
        out = licences.licence_json(row, _now())
        out["stores"] = [activation.store_json(s) for s in licences.active_stores(row)]
    _echo_json(out)


@licence.command("revoke")
@database_option
@click.argument("licence_id", type=int)
def licence_revoke(database_url: str, licence_id: int) -> None:
    """Revoke a licence: every store degrades to free features at its next check-in.

    \b
    Example:
        luxebrain-cloud licence revoke --database sqlite:///c.sqlite 12
    """
    with opened(database_url):
        licences.revoke(licences.get(licence_id), actor=_actor(), now=_now())
    click.echo(f"revoked licence {licence_id}", err=True)


@licence.command("token")
@database_option
@click.argument("licence_id", type=int)
@click.option("--store-url", required=True, help="The shop's site URL.")
@json_option
def licence_token(database_url: str, licence_id: int, store_url: str, as_json: bool) -> None:
    """Mint an offline token for a store (it takes one of the licence's store slots).

    \b
    Example:
        luxebrain-cloud licence token --database sqlite:///c.sqlite 12 \\
            --store-url https://shop.example --json
    """
    with opened(database_url):
        signer = signing.current_signer(_passphrase())
        out = activation.offline_token(
            licences.get(licence_id), store_url, signer=signer, actor=_actor(), now=_now()
        )
    if as_json:
        _echo_json(out)
    else:
        click.echo(out["token"])


@cli.group()
def staff() -> None:
    """Staff accounts for the console and the staff API.

    \b
    Example:
        luxebrain-cloud staff create --database sqlite:///c.sqlite --email ana@vendor.example \\
            --role owner --json
    """


@staff.command("create")
@database_option
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="LUXEBRAIN_CLOUD_STAFF_PASSWORD",
    help="At least 12 characters (prompted when omitted).",
)
@click.option(
    "--totp",
    "enrol_totp",
    is_flag=True,
    help="Enrol two-factor even for support/read-only (always on for owner/admin).",
)
@json_option
def staff_create(
    database_url: str, email: str, role: str, password: str, enrol_totp: bool, as_json: bool
) -> None:
    """Create an active staff account; prints the TOTP secret and recovery codes once.

    \b
    Example:
        luxebrain-cloud staff create --database sqlite:///c.sqlite --email ana@vendor.example \\
            --role owner --json
    """
    with opened(database_url):
        row, shown = accounts.create(
            email, role, password, actor=_actor(), now=_now(), enrol_totp=enrol_totp
        )
        out = {**accounts.staff_json(row), **shown}
    if as_json:
        _echo_json(out)
    else:
        click.echo(f"staff {out['id']} {out['email']} ({out['role']})")
        if shown:
            click.echo(f"TOTP: {shown['otpauth_uri']}")
            click.echo(f"recovery codes: {' '.join(shown['recovery_codes'])}")


def main() -> None:
    """Console-script entry point."""
    cli.main(standalone_mode=True)


if __name__ == "__main__":
    main()
