"""``GET /v1/widgets/<placement>``: title, cache TTL and items for a placement, from the config.

Placements are configured in one place (``[widgets.<placement>]`` in agent.toml). Each placement
answers from the most specific context it is given, in its own order, and falls back to the
popular list, so a widget always has something to show; a disabled placement has no items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quart import Blueprint, request

from connector_agent.api import answers
from connector_agent.api.answer_cache import cached
from connector_agent.api.answers import Filters
from connector_agent.api.context import current_agent
from connector_agent.api.params import id_list, optional_id
from connector_agent.config import PLACEMENTS
from connector_agent.errors import NotFound

#: Which context each placement tries, in order, before the popular list.
CONTEXTS = {
    "product": ("product_id",),
    "cart": ("cart",),
    "thankyou": ("customer_id", "cart"),
    "shortcode": ("product_id", "cart", "customer_id"),
}

if TYPE_CHECKING:
    from connector_agent.agent import Agent

blueprint = Blueprint("widgets", __name__, url_prefix="/v1/widgets")


@blueprint.get("/<placement>")
@cached
async def widget(placement: str) -> dict[str, Any]:
    if placement not in PLACEMENTS:
        raise NotFound(
            f"no placement {placement!r} (known: {', '.join(PLACEMENTS)})", field="placement"
        )
    agent = current_agent()
    settings = agent.config.widgets[placement]
    args = request.args
    filters = Filters.from_args(args, settings.limit)
    context = {
        "product_id": optional_id(args, "product_id"),
        "cart": id_list(args, "cart"),
        "customer_id": optional_id(args, "customer_id"),
    }
    items = (
        _items(agent, placement, context, filters, settings.exclude_purchased)
        if settings.enabled
        else []
    )
    return {
        "placement": placement,
        "title": settings.title,
        "ttl": settings.ttl_seconds,
        "items": items,
    }


def _items(
    agent: Agent,
    placement: str,
    context: dict[str, Any],
    filters: Filters,
    exclude_purchased: bool,
) -> list[dict[str, Any]]:
    customer_id = context["customer_id"]
    for kind in CONTEXTS[placement]:
        if kind == "product_id" and context["product_id"]:
            return answers.for_product(
                agent,
                context["product_id"],
                filters,
                customer_id,
                exclude_purchased=exclude_purchased,
            )
        if kind == "cart" and context["cart"]:
            return answers.for_cart(
                agent, context["cart"], filters, customer_id, exclude_purchased=exclude_purchased
            )
        if kind == "customer_id" and customer_id and answers.PERSONALISED in agent.features:
            return answers.for_customer(
                agent, customer_id, filters, exclude_purchased=exclude_purchased
            )
    return answers.popular(agent, filters)
