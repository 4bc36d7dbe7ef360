"""``luxebrain-cloud plan …``: list and create plans."""

from __future__ import annotations

import click

from cloud_api import plans
from cloud_api.commands.options import (
    actor,
    database_option,
    echo_json,
    now,
    opened,
)


@click.group()
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
    echo_json(rows)


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
            actor=actor(),
            now=now(),
        )
        echo_json(plans.plan_json(row))


COMMANDS = [plan]
