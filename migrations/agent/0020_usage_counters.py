"""Per-day counters of what the agent served (recommendation requests), for the usage report."""

from __future__ import annotations

from typing import Any


def up(db: Any) -> None:
    db["usage_counters"].create({"day": str, "metric": str, "count": int}, pk=("day", "metric"))
