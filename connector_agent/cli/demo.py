"""``demo``: the README's first command — a local shop, a real agent, live orders and widgets."""

from __future__ import annotations

import signal
import tempfile
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from connector_agent.cli._common import refuse_overwrite
from connector_agent.cli._progress import PageBars, page_progress
from connector_agent.demo.showcase import Demo


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


@click.command()
@click.option(
    "--for",
    "seconds",
    type=click.IntRange(min=10),
    default=None,
    help="Run this long, check sync, webhooks and API, exit 0 only if all worked.",
)
@click.option("--every", type=click.FloatRange(min=1), default=5.0, show_default=True,
              help="Seconds between the demo's new orders.")
@click.option("--dir", "workdir", type=click.Path(file_okay=False), default=None,
              help="Where the demo keeps its config and store (default: a new temp dir).")
@click.option("--force", is_flag=True, help="Overwrite an agent.toml already in --dir.")
def demo(seconds: int | None, every: float, workdir: str | None, force: bool) -> None:
    """Run a local WooCommerce seeded with real orders and a real agent against it.

    The agent backfills the shop with a progress bar, then runs (API, scheduler, learning)
    while the demo places new orders whose signed webhooks reach it at once, and shows the
    product-page widget it serves. Ctrl-C stops everything cleanly.

    \b
    Example:
        luxebrain-agent demo
        luxebrain-agent demo --for 60
        luxebrain-agent demo --dir ./demo --force
    """
    console = Console(stderr=True, highlight=False)
    root = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="luxebrain-demo-"))
    refuse_overwrite(root / "agent.toml", force)
    root.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupt)
    run = Demo(root, say=console.print)
    try:
        run.start_shop()
        config = run.write_config()
        with page_progress(console) as progress:
            run.backfill(PageBars(progress, prefix="backfill "))
        run.start_agent()
        run.register_webhooks()
        orders_before = run.agent_status()["counts"]["orders"]
        console.print(
            "\n[bold]Where to look[/bold]\n"
            f"  agent API   {config.agent_url}  (signed; e.g. "
            f"luxebrain-agent api GET /v1/widgets/product?product_id=… --config {config.path})\n"
            f"  status      luxebrain-agent status --config {config.path}\n"
            f"  metrics     luxebrain-agent api GET /metrics --config {config.path}\n"
            f"  the shop    {run.double.url}/wp-json/wc/v3/orders (OAuth: ck/cs in "
            f"{config.secrets_path})\n"
            + ("  Ctrl-C stops the demo.\n" if seconds is None else "")
        )
        deadline = time.monotonic() + seconds if seconds else None
        rounds = 0
        while deadline is None or time.monotonic() < deadline - 25:
            run.place_order()
            rounds += 1
            if rounds % 3 == 1:
                run.show_widgets()
            time.sleep(every)
        if seconds is not None:
            run.verify(orders_before)
    except KeyboardInterrupt:
        console.print("stopping…")
    except RuntimeError as exc:
        run.checks.add("demo", False, str(exc))
        console.print(f"[red]{exc}[/red]")
    finally:
        run.stop()
    if seconds is None:
        return
    for name, passed, detail in run.checks.results:
        console.print(f"{'PASS' if passed else 'FAIL'}  {name}: {detail}")
    if not run.checks.passed:
        raise click.ClickException("the demo's self-check failed")
    console.print(f"demo worked end to end (files in {root})")


COMMANDS = [demo]
