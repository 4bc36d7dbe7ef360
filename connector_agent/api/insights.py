"""``/v1/insights/*``: what the models tell the shop owner, each gated by a licence feature.

Forecasts (per product, or the products running out soon), segments (sizes, a customer's
segment), price suggestions and flagged orders read the in-memory brain. Recommendation
analytics is reporting over the event log (``connector_agent.analytics``) and is not gated.
A route whose feature the licence lacks answers ``402 feature_not_licensed``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from quart import Blueprint, request

from connector_agent import analytics
from connector_agent.api.context import current_agent
from connector_agent.api.params import an_id, flag, int_arg, limit_arg, optional_id
from connector_agent.errors import BadRequest, FeatureNotLicensed, NotFound

if TYPE_CHECKING:
    from connector_agent.agent import Agent

DEFAULT_LIMIT = 20
MAX_HORIZON_DAYS = 30

blueprint = Blueprint("insights", __name__, url_prefix="/v1/insights")


def _licensed(feature: str) -> Agent:
    """The agent, after checking that its licence covers ``feature``."""
    agent = current_agent()
    if feature not in agent.features:
        raise FeatureNotLicensed(f"the licence does not include {feature!r}", field=feature)
    return agent


def _published_product(agent: Agent, product_id: str) -> None:
    """404 unless the catalogue has the product published: a deleted (trashed) or unpublished
    product is not sold, as ``running_out`` already assumes, so it gets no forecast or price."""
    product = agent.brain.product(product_id)
    if product is None or product["status"] != "publish":
        raise NotFound(f"no published product {product_id!r}", field="product_id")


@blueprint.get("/forecasts")
async def forecasts() -> dict[str, Any]:
    agent = _licensed("forecasts")
    args = request.args
    if flag(args, "running_out"):
        within = int_arg(args, "within_days", 14, 1, 365)
        found = agent.brain.running_out(within_days=within, limit=limit_arg(args, DEFAULT_LIMIT))
        return {"within_days": within, "products": found}
    product_id = optional_id(args, "product_id")
    if product_id is None:
        raise BadRequest("product_id: required (or running_out=1)", field="product_id")
    _published_product(agent, product_id)
    horizon = int_arg(args, "horizon", 7, 1, MAX_HORIZON_DAYS)
    forecast = agent.brain.forecast(product_id, horizon)
    return {"product_id": product_id, "horizon": horizon, "forecast": forecast}


@blueprint.get("/segments")
async def segment_sizes() -> dict[str, Any]:
    return {"segments": _licensed("segments").brain.segment_sizes()}


@blueprint.get("/segments/<customer_id>")
async def segment_of(customer_id: str) -> dict[str, Any]:
    agent = _licensed("segments")
    customer_id = an_id(customer_id, "customer_id")
    segment = agent.brain.segment_of(customer_id)
    if segment is None:
        raise NotFound(f"no segment for customer {customer_id!r} yet", field="customer_id")
    return {"customer_id": customer_id, "segment": segment}


@blueprint.get("/prices")
async def prices() -> dict[str, Any]:
    agent = _licensed("pricing")
    product_id = optional_id(request.args, "product_id")
    if product_id is not None:
        _published_product(agent, product_id)
        suggestion = agent.brain.suggest_price(product_id)
        if suggestion is None:
            raise NotFound(f"no price suggestion for product {product_id!r}", field="product_id")
        return {"suggestions": [suggestion]}
    limit = limit_arg(request.args, DEFAULT_LIMIT)
    return {"suggestions": agent.brain.price_suggestions(limit=limit)}


@blueprint.get("/anomalies")
async def anomalies() -> dict[str, Any]:
    agent = _licensed("anomalies")
    return {"orders": agent.brain.flagged_orders(limit=limit_arg(request.args, DEFAULT_LIMIT))}


@blueprint.get("/analytics")
async def recommendation_analytics() -> dict[str, Any]:
    """Reporting SQL over the whole log, in a worker thread, so a large shop's report never
    holds up the widgets served on the event loop."""
    agent = current_agent()
    days = int_arg(request.args, "days", 30, 1, 365)

    def report() -> dict[str, Any]:
        with agent.reading_store() as store:
            return analytics.recommendation_analytics(
                store,
                now=agent.clock.now(),
                period_days=days,
                attribution_days=agent.config.api.attribution_days,
            )

    return await asyncio.to_thread(report)
