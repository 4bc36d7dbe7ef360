"""Seed the three plans a fresh cloud sells, so ``licence issue --plan pro`` works out of the box.

Staff change or add plans afterwards (``luxebrain-cloud plan create``, the staff API).
"""

from __future__ import annotations

import json
import time

import peewee

PLANS = [
    # name, paid features, limits, trial days, monthly price in cents
    ("starter", ["personalised", "segments"], {"stores": 1, "staging": 1}, 0, 2900),
    (
        "pro",
        ["personalised", "forecasts", "segments", "pricing", "anomalies", "cloud_fallback"],
        {"stores": 3, "staging": 2},
        0,
        9900,
    ),
    (
        "pro-trial",
        ["personalised", "forecasts", "segments", "pricing", "anomalies", "cloud_fallback"],
        {"stores": 1, "staging": 1},
        14,
        9900,
    ),
]


def up(db: peewee.Database) -> None:
    now = int(time.time())
    param = db.param
    for name, features, limits, trial_days, price in PLANS:
        db.execute_sql(
            "INSERT INTO plan"
            " (name, features, limits, trial_days, price_cents, currency, created_at)"
            f" VALUES ({', '.join([param] * 7)})",
            (name, json.dumps(sorted(features)), json.dumps(limits), trial_days, price, "EUR", now),
        )
