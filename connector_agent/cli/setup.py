"""``init``, ``migrate`` and ``install-service``: getting an agent onto a machine."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click
import orjson

from connector_agent.cli._common import (
    ConfigProblem,
    config_option,
    load_or_exit,
    open_store,
    refuse_overwrite,
)
from connector_agent.config import (
    DEFAULT_BIND,
    DEFAULT_DATA_DIR,
    ConfigError,
    write_atomic,
    write_new_config,
)
from connector_agent.config_checks import host_port, optional_url


@click.command()
@click.option("--store-url", required=True, help="The shop's site URL.")
@click.option("--consumer-key", required=True, help="WooCommerce REST consumer key (ck_…).")
@click.option("--consumer-secret", required=True, help="WooCommerce REST consumer secret (cs_…).")
@click.option("--data-dir", default=DEFAULT_DATA_DIR, show_default=True, help="Store directory.")
@click.option("--bind", default=DEFAULT_BIND, show_default=True, help="Local API address.")
@click.option("--webhook-secret", default=None, help="WooCommerce webhook secret (if known).")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@config_option
def init(
    store_url: str,
    consumer_key: str,
    consumer_secret: str,
    data_dir: str,
    bind: str,
    webhook_secret: str | None,
    force: bool,
    config_path: str,
) -> None:
    """Write a working agent.toml and its 0600 secrets file, and create the store.

    The secrets file gets a shared secret when it has none, so ``luxebrain-agent api`` works
    without the plugin. With --force and a new --store-url, an earlier pairing's secrets
    (which belong to the other shop) are dropped, so the agent syncs the shop named here.

    \b
    Example:
        luxebrain-agent init --store-url https://shop.example --consumer-key ck_1 \\
            --consumer-secret cs_1 --data-dir ./data --config agent.toml
    """
    path = Path(config_path)
    try:
        store_url = optional_url(store_url)
        host_port(bind)
    except ValueError as exc:
        raise ConfigProblem(f"--store-url/--bind: {exc}") from None
    if not store_url:
        raise ConfigProblem("--store-url: must not be empty")
    refuse_overwrite(path, force)
    secrets = {"consumer_key": consumer_key, "consumer_secret": consumer_secret}
    if webhook_secret is not None:
        secrets["webhook_secret"] = webhook_secret
    try:
        write_new_config(path, store_url=store_url, data_dir=data_dir, bind=bind, secrets=secrets)
        config = load_or_exit(config_path)
    except ConfigError as exc:
        raise ConfigProblem(exc.message) from None
    open_store(config).close()
    click.echo(
        f"wrote {path} and {config.secrets_path} (0600); store at {config.database_path}",
        err=True,
    )


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the migration status as JSON.")
def migrate(config_path: str, as_json: bool) -> None:
    """Apply pending migrations to the agent's store (the agent also does this on start).

    \b
    Example:
        luxebrain-agent migrate --config agent.toml
    """
    config = load_or_exit(config_path)
    store = open_store(config)
    try:
        state = store.migration_status()
    finally:
        store.close()
    if as_json:
        click.echo(orjson.dumps(state).decode())
    else:
        click.echo(f"{len(state['applied'])} migrations applied, none pending", err=True)


SERVICE = """\
[Unit]
Description=LuxeBrain agent for {store_url}
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart={exe} run --config {config}
WorkingDirectory={workdir}
Restart=on-failure
RestartSec=5
# run finishes the page or event in hand and checkpoints on SIGTERM
KillSignal=SIGTERM
TimeoutStopSec=60
NoNewPrivileges=true
PrivateTmp=true
UMask=0077

[Install]
WantedBy=multi-user.target
"""


@click.command("install-service")
@config_option
@click.option(
    "--out",
    default="luxebrain-agent.service",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write the systemd unit.",
)
def install_service(config_path: str, out: str) -> None:
    """Write a systemd unit that runs the agent and survives reboots.

    \b
    Example:
        luxebrain-agent install-service --config /etc/luxebrain/agent.toml \\
            --out /etc/systemd/system/luxebrain-agent.service
    """
    config = load_or_exit(config_path)
    exe = shutil.which("luxebrain-agent") or f"{sys.executable} -m connector_agent"
    unit = SERVICE.format(
        store_url=config.store_url or "a WooCommerce shop",
        exe=exe,
        config=Path(config_path).resolve(),
        workdir=Path(config_path).resolve().parent,
    )
    _write_unit(Path(out), unit)
    name = Path(out).name
    click.echo(f"wrote {out}; enable it with:", err=True)
    click.echo(f"  sudo systemctl daemon-reload && sudo systemctl enable --now {name}", err=True)


def _write_unit(out: Path, unit: str) -> None:
    """Write the unit, or stop with one line saying why not (sudo, for a system directory)."""
    if not out.parent.is_dir():
        raise ConfigProblem(f"--out: {out.parent} is not a directory")
    try:
        write_atomic(out, unit, mode=0o644)
    except PermissionError:
        raise click.ClickException(
            f"{out}: cannot write: permission denied (run it with sudo)"
        ) from None
    except OSError as exc:
        raise click.ClickException(f"{out}: cannot write: {exc.strerror}") from None


COMMANDS = [init, migrate, install_service]
