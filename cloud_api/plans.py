"""Plans: which paid features a licence unlocks, its default limits, price and trial length."""

from __future__ import annotations

import re
from typing import Any

from cloud_api import audit
from cloud_api.errors import Conflict, InvalidInput, NotFound
from cloud_api.models import Plan

FREE_FEATURES = frozenset({"popular", "trending", "bought_together"})
PAID_FEATURES = frozenset(
    {"personalised", "forecasts", "segments", "pricing", "anomalies", "cloud_fallback"}
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def get_plan(name: str) -> Plan:
    plan = Plan.get_or_none(Plan.name == name)
    if plan is None:
        known = ", ".join(p.name for p in Plan.select(Plan.name).order_by(Plan.name))
        raise NotFound(f"no plan {name!r} (known: {known})", field="plan")
    return plan


def create_plan(
    name: str,
    features: list[str],
    *,
    stores: int,
    staging: int,
    trial_days: int,
    price_cents: int,
    currency: str,
    actor: str,
    now: int,
) -> Plan:
    """A new plan; features must be paid feature names (the free ones come with every plan)."""
    if not _NAME.match(name):
        raise InvalidInput("plan name: lower-case letters, digits, - and _", field="name")
    if not isinstance(features, list | tuple) or not all(isinstance(f, str) for f in features):
        raise InvalidInput("features must be a list of feature names", field="features")
    unknown = sorted(set(features) - PAID_FEATURES)
    if unknown:
        raise InvalidInput(
            f"unknown feature {unknown[0]!r} (paid features: {', '.join(sorted(PAID_FEATURES))})",
            field="features",
        )
    if stores < 1:
        raise InvalidInput("stores must be at least 1", field="stores")
    for field, value in (
        ("staging", staging),
        ("trial_days", trial_days),
        ("price_cents", price_cents),
    ):
        if value < 0:
            raise InvalidInput(f"{field} must be 0 or more", field=field)
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise InvalidInput("currency must be a 3-letter ISO code", field="currency")
    if Plan.get_or_none(Plan.name == name) is not None:
        raise Conflict(f"plan {name!r} already exists", field="name")
    plan = Plan.create(
        name=name,
        features=sorted(set(features)),
        limits={"stores": stores, "staging": staging},
        trial_days=trial_days,
        price_cents=price_cents,
        currency=currency,
        created_at=now,
    )
    audit.record(actor, "plan.create", f"plan:{plan.id}", now=now, after=plan_json(plan))
    return plan


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "name": plan.name,
        "features": sorted(plan.features),
        "limits": plan.limits,
        "trial_days": plan.trial_days,
        "price_cents": plan.price_cents,
        "currency": plan.currency,
    }
