"""``luxebrain-cloud keys …``: create, rotate, drop and publish signing keys."""

from __future__ import annotations

import click

from cloud_api import signing
from cloud_api.commands.options import (
    database_option,
    now,
    opened,
    passphrase,
)


@click.group()
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
        key = signing.create_key(now(), passphrase())
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
        key, retired = signing.rotate(now(), passphrase())
    click.echo(key.kid)
    click.echo(f"retired: {', '.join(retired) or 'none'}", err=True)


@keys.command("drop")
@database_option
@click.argument("kid")
def keys_drop(database_url: str, kid: str) -> None:
    """Unpublish a key at once (after a leak): tokens it signed stop verifying.

    \b
    Example:
        luxebrain-cloud keys drop --database sqlite:///cloud.sqlite 3fa94c0e1b2d7a55
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


COMMANDS = [keys]
