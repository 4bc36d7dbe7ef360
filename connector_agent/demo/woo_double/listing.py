"""Collection queries as WordPress validates and answers them: paging, ordering, date filters.

``per_page`` is 1–100, ``page`` past the end gives ``[]`` with the totals; ``after``/``before``/
``modified_*`` are strict and compare the local column, or the ``_gmt`` one with
``dates_are_gmt=true``. ``orderby=modified`` has no tie-breaker: rows sharing a second come back
in an order that changes from request to request, as MySQL may return them.

``offset`` (every collection lists it in ``/wp-json/wc/v3``; ``absint``-sanitised, and 0 means
"none") replaces ``page`` in choosing the rows, as in WooCommerce 7.8: the post-backed CRUD
controllers pass it to ``WP_Query``, which then ignores ``paged`` for the ``LIMIT`` but keeps it for
the ``Link`` header, and whose ``found_posts`` stays 0 on an empty result, so an ``offset`` past
the end answers ``[]`` with ``X-WP-Total: 0`` and ``X-WP-TotalPages: 0`` (only ``page`` > 1
triggers the recount); the customers controller (``WP_User_Query``) derives its page from the
offset and always recounts, so its totals stay.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, TypeVar
from urllib.parse import quote_plus

from .dates import StoreTime
from .errors import invalid_param
from .messages import Request, Response

T = TypeVar("T")
DATE_FILTERS = (
    ("after", "created", ">"),
    ("before", "created", "<"),
    ("modified_after", "modified", ">"),
    ("modified_before", "modified", "<"),
)
BOOLEAN_PARAMS = ("dates_are_gmt", "force")


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Any]
    total: int
    total_pages: int
    page: int


def integer(
    params: Mapping[str, str], name: str, default: int, minimum: int, maximum: int | None = None
) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_param(name, f"{name} is not of type integer.", "rest_invalid_type") from None
    if value < minimum or (maximum is not None and value > maximum):
        message = (
            f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)"
            if maximum is not None
            else f"{name} must be greater than or equal to {minimum}"
        )
        raise invalid_param(name, message, "rest_out_of_bounds")
    return value


def boolean(params: Mapping[str, str], name: str) -> bool:
    raw = params.get(name, "false").lower()
    if raw in ("true", "1"):
        return True
    if raw in ("false", "0", ""):
        return False
    raise invalid_param(name, f"{name} is not of type boolean.", "rest_invalid_type")


def enum(params: Mapping[str, str], name: str, allowed: Sequence[str], default: str) -> str:
    value = params.get(name, default)
    if value not in allowed:
        listed = (
            ", ".join(allowed[:-1]) + f" and {allowed[-1]}"
            if len(allowed) == 2
            else ", ".join(allowed)
        )
        raise invalid_param(name, f"{name} is not one of {listed}.", "rest_not_in_enum")
    return value


def id_list(params: Mapping[str, str], name: str) -> dict[int, None] | None:
    """Comma-separated ids, in the order given (a dict: ordered, with O(1) membership)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return dict.fromkeys(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise invalid_param(
            name, f"{name}[0] is not of type integer.", "rest_invalid_type"
        ) from None


def multi(params: Mapping[str, str], name: str) -> list[str] | None:
    """A list parameter sent as ``a,b``, ``name[]=a`` or ``name[0]=a``."""
    values = [v for k, v in params.items() if k == name or k.startswith(f"{name}[")]
    parts = [p for v in values for p in v.split(",") if p]
    return parts or None


def date_filter(
    params: Mapping[str, str], time: StoreTime, modified_filters: bool = True
) -> Callable[[list[T]], list[T]]:
    """Narrows rows by the strict date filters present in ``params`` (one pass per filter).

    Without ``modified_filters`` (stores older than WooCommerce 5.8) ``modified_after`` and
    ``modified_before`` are unknown parameters, which WordPress silently ignores.
    """
    gmt = boolean(params, "dates_are_gmt")
    passes: list[Callable[[list[Any]], list[Any]]] = []
    for name, attribute, op in DATE_FILTERS:
        if name not in params or (attribute == "modified" and not modified_filters):
            continue
        bound = time.filter_value(name, params[name])
        get = attrgetter(attribute)
        column = (
            (lambda row, get=get: get(row)) if gmt else (lambda row, get=get: time.wall(get(row)))
        )
        if op == ">":
            passes.append(lambda rows, col=column, b=bound: [r for r in rows if col(r) > b])
        else:
            passes.append(lambda rows, col=column, b=bound: [r for r in rows if col(r) < b])

    def narrow(rows: list[T]) -> list[T]:
        for one in passes:
            rows = one(rows)
        return rows

    return narrow


def unstable_ties(rng: random.Random) -> Callable[[int], int]:
    """A per-request tie order: ids sharing a sort value come back in a random order."""
    salt = rng.getrandbits(32)
    return lambda item_id: hash((salt, item_id))


def paginate(items: list[T], params: Mapping[str, str], offsets: str | None = None) -> Page:
    """One page of ``items``; ``offsets`` says how the controller treats ``offset``: ``"posts"``
    (CRUD controllers over ``WP_Query``), ``"users"`` (customers) or ``None`` (not passed on)."""
    per_page = integer(params, "per_page", 10, 1, 100)
    page = integer(params, "page", 1, 1)
    total = len(items)
    offset = absint(params, "offset") if offsets else 0
    if not offset:
        start = (page - 1) * per_page
        return Page(items[start : start + per_page], total, math.ceil(total / per_page), page)
    rows = items[offset : offset + per_page]
    if offsets == "users":
        return Page(rows, total, math.ceil(total / per_page), math.ceil(offset / per_page + 1))
    if not rows and page <= 1:
        return Page(rows, 0, 0, page)  # WP_Query found no posts, and only paged > 1 recounts
    return Page(rows, total, math.ceil(total / per_page), page)


def absint(params: Mapping[str, str], name: str) -> int:
    """An ``integer`` parameter WordPress sanitises with ``absint`` (no bounds: -5 reads as 5)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return 0
    try:
        return abs(int(raw))
    except ValueError:
        raise invalid_param(name, f"{name} is not of type integer.", "rest_invalid_type") from None


def link_header(
    url: str, params: Sequence[tuple[str, str]], page: Page, extra: Sequence[tuple[str, str]] = ()
) -> str | None:
    """``prev``/``next`` links that repeat the request's own query (``oauth_*`` included)."""
    base: dict[str, str] = {}
    for key, value in params:
        if key in BOOLEAN_PARAMS:
            value = "1" if value.lower() in ("true", "1") else ""
        base[key] = value
    for key, value in extra:
        base.setdefault(key, value)
    links = []
    if page.page > 1:
        links.append((min(page.page - 1, page.total_pages), "prev"))
    if page.total_pages > page.page:
        links.append((page.page + 1, "next"))
    if not links:
        return None
    out = []
    for number, rel in links:
        query = dict(base)
        query["page"] = str(number)
        encoded = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in query.items())
        out.append(f'<{url}?{encoded}>; rel="{rel}"')
    return ", ".join(out)


def page_response(
    base_url: str,
    request: Request,
    page: Page,
    body: list[Any],
    extra: Sequence[tuple[str, str]] = (),
) -> Response:
    """A collection answer: the page, ``X-WP-Total``/``X-WP-TotalPages`` and ``Link``."""
    headers = {"X-WP-Total": str(page.total), "X-WP-TotalPages": str(page.total_pages)}
    link = link_header(f"{base_url}/wp-json{request.path.rstrip('/')}", request.params, page, extra)
    if link:
        headers["Link"] = link
    return Response(200, body, headers)
