"""Monthly billing: plan terms, the close that writes one invoice per tenant, over-limit flags.

``close(period)`` runs once per month: a second run finds the period closed and changes nothing.
Each invoice holds, per licence, the plan fee, the usage of every metric and the overage beyond
the plan's included units. Usage that reached the cloud after its month was closed (or for a month
never closed) becomes an *adjustment* line on the next invoice: the difference between what that
month's usage costs now and what earlier invoices already charged for it.

A licence whose usage went over an included amount is flagged for that month; when its plan's
policy is ``reduce`` the tokens minted until the next close carry the plan's reduced limits (the
shop keeps working, with lower limits).
"""

from __future__ import annotations

import operator
import re
from collections import defaultdict
from datetime import UTC, datetime
from functools import reduce
from typing import Any

import peewee

from cloud_api import audit
from cloud_api.db import database, is_sqlite
from cloud_api.errors import Conflict, InvalidInput
from cloud_api.models import BaseModel, JSONField, Licence, Plan, Tenant
from cloud_api.plans import get_plan
from cloud_api.times import iso
from cloud_api.usage import METRICS, UsageDay, period_bounds

POLICIES = ("bill", "reduce")
#: PostgreSQL advisory lock key held by a close for the rest of its transaction
CLOSE_LOCK = 0x4C42_0007
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class PlanTerms(BaseModel):
    """A plan's billing terms: included units per month, overage prices, over-limit policy."""

    plan = peewee.ForeignKeyField(Plan, primary_key=True, on_delete="CASCADE")
    included = JSONField()
    overage_per_1000_cents = JSONField()
    over_limit_policy = peewee.CharField(max_length=16)
    reduced_limits = JSONField()


class Invoice(BaseModel):
    tenant = peewee.ForeignKeyField(Tenant, backref="invoices", on_delete="RESTRICT")
    period = peewee.CharField(max_length=7)
    number = peewee.CharField(max_length=32, unique=True)
    status = peewee.CharField(max_length=16)
    currency = peewee.CharField(max_length=3)
    total_cents = peewee.BigIntegerField()
    terms = JSONField()
    created_at = peewee.BigIntegerField()
    paid_at = peewee.BigIntegerField(null=True)
    failed_at = peewee.BigIntegerField(null=True)


class InvoiceLine(BaseModel):
    """``kind``: fee, usage (amount 0, the units counted), overage, adjustment."""

    invoice = peewee.ForeignKeyField(Invoice, backref="lines", on_delete="CASCADE")
    licence = peewee.ForeignKeyField(Licence, null=True, on_delete="RESTRICT")
    kind = peewee.CharField(max_length=16)
    metric = peewee.CharField(max_length=32, default="")
    usage_period = peewee.CharField(max_length=7)
    quantity = peewee.BigIntegerField(default=0)
    amount_cents = peewee.BigIntegerField(default=0)
    description = peewee.CharField(max_length=300)


class UsageFlag(BaseModel):
    """A licence over an included amount in a closed month, and what its plan does about it."""

    licence = peewee.ForeignKeyField(Licence, on_delete="CASCADE")
    tenant = peewee.ForeignKeyField(Tenant, on_delete="CASCADE")
    period = peewee.CharField(max_length=7)
    over = JSONField()
    policy = peewee.CharField(max_length=16)
    reduced_limits = JSONField()
    created_at = peewee.BigIntegerField()


class BillingClose(BaseModel):
    period = peewee.CharField(max_length=7, primary_key=True)
    closed_at = peewee.BigIntegerField()
    invoices = peewee.IntegerField()


# ---------------------------------------------------------------- periods and terms


def parse_period(text: Any) -> str:
    if not isinstance(text, str) or not _PERIOD.match(text):
        raise InvalidInput(f"period must look like YYYY-MM (got {text!r})", field="period")
    return text


def period_range(period: str) -> tuple[int, int]:
    """Unix seconds of the first instant of ``period`` and of the month after it."""
    year, month = int(period[:4]), int(period[5:])
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return int(start.timestamp()), int(end.timestamp())


def terms_of(plan: Plan) -> dict[str, Any]:
    """A plan's terms as JSON (a plan without a terms row includes nothing and bills no overage)."""
    row = PlanTerms.get_or_none(PlanTerms.plan == plan.id)
    return {
        "plan": plan.name,
        "fee_cents": plan.price_cents,
        "currency": plan.currency,
        "included": dict(row.included) if row else {},
        "overage_per_1000_cents": dict(row.overage_per_1000_cents) if row else {},
        "over_limit_policy": row.over_limit_policy if row else "bill",
        "reduced_limits": dict(row.reduced_limits) if row else {},
    }


def _units(value: Any, field: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise InvalidInput(f"{field} must be an object of metric: whole number", field=field)
    for metric, units in value.items():
        if metric not in METRICS:
            raise InvalidInput(
                f"{field}: unknown metric {metric!r} (known: {', '.join(METRICS)})", field=field
            )
        if isinstance(units, bool) or not isinstance(units, int) or units < 0:
            raise InvalidInput(f"{field}.{metric} must be a whole number >= 0", field=field)
    return dict(value)


def set_terms(plan_name: str, body: dict[str, Any], *, actor: str, now: int) -> dict[str, Any]:
    """Replace the billing terms of a plan (tokens and the next close use them)."""
    plan = get_plan(plan_name)
    before = terms_of(plan)
    policy = body.get("over_limit_policy", before["over_limit_policy"])
    if policy not in POLICIES:
        raise InvalidInput(
            f"over_limit_policy must be one of {', '.join(POLICIES)}", field="over_limit_policy"
        )
    limits = body.get("reduced_limits", before["reduced_limits"])
    if not isinstance(limits, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in limits.values()
    ):
        raise InvalidInput("reduced_limits must map names to whole numbers", field="reduced_limits")
    values = {
        "included": _units(body.get("included", before["included"]), "included"),
        "overage_per_1000_cents": _units(
            body.get("overage_per_1000_cents", before["overage_per_1000_cents"]),
            "overage_per_1000_cents",
        ),
        "over_limit_policy": policy,
        "reduced_limits": limits,
    }
    PlanTerms.insert(plan=plan.id, **values).on_conflict(
        conflict_target=[PlanTerms.plan],
        update={getattr(PlanTerms, name): value for name, value in values.items()},
    ).execute()
    after = terms_of(plan)
    audit.record(actor, "plan.terms", f"plan:{plan.id}", now=now, before=before, after=after)
    return after


# ---------------------------------------------------------------- the close


def _overage_cents(units: int, metric: str, terms: dict[str, Any]) -> int:
    over = max(0, units - int(terms["included"].get(metric, 0)))
    price = int(terms["overage_per_1000_cents"].get(metric, 0))
    return (over * price + 500) // 1000  # half up, in whole cents


def _uncounted(first_day: str) -> peewee.Select:
    """Ids of licences whose usage before ``first_day`` holds units no invoice counted yet.

    Stored totals per month are compared with the units invoiced for that month, not report
    times with close times: a report that commits while a close runs (the close did not see it,
    yet its time is before the close's) is found by the next close all the same.
    """
    month = peewee.fn.SUBSTR(UsageDay.day, 1, 7)
    stored = (
        UsageDay.select(
            UsageDay.licence.alias("licence_id"),
            month.alias("month"),
            *[peewee.fn.SUM(getattr(UsageDay, m)).alias(m) for m in METRICS],
        )
        .where(UsageDay.day < first_day)
        .group_by(UsageDay.licence, month)
        .alias("stored")
    )
    counted = (
        InvoiceLine.select(
            InvoiceLine.licence.alias("licence_id"),
            InvoiceLine.usage_period.alias("month"),
            *[
                peewee.fn.SUM(
                    peewee.Case(None, [(InvoiceLine.metric == m, InvoiceLine.quantity)], 0)
                ).alias(m)
                for m in METRICS
            ],
        )
        .where(InvoiceLine.kind.in_(("usage", "adjustment")))
        .group_by(InvoiceLine.licence, InvoiceLine.usage_period)
        .alias("counted")
    )
    differs = [stored.c[m] != peewee.fn.COALESCE(counted.c[m], 0) for m in METRICS]
    return (
        peewee.Select([stored], [stored.c.licence_id])
        .join(
            counted,
            peewee.JOIN.LEFT_OUTER,
            on=(counted.c.licence_id == stored.c.licence_id) & (counted.c.month == stored.c.month),
        )
        .where(reduce(operator.or_, differs))
    )


def _billable(period: str) -> list[Licence]:
    """Licences that ran during ``period`` (not revoked before it) or have usage to bill:
    days of ``period``, or earlier days with units not yet invoiced."""
    start, end = period_range(period)
    first_day, last_day = period_bounds(period)
    ran = (Licence.created_at < end) & (Licence.expires_at > start)
    revoked_before = Licence.revoked_at.is_null(False) & (Licence.revoked_at < start)
    current = UsageDay.select(UsageDay.licence).where(UsageDay.day.between(first_day, last_day))
    with_usage = Licence.id.in_(current) | Licence.id.in_(_uncounted(first_day))
    return list(
        Licence.select(Licence, Plan, Tenant)
        .join(Plan)
        .switch(Licence)
        .join(Tenant)
        .where((ran & ~revoked_before) | with_usage)
        .order_by(Licence.tenant, Licence.id)
    )


def _usage(licence_ids: list[int], last_day: str) -> dict[tuple[int, str], dict[str, int]]:
    """(licence, month) -> metric totals, for every day up to ``last_day``."""
    month = peewee.fn.SUBSTR(UsageDay.day, 1, 7)
    query = (
        UsageDay.select(
            UsageDay.licence,
            month.alias("month"),
            *[peewee.fn.SUM(getattr(UsageDay, m)).alias(m) for m in METRICS],
        )
        .where(UsageDay.licence.in_(licence_ids) & (UsageDay.day <= last_day))
        .group_by(UsageDay.licence, month)
    )
    return {
        (row["licence"], row["month"]): {m: int(row[m] or 0) for m in METRICS}
        for row in query.dicts()
    }


Billed = tuple[dict[tuple[int, str, str], tuple[int, int]], dict[tuple[int, str], dict]]


def _billed(licence_ids: list[int]) -> Billed:
    """What earlier invoices hold: (licence, month, metric) -> (units counted, cents charged),
    and (licence, month) -> the terms that month was invoiced under."""
    rows = (
        InvoiceLine.select(InvoiceLine, Invoice)
        .join(Invoice)
        .where(InvoiceLine.licence.in_(licence_ids))
        .order_by(InvoiceLine.id)
    )
    counted: dict[tuple[int, str, str], tuple[int, int]] = {}
    terms: dict[tuple[int, str], dict] = {}
    for line in rows:
        if line.usage_period == line.invoice.period:
            terms[(line.licence_id, line.usage_period)] = line.invoice.terms[str(line.licence_id)]
        if line.kind == "fee":
            continue
        key = (line.licence_id, line.usage_period, line.metric)
        units, cents = counted.get(key, (0, 0))
        if line.kind in ("usage", "adjustment"):
            units += line.quantity
        if line.kind in ("overage", "adjustment"):
            cents += line.amount_cents
        counted[key] = (units, cents)
    return counted, terms


def _lines_for(
    licence: Licence,
    period: str,
    terms: dict[str, Any],
    usage: dict[tuple[int, str], dict[str, int]],
    billed: Billed,
) -> list[dict[str, Any]]:
    start, end = period_range(period)
    lines: list[dict[str, Any]] = []
    label = f"licence {licence.id} ({terms['plan']})"
    on_trial = licence.trial_ends_at is not None  # never converted: a trial costs nothing
    revoked_before = licence.revoked_at is not None and licence.revoked_at < start
    if licence.created_at < end and licence.expires_at > start and not revoked_before:
        fee = 0 if on_trial else terms["fee_cents"]
        note = " (trial)" if on_trial else ""
        lines.append(
            {"kind": "fee", "amount_cents": fee, "description": f"{label}: {period} fee{note}"}
        )
    current = usage.get((licence.id, period), dict.fromkeys(METRICS, 0))
    for metric in METRICS:
        units = current[metric]
        if not units:
            continue
        lines.append(
            {
                "kind": "usage",
                "metric": metric,
                "quantity": units,
                "description": f"{label}: {units} {metric.replace('_', ' ')} in {period}",
            }
        )
        cents = _overage_cents(units, metric, terms)
        if cents:
            over = units - int(terms["included"].get(metric, 0))
            lines.append(
                {
                    "kind": "overage",
                    "metric": metric,
                    "quantity": over,
                    "amount_cents": cents,
                    "description": f"{label}: {over} {metric.replace('_', ' ')} over the "
                    f"{terms['included'].get(metric, 0)} included",
                }
            )
    counted, terms_then = billed
    for (licence_id, month), totals in sorted(usage.items()):
        if licence_id != licence.id or month >= period:
            continue
        then = terms_then.get((licence.id, month), terms)  # a month never invoiced: today's
        for metric in METRICS:
            units, charged = counted.get((licence.id, month, metric), (0, 0))
            delta = totals[metric] - units
            if delta == 0:
                continue
            cents = _overage_cents(totals[metric], metric, then) - charged
            lines.append(
                {
                    "kind": "adjustment",
                    "metric": metric,
                    "usage_period": month,
                    "quantity": delta,
                    "amount_cents": cents,
                    "description": f"{label}: {delta:+d} {metric.replace('_', ' ')} of {month} "
                    "reported after its close",
                }
            )
    return lines


def _flag(
    licence: Licence, period: str, terms: dict[str, Any], used: dict[str, int], now: int
) -> None:
    over = {
        m: {"used": used[m], "included": int(terms["included"][m])}
        for m in METRICS
        if m in terms["included"] and used[m] > int(terms["included"][m])
    }
    if over:
        UsageFlag.create(
            licence=licence.id,
            tenant=licence.tenant_id,
            period=period,
            over=over,
            policy=terms["over_limit_policy"],
            reduced_limits=terms["reduced_limits"],
            created_at=now,
        )


def close(period: str, *, actor: str, now: int) -> dict[str, Any]:
    """Close ``period`` once: one invoice per tenant; later runs return the same result."""
    period = parse_period(period)
    if period_range(period)[1] > now:
        raise Conflict(f"period {period} is not over yet", field="period")
    if not is_sqlite():  # closes run one at a time (SQLite's IMMEDIATE transaction already does)
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (CLOSE_LOCK,))
    done = BillingClose.get_or_none(BillingClose.period == period)
    if done is not None:
        return {
            "period": period,
            "closed_at": iso(done.closed_at),
            "created": 0,
            "invoices": [invoice_json(i) for i in invoices(period=period)],
        }
    last = BillingClose.select().order_by(BillingClose.period.desc()).first()
    if last is not None and last.period > period:
        raise Conflict(
            f"period {period} is before the last closed period {last.period}", field="period"
        )
    licences = _billable(period)
    ids = [lic.id for lic in licences]
    usage = _usage(ids, period_bounds(period)[1])
    billed = _billed(ids)
    by_tenant: dict[int, list[Licence]] = defaultdict(list)
    for licence in licences:
        by_tenant[licence.tenant_id].append(licence)
    created = []
    for tenant_id, owned in by_tenant.items():
        terms = {str(lic.id): terms_of(lic.plan) for lic in owned}
        currencies = {t["currency"] for t in terms.values()}
        if len(currencies) > 1:
            raise Conflict(f"tenant {tenant_id} has plans in several currencies: {currencies}")
        invoice = Invoice.create(
            tenant=tenant_id,
            period=period,
            number=f"LB-{period}-{tenant_id:06d}",
            status="open",
            currency=currencies.pop(),
            total_cents=0,
            terms=terms,
            created_at=now,
        )
        total = 0
        for licence in owned:
            own = terms[str(licence.id)]
            for line in _lines_for(licence, period, own, usage, billed):
                line.setdefault("usage_period", period)
                InvoiceLine.create(invoice=invoice.id, licence=licence.id, **line)
                total += line.get("amount_cents", 0)
            used = usage.get((licence.id, period), dict.fromkeys(METRICS, 0))
            _flag(licence, period, own, used, now)
        invoice.total_cents = total
        if total <= 0:
            invoice.status, invoice.paid_at = "paid", now
        invoice.save()
        audit.record(
            actor,
            "invoice.create",
            f"invoice:{invoice.id}",
            now=now,
            tenant_id=tenant_id,
            after={"number": invoice.number, "total_cents": total},
        )
        created.append(invoice)
    BillingClose.create(period=period, closed_at=now, invoices=len(created))
    return {
        "period": period,
        "closed_at": iso(now),
        "created": len(created),
        "invoices": [invoice_json(i) for i in created],
    }


# ---------------------------------------------------------------- reading


def invoices(
    *, tenant_id: int | None = None, period: str | None = None, limit: int = 200
) -> list[Invoice]:
    query = Invoice.select(Invoice, Tenant).join(Tenant).order_by(Invoice.period.desc(), Invoice.id)
    if tenant_id is not None:
        query = query.where(Invoice.tenant == tenant_id)
    if period is not None:
        query = query.where(Invoice.period == period)
    return list(query.limit(limit))


def invoice_json(invoice: Invoice, *, lines: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": invoice.id,
        "number": invoice.number,
        "tenant_id": invoice.tenant_id,
        "period": invoice.period,
        "status": invoice.status,
        "currency": invoice.currency,
        "total_cents": invoice.total_cents,
        "created_at": iso(invoice.created_at),
        "paid_at": iso(invoice.paid_at),
        "failed_at": iso(invoice.failed_at),
    }
    if lines:
        out["lines"] = [
            {
                "licence_id": line.licence_id,
                "kind": line.kind,
                "metric": line.metric,
                "usage_period": line.usage_period,
                "quantity": line.quantity,
                "amount_cents": line.amount_cents,
                "description": line.description,
            }
            for line in invoice.lines.order_by(InvoiceLine.id)
        ]
    return out


def flags(*, tenant_id: int | None = None, period: str | None = None) -> list[dict[str, Any]]:
    query = UsageFlag.select().order_by(UsageFlag.period.desc(), UsageFlag.licence)
    if tenant_id is not None:
        query = query.where(UsageFlag.tenant == tenant_id)
    if period is not None:
        query = query.where(UsageFlag.period == period)
    return [
        {
            "licence_id": f.licence_id,
            "tenant_id": f.tenant_id,
            "period": f.period,
            "over": f.over,
            "policy": f.policy,
            "reduced_limits": f.reduced_limits,
        }
        for f in query
    ]


def token_limits(licence_id: int) -> dict[str, int]:
    """Extra limits for the licence's next token: the reduced ones while it is flagged.

    A flag counts only for the latest closed month, so a month back under the limits lifts it.
    """
    latest = BillingClose.select(peewee.fn.MAX(BillingClose.period)).scalar()
    if latest is None:
        return {}
    flag = UsageFlag.get_or_none(
        (UsageFlag.licence == licence_id)
        & (UsageFlag.period == latest)
        & (UsageFlag.policy == "reduce")
    )
    return dict(flag.reduced_limits) if flag else {}
