"""Recommendations for a context, with licence fallbacks, rendered as items the plugin can show.

Shared by the recommendation routes and the widget route. Everything here reads the in-memory
brain only (no SQL): the catalogue fields of each item come from ``brain.product(id)``. A source
the licence does not cover falls back silently: customer recommendations without
``personalised`` are the popular list, and product or cart answers are not personalised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connector_agent.api.params import category_arg, id_list, limit_arg
from online_models import Recommendation

if TYPE_CHECKING:
    from connector_agent.agent import Agent

PERSONALISED = "personalised"
ITEM_FIELDS = ("id", "name", "permalink", "image", "price", "price_html")


@dataclass(frozen=True, slots=True)
class Filters:
    """``limit``, ``category`` and ``exclude`` of a recommendation query."""

    limit: int
    category: str | None = None
    exclude: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args: Mapping[str, str], default_limit: int) -> Filters:
        return cls(
            limit=limit_arg(args, default_limit),
            category=category_arg(args),
            exclude=tuple(id_list(args, "exclude")),
        )

    def kwargs(self) -> dict[str, Any]:
        return {"limit": self.limit, "category": self.category, "exclude": list(self.exclude)}


def render(agent: Agent, recommendations: Iterable[Recommendation]) -> list[dict[str, Any]]:
    """Items with catalogue fields; products the catalogue no longer knows are left out."""
    brain = agent.brain
    items = []
    for rec in recommendations:
        product = brain.product(rec.product_id)
        if product is None:
            continue
        item = {name: product.get(name) for name in ITEM_FIELDS}
        item["source"] = rec.source
        item["reason"] = rec.reason
        items.append(item)
    return items


def _personal(agent: Agent, customer_id: str | None) -> str | None:
    return customer_id if PERSONALISED in agent.features else None


def for_product(
    agent: Agent,
    product_id: str,
    filters: Filters,
    customer_id: str | None = None,
    *,
    exclude_purchased: bool = False,
) -> list[dict[str, Any]]:
    """Items bought with the product; ``exclude_purchased`` (a placement's setting) leaves out
    what a personalised customer already bought."""
    recs = agent.brain.recommend_for_product(
        product_id,
        customer_id=_personal(agent, customer_id),
        exclude_purchased=exclude_purchased,
        **filters.kwargs(),
    )
    return render(agent, recs)


def for_cart(
    agent: Agent,
    product_ids: Sequence[str],
    filters: Filters,
    customer_id: str | None = None,
    *,
    exclude_purchased: bool = False,
) -> list[dict[str, Any]]:
    """Items bought with the cart; ``exclude_purchased`` as for :func:`for_product`."""
    recs = agent.brain.recommend_for_cart(
        list(product_ids),
        customer_id=_personal(agent, customer_id),
        exclude_purchased=exclude_purchased,
        **filters.kwargs(),
    )
    return render(agent, recs)


def for_customer(
    agent: Agent, customer_id: str, filters: Filters, *, exclude_purchased: bool = True
) -> list[dict[str, Any]]:
    if PERSONALISED not in agent.features:
        return popular(agent, filters)
    recs = agent.brain.recommend_for_customer(
        customer_id, exclude_purchased=exclude_purchased, **filters.kwargs()
    )
    return render(agent, recs)


def popular(agent: Agent, filters: Filters) -> list[dict[str, Any]]:
    return render(agent, agent.brain.popular(**filters.kwargs()))


def trending(agent: Agent, filters: Filters) -> list[dict[str, Any]]:
    return render(agent, agent.brain.trending(**filters.kwargs()))
