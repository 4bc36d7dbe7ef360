"""Usage metering: agents report per-day totals per store; a retry or a reorder never double counts.

A report carries the day's running totals (not increments), and each stored counter only ever
moves up (``max(old, new)``), so a retried, duplicated or out-of-order report changes nothing.
Reports for a month that billing already closed are kept like any other; the next close turns
the difference into an adjustment line (see ``billing.py``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import peewee

from cloud_api.errors import InvalidInput
from cloud_api.models import BaseModel, Licence, Store, Tenant

METRICS = ("orders_synced", "recommendations_served", "widget_impressions", "widget_clicks")
#: a report may cover at most this many days, none older than MAX_AGE_DAYS
MAX_DAYS_PER_REPORT = 62
MAX_AGE_DAYS = 400
MAX_COUNT = 10**12


class UsageDay(BaseModel):
    """One store's usage totals for one UTC day (``YYYY-MM-DD``)."""

    store = peewee.ForeignKeyField(Store, on_delete="RESTRICT")
    licence = peewee.ForeignKeyField(Licence, on_delete="RESTRICT")
    tenant = peewee.ForeignKeyField(Tenant, on_delete="RESTRICT")
    day = peewee.CharField(max_length=10)
    orders_synced = peewee.BigIntegerField(default=0)
    recommendations_served = peewee.BigIntegerField(default=0)
    widget_impressions = peewee.BigIntegerField(default=0)
    widget_clicks = peewee.BigIntegerField(default=0)
    first_reported_at = peewee.BigIntegerField()
    updated_at = peewee.BigIntegerField()


def _day(value: Any, today: date, index: int) -> str:
    field = f"usage[{index}].day"
    try:
        parsed = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput(f"{field} must be a date YYYY-MM-DD (got {value!r})", field=field)
    if parsed > today:
        raise InvalidInput(f"{field} {value} is in the future", field=field)
    if (today - parsed).days > MAX_AGE_DAYS:
        raise InvalidInput(f"{field} {value} is older than {MAX_AGE_DAYS} days", field=field)
    return value


def parse_report(report: Any, now: int) -> list[dict[str, Any]]:
    """Validate ``[{"day", <metric>: int, …}, …]``; every problem is a 400 naming the field."""
    if not isinstance(report, list) or not 1 <= len(report) <= MAX_DAYS_PER_REPORT:
        raise InvalidInput(
            f"usage must be a list of 1 to {MAX_DAYS_PER_REPORT} day objects", field="usage"
        )
    today = datetime.fromtimestamp(now, UTC).date()
    rows: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(report):
        if not isinstance(entry, dict):
            raise InvalidInput(f"usage[{index}] must be an object", field=f"usage[{index}]")
        day = _day(entry.get("day"), today, index)
        if day in rows:
            raise InvalidInput(f"usage[{index}].day {day} appears twice", field=f"usage[{index}]")
        unknown = sorted(set(entry) - {"day", *METRICS})
        if unknown:
            raise InvalidInput(
                f"usage[{index}]: unknown metric {unknown[0]!r} (known: {', '.join(METRICS)})",
                field=f"usage[{index}].{unknown[0]}",
            )
        row: dict[str, Any] = {"day": day}
        for metric in METRICS:
            value = entry.get(metric, 0)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_COUNT:
                field = f"usage[{index}].{metric}"
                raise InvalidInput(f"{field} must be a whole number >= 0", field=field)
            row[metric] = value
        rows[day] = row
    return list(rows.values())


def record(store: Store, report: Any, *, now: int) -> dict[str, Any]:
    """Store a usage report for ``store``; returns ``{"days": n, "changed": n}``."""
    rows = parse_report(report, now)
    changed = 0
    for row in rows:
        where = (UsageDay.store == store.id) & (UsageDay.day == row["day"])
        existing = UsageDay.get_or_none(where)
        if existing is None:
            created = (
                UsageDay.insert(
                    store=store.id,
                    licence=store.licence_id,
                    tenant=store.tenant_id,
                    first_reported_at=now,
                    updated_at=now,
                    **row,
                )
                .on_conflict_ignore()  # a concurrent report of the same day got there first
                .execute()
            )
            if created:
                changed += 1
                continue
            existing = UsageDay.get(where)
        raised = {m: row[m] for m in METRICS if row[m] > getattr(existing, m)}
        if raised:  # max(stored, reported) in SQL, so a concurrent report never lowers a total
            column = {m: getattr(UsageDay, m) for m in raised}
            UsageDay.update(
                {
                    column[m]: peewee.Case(None, [(column[m] < v, v)], column[m])
                    for m, v in raised.items()
                }
                | {UsageDay.updated_at: now}
            ).where(UsageDay.id == existing.id).execute()
            changed += 1
    return {"days": len(rows), "changed": changed}


def period_bounds(period: str) -> tuple[str, str]:
    """``"2026-02"`` -> (``"2026-02-01"``, ``"2026-02-31"``): inclusive bounds on day strings."""
    return f"{period}-01", f"{period}-31"


def summary(
    *, tenant_id: int | None = None, store_id: int | None = None, period: str | None = None
) -> list[dict[str, Any]]:
    """Usage totals per store and month, newest month first, optionally for one tenant/store."""
    month = peewee.fn.SUBSTR(UsageDay.day, 1, 7)
    query = (
        UsageDay.select(
            UsageDay.tenant,
            UsageDay.store,
            Store.url,
            month.alias("period"),
            *[peewee.fn.SUM(getattr(UsageDay, m)).alias(m) for m in METRICS],
        )
        .join(Store)
        .group_by(UsageDay.tenant, UsageDay.store, Store.url, month)
        .order_by(month.desc(), UsageDay.store)
    )
    if tenant_id is not None:
        query = query.where(UsageDay.tenant == tenant_id)
    if store_id is not None:
        query = query.where(UsageDay.store == store_id)
    if period is not None:
        query = query.where(UsageDay.day.between(*period_bounds(period)))
    return [
        {
            "tenant_id": row["tenant"],
            "store_id": row["store"],
            "store_url": row["url"],
            "period": row["period"],
            **{m: int(row[m] or 0) for m in METRICS},
        }
        for row in query.dicts()
    ]


def days(store_id: int, period: str) -> list[dict[str, Any]]:
    """One store's daily rows in a month, oldest first."""
    rows = (
        UsageDay.select()
        .where((UsageDay.store == store_id) & UsageDay.day.between(*period_bounds(period)))
        .order_by(UsageDay.day)
    )
    return [{"day": r.day, **{m: getattr(r, m) for m in METRICS}} for r in rows]
