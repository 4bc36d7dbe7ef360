"""``luxebrain-agent evaluate``: replay an order history and compare the models with baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

NEXT_BASKET_COLUMNS = ("hit_rate@10", "ndcg@10", "recall@20", "explore_hit_rate@10", "coverage")


def _table(title: str, section: dict[str, dict[str, Any]], columns: tuple[str, ...]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("model")
    for column in columns:
        table.add_column(column, justify="right")
    for model, values in section.items():
        table.add_row(model, *(f"{values.get(c, 0):.4f}" for c in columns))
    return table


def _skipped_line(report: dict[str, Any]) -> str | None:
    """What the protocol skipped (no model was asked about or learned these orders)."""
    parts = [f"{n} {status}" for status, n in report["skipped_orders"].items()]
    if parts:
        parts[-1] += " (statuses the protocol does not define)"
    if report["skipped_completed_without_products"]:
        parts.append(
            f"{report['skipped_completed_without_products']} completed without a product line"
        )
    return f"skipped orders: {', '.join(parts)}" if parts else None


def _print_report(report: dict[str, Any], console: Console) -> None:
    console.print(_table("next basket", report["next_basket"], NEXT_BASKET_COLUMNS))
    console.print(_table("bought together", report["bought_together"], ("hit_rate@10", "ndcg@10")))
    console.print(_table("forecast", report["forecast"], ("mae", "smape", "mae_h1", "mae_h7")))
    t, s, m = report["throughput"], report["snapshot"], report["memory"]
    console.print(
        f"learn {t['learn_orders_per_s']:.0f} orders/s · recommend "
        f"p50 {t['recommend_us_p50']:.0f} µs p99 {t['recommend_us_p99']:.0f} µs (each asked "
        "right after an order is learned) · peak RSS "
        f"{m['peak_rss_mb']:.0f} MB (brain and baselines; the brain alone: bench/models.py) · "
        "snapshot "
        f"{s['bytes'] / 1e6:.1f} MB written {s['write_s']:.2f} s, restored {s['restore_s']:.2f} s"
    )
    seg, an, pr = report["segments"], report["anomaly"], report["pricing"]
    console.print(
        f"segments {seg['sizes']} · agreement with batch RFM {seg['agreement_with_batch_rfm']:.2f}"
    )
    console.print(
        f"anomalies: precision {an['precision']:.2f} recall {an['recall']:.2f} "
        f"({an['injected']} injected) · price suggestions {pr['suggestions']} (learned from "
        f"changes of the posted price; a replayed file has none), within guardrails "
        f"{pr['within_guardrails']:.2f}"
    )
    skipped = _skipped_line(report)
    if skipped is not None:
        console.print(skipped)


def _check_writable(path: Path) -> None:
    """Fail before a replay of minutes rather than after it. Opening for appending neither
    truncates an existing report nor leaves a new file behind (it is removed again)."""
    existed = path.exists()
    try:
        with path.open("ab"):
            pass
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    if not existed:
        path.unlink(missing_ok=True)


def _write_json(path: Path, report: dict[str, Any]) -> None:
    try:
        path.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None


@click.command("evaluate")
@click.option(
    "--orders",
    "orders_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Normalised line-item CSV (gzip) of the order history.",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every figure to this JSON file.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), help="Replay only the first N orders of the file."
)
@click.option("--seed", type=int, default=42, show_default=True, help="Models' random seed.")
def evaluate_command(
    orders_path: Path, json_out: Path | None, limit: int | None, seed: int
) -> None:
    """Replay orders prequentially (ask, then learn) and compare with baselines.

    Needs no config or store: everything happens in memory. Orders are replayed in created_at
    order (file order for ties), whatever the file's order. Prints a table; --json OUT writes
    every figure (next_basket, bought_together, forecast, throughput, segments, pricing,
    anomaly, memory, snapshot, caps, and the orders skipped: skipped_orders,
    skipped_completed_without_products).

    \b
    Example:
        luxebrain-agent evaluate --orders orders.csv.gz --json eval.json --limit 3000
    """
    from connector_agent.evaluation import EvaluationError, evaluate

    if json_out is not None:
        _check_writable(json_out)
    err = Console(stderr=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("replaying orders", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            report = evaluate(orders_path, limit=limit, seed=seed, progress=advance)
        except EvaluationError as exc:
            raise click.ClickException(str(exc)) from None
    _print_report(report, Console())
    if json_out is not None:
        _write_json(json_out, report)
        err.print(f"wrote {json_out}")


COMMANDS = [evaluate_command]
