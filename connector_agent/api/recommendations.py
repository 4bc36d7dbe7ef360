"""``/v1/recommendations/*``: product, cart, customer, popular and trending lists.

Query: ``limit`` (1..50), ``category``, ``exclude`` (comma ids); product and cart also take
``customer_id`` to personalise when the licence allows. Answer: ``{"items": [...]}``.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, request

from connector_agent.api import answers
from connector_agent.api.answer_cache import cached
from connector_agent.api.answers import Filters
from connector_agent.api.context import current_agent
from connector_agent.api.params import an_id, id_list, optional_id
from connector_agent.errors import BadRequest

DEFAULT_LIMIT = 10

blueprint = Blueprint("recommendations", __name__, url_prefix="/v1/recommendations")


@blueprint.get("/product/<product_id>")
@cached
async def for_product(product_id: str) -> dict[str, Any]:
    args = request.args
    items = answers.for_product(
        current_agent(),
        an_id(product_id, "product_id"),
        Filters.from_args(args, DEFAULT_LIMIT),
        optional_id(args, "customer_id"),
    )
    return {"items": items}


@blueprint.get("/cart")
@cached
async def for_cart() -> dict[str, Any]:
    args = request.args
    ids = id_list(args, "ids")
    if not ids:
        raise BadRequest("ids: give the cart's product ids, comma-separated", field="ids")
    items = answers.for_cart(
        current_agent(),
        ids,
        Filters.from_args(args, DEFAULT_LIMIT),
        optional_id(args, "customer_id"),
    )
    return {"items": items}


@blueprint.get("/customer/<customer_id>")
@cached
async def for_customer(customer_id: str) -> dict[str, Any]:
    filters = Filters.from_args(request.args, DEFAULT_LIMIT)
    return {
        "items": answers.for_customer(current_agent(), an_id(customer_id, "customer_id"), filters)
    }


@blueprint.get("/popular")
@cached
async def popular() -> dict[str, Any]:
    return {
        "items": answers.popular(current_agent(), Filters.from_args(request.args, DEFAULT_LIMIT))
    }


@blueprint.get("/trending")
@cached
async def trending() -> dict[str, Any]:
    return {
        "items": answers.trending(current_agent(), Filters.from_args(request.args, DEFAULT_LIMIT))
    }
