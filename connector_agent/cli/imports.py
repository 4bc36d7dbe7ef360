"""``import-orders``: append an order history (normalised CSV) to the event log, idempotently."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from connector_agent.cli._common import config_option, load_or_exit, open_store
from connector_agent.eventlog import EventLog
from connector_agent.orders_csv import OrdersCsvError, read_events

BATCH = 2000


@click.command("import-orders")
@config_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_orders(config_path: str, file: Path) -> None:
    """Import an order history (normalised line-item CSV, gzip) into the event log.

    Each order becomes one order.upserted keyed import:<order_id> (version = payload hash), and
    each product one product.upserted the first time it is seen; the models learn them like any
    other event. Re-importing the same file adds nothing. Progress on stderr, then one summary.

    \b
    Example:
        luxebrain-agent import-orders --config agent.toml orders.csv.gz
    """
    config = load_or_exit(config_path)
    store = open_store(config)
    log = EventLog(store)
    console = Console(stderr=True)
    read = added = 0
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("importing events", total=None)
            events = read_events(file)
            while batch := list(islice(events, BATCH)):
                added += len(log.append(batch))
                read += len(batch)
                progress.update(task, completed=read)
    except OrdersCsvError as exc:
        raise click.ClickException(f"{file}: {exc} (events before it were imported)") from None
    finally:
        store.close()
    console.print(f"imported {file.name}: {read} events read, {added} new, {read - added} known")


COMMANDS = [import_orders]
