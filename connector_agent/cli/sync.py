"""``sync`` and ``reconcile``: WooCommerce into the local store, on demand.

``sync`` runs one pass (a backfill the first time, incremental after); ``reconcile`` runs the
daily id-set comparison now (what was hard-deleted without a webhook, what a pass missed).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console

from connector_agent.cli._common import ConfigProblem, config_option, load_or_exit, open_store
from connector_agent.cli._progress import PageBars, page_progress
from connector_agent.config import AgentConfig
from connector_agent.errors import AgentError
from connector_agent.eventlog import EventLog
from connector_agent.woo import Reconciler, Syncer, WooClient


@contextmanager
def _stop_on_sigterm() -> Iterator[threading.Event]:
    """SIGTERM (and Ctrl-C) set an event: the sync finishes the page in hand and checkpoints.

    A second signal stops at once (the open transaction rolls back, nothing half-written stays).
    """
    stop = threading.Event()

    def handler(_signum: int, _frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _connected_config(config_path: str) -> AgentConfig:
    """The config, or exit 2 when it has no WooCommerce URL and keys."""
    config = load_or_exit(config_path)
    secrets = config.secrets
    if not (config.store_url and secrets.consumer_key and secrets.consumer_secret):
        raise ConfigProblem(
            f"{config.path}: woocommerce.store_url, consumer_key and consumer_secret are "
            "required (run luxebrain-agent init or pair)"
        )
    return config


@click.command()
@config_option
@click.option("--full", is_flag=True, help="Re-read everything, not only what changed.")
def sync(config_path: str, full: bool) -> None:
    """Sync products, customers and orders from WooCommerce into the local store.

    The first run is a backfill; later runs read only what changed since the last one. An
    interrupted run (SIGTERM, Ctrl-C, a crash) resumes where it stopped. Progress goes to
    stderr, then one summary line. Exit 0 ok, 1 WooCommerce or store failure, 2 bad config.

    \b
    Example:
        luxebrain-agent sync --config agent.toml
        luxebrain-agent sync --config agent.toml --full
    """
    config = _connected_config(config_path)
    secrets = config.secrets
    store = open_store(config)
    console = Console(stderr=True)
    with _stop_on_sigterm() as stop:
        # a stop request also cuts a retry's backoff short
        client = WooClient.from_config(config, sleep=stop.wait)
        try:
            with page_progress(console) as progress:
                report = Syncer(
                    client,
                    store,
                    page_size=config.sync.page_size,
                    overlap_seconds=config.sync.overlap_seconds,
                    version_hint=secrets.wc_version,
                    on_page=PageBars(progress),
                    should_stop=stop.is_set,
                ).run(full=full)
        except AgentError as exc:
            raise click.ClickException(exc.message) from None
        finally:
            client.close()
            store.close()
    console.print(report.summary(), highlight=False, soft_wrap=True)
    if report.interrupted:
        raise click.ClickException("sync interrupted; run it again to resume")


@click.command()
@config_option
def reconcile(config_path: str) -> None:
    """Compare WooCommerce's ids with the store's: tombstone the vanished, fetch the missing.

    The scheduler runs this daily (sync.reconcile_hour_utc); a force delete in WooCommerce
    sends no webhook, so this is how the agent learns of it. Cheap: ids only (_fields=id).

    \b
    Example:
        luxebrain-agent reconcile --config agent.toml
    """
    config = _connected_config(config_path)
    store = open_store(config)
    client = WooClient.from_config(config)
    try:
        report = Reconciler(client, EventLog(store)).run()
    except AgentError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        client.close()
        store.close()
    click.echo(report.summary(), err=True)


COMMANDS = [sync, reconcile]
