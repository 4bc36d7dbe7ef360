"""``python -m connector_agent.demo.woo_double serve``: the local WooCommerce as its own process.

Prints the base URL on stdout (one line, flushed) once it accepts connections, then serves until
SIGTERM or SIGINT. Drive it over HTTP through ``/__double__/<action>`` (see ``control.py``).
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import click

from .double import DEMO_ORDERS, WooDouble
from .seed import SeedError


@click.group()
def main() -> None:
    """A faithful local WooCommerce for tests, the demo and the benchmark."""


@main.command()
@click.option(
    "--orders",
    "orders",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEMO_ORDERS,
    show_default="the shipped demo slice",
    help="Normalised order CSV (gzip) to seed the store from.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="0 picks a free port.",
)
@click.option(
    "--limit-orders", type=click.IntRange(min=1), default=None, help="Seed only the first N orders."
)
@click.option("--ck", "consumer_key", default="ck_demo", show_default=True)
@click.option("--cs", "consumer_secret", default="cs_demo", show_default=True)
@click.option("--webhook-secret", default="harness-webhook-secret", show_default=True)
@click.option("--wc-version", default="7.8.2", show_default=True)
@click.option(
    "--ending-now",
    is_flag=True,
    help="Move the history forward by whole weeks so that it ends in the past week.",
)
@click.option(
    "--flush-every",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Deliver queued webhooks every N seconds (the real store's WP-Cron).",
)
def serve(
    orders: Path,
    host: str,
    port: int,
    limit_orders: int | None,
    consumer_key: str,
    consumer_secret: str,
    webhook_secret: str,
    wc_version: str,
    ending_now: bool,
    flush_every: float | None,
) -> None:
    """Serve the store until SIGTERM/SIGINT; prints its URL on stdout.

    \b
    Example:
        python -m connector_agent.demo.woo_double serve --port 8088 --limit-orders 500
    """
    try:
        double = WooDouble.from_orders_csv(
            orders,
            limit_orders=limit_orders,
            ending_now=ending_now,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            webhook_secret=webhook_secret,
            wc_version=wc_version,
        )
    except SeedError as error:
        raise click.ClickException(str(error)) from None
    try:
        url = double.start(host, port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error}") from None
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(url)
    sys.stdout.flush()
    while not stop.wait(flush_every):
        double.flush_webhooks()
    double.stop()


if __name__ == "__main__":
    main()
