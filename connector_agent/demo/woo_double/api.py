"""The ``/wp-json`` routes: dispatch, permissions and the collection/item handlers.

Handlers read and write :class:`~.state.StoreState` under its lock and answer the JSON objects
of :class:`~.render.Renderer`. Anonymous requests get the 401 the store gives for that kind of
route (``cannot_view`` for reads, ``cannot_create``/``edit``/``delete`` for writes).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from .api_webhooks import WebhookRoutes
from .dates import StoreTime
from .errors import WooRestError, no_route
from .fields import apply_fields, parse_fields, wants
from .listing import (
    Page,
    boolean,
    date_filter,
    enum,
    id_list,
    integer,
    multi,
    page_response,
    paginate,
    unstable_ties,
)
from .messages import NO_CACHE, Request, Response
from .render import Renderer
from .state import ORDER_STATUSES, StoreState
from .webhooks import WebhookHub

Handler = Callable[[Request, re.Match[str]], Response]
ORDER_ORDERBY = ("date", "id", "include", "title", "slug", "modified")
PRODUCT_ORDERBY = (
    "date",
    "modified",
    "id",
    "include",
    "title",
    "slug",
    "price",
    "popularity",
    "rating",
    "menu_order",
)
CUSTOMER_ORDERBY = ("id", "include", "name", "registered_date")
VARIATION_ORDERBY = ("date", "id", "include", "title", "slug", "modified", "menu_order")
VARIATION_SORT_KEYS: dict[str, Callable[[Any], Any]] = {
    "date": lambda p: (p.created, p.id),  # WooCommerce turns orderby=date into "date ID"
    "title": lambda p: p.name.lower(),
    "slug": lambda p: p.slug,
    "menu_order": lambda p: 0,  # every variation here has menu_order 0: ties keep their order
}
PRODUCT_FIELDS = (
    "name",
    "regular_price",
    "stock_quantity",
    "manage_stock",
    "status",
    "catalog_visibility",
)
ANONYMOUS = {
    "GET": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "POST": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "PUT": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "DELETE": (
        "woocommerce_rest_cannot_delete",
        "Sorry, you are not allowed to delete this resource.",
    ),
}
LIST_ALLOW = "GET, POST"
ROW_NEUTRAL_PARAMS = (
    "page",
    "offset",
    "per_page",
    "_fields",
    "context",
    "dp",
    "consumer_key",
    "consumer_secret",
)
QUERY_CACHE_SIZE = 16
MODIFIED_FILTERS_SINCE = (5, 8)  # WooCommerce added modified_after/_before to REST v3 in 5.8
ITEM_ALLOW = "GET, POST, PUT, PATCH, DELETE"


class RestApi:
    """Routes ``/wc/v3/...`` requests to handlers; ``public`` routes need no credentials."""

    def __init__(
        self,
        state: StoreState,
        hub: WebhookHub,
        renderer: Renderer,
        time: StoreTime,
        system_status: Callable[[], dict[str, Any]],
        index: Callable[[str], dict[str, Any]],
        seed: int = 0,
    ) -> None:
        self.state, self.hub, self.renderer, self.time = state, hub, renderer, time
        self.system_status, self.index = system_status, index
        self.rng = random.Random(seed)
        self._queries: dict[tuple[Any, ...], list[Any]] = {}
        self.webhooks = WebhookRoutes(hub, renderer, state.now)
        version = tuple(int(p) for p in re.findall(r"\d+", renderer.wc_version)[:2])
        self.modified_filters = version >= MODIFIED_FILTERS_SINCE
        item = r"/(?P<id>\d+)"
        self.routes: list[tuple[str, re.Pattern[str], Handler, str]] = [
            (m, re.compile(f"^/wc/v3{p}/?$"), h, allow)
            for m, p, h, allow in [
                ("GET", "/orders", self.list_orders, LIST_ALLOW),
                ("POST", "/orders", self.create_order, LIST_ALLOW),
                ("GET", f"/orders{item}", self.get_order, ITEM_ALLOW),
                ("PUT", f"/orders{item}", self.update_order, ITEM_ALLOW),
                ("DELETE", f"/orders{item}", self.delete_order, ITEM_ALLOW),
                ("GET", f"/orders{item}/refunds", self.list_refunds, LIST_ALLOW),
                ("POST", f"/orders{item}/refunds", self.create_refund, LIST_ALLOW),
                ("GET", "/products", self.list_products, LIST_ALLOW),
                ("POST", "/products", self.create_product, LIST_ALLOW),
                ("GET", f"/products{item}", self.get_product, ITEM_ALLOW),
                ("PUT", f"/products{item}", self.update_product, ITEM_ALLOW),
                ("DELETE", f"/products{item}", self.delete_product, ITEM_ALLOW),
                ("GET", f"/products{item}/variations", self.list_variations, LIST_ALLOW),
                ("GET", "/customers", self.list_customers, LIST_ALLOW),
                ("POST", "/customers", self.create_customer, LIST_ALLOW),
                ("GET", f"/customers{item}", self.get_customer, ITEM_ALLOW),
                ("PUT", f"/customers{item}", self.update_customer, ITEM_ALLOW),
                ("DELETE", f"/customers{item}", self.delete_customer, ITEM_ALLOW),
                ("GET", "/webhooks", self.webhooks.list, LIST_ALLOW),
                ("POST", "/webhooks", self.webhooks.create, LIST_ALLOW),
                ("GET", f"/webhooks{item}", self.webhooks.get, ITEM_ALLOW),
                ("PUT", f"/webhooks{item}", self.webhooks.update, ITEM_ALLOW),
                ("DELETE", f"/webhooks{item}", self.webhooks.delete, ITEM_ALLOW),
                ("GET", "/system_status", self.get_system_status, "GET"),
            ]
        ]

    # dispatch -----------------------------------------------------------------------------
    def public(self, request: Request) -> Response | None:
        """The unauthenticated index routes, or None."""
        if request.method != "GET":
            return None
        if request.path in ("", "/"):
            body = self.index("/")
        elif request.path.rstrip("/") == "/wc/v3":
            body = self.index("/wc/v3")
        else:
            return None
        links = body.get("_links")
        body = apply_fields(body, parse_fields(request.query.get("_fields")))
        if links is not None:
            body["_links"] = links  # the index keeps its links whatever _fields says
        return Response(200, body, {"Allow": "GET"})

    def handle(self, request: Request, logged_in: bool) -> Response:
        method = "PUT" if request.method == "PATCH" else request.method
        for route_method, pattern, handler, allow in self.routes:
            match = pattern.match(request.path)
            if match and route_method == method:
                if not logged_in:
                    code, message = ANONYMOUS[method]
                    if (
                        method == "GET"
                        and "id" in match.groupdict()
                        and not request.path.endswith(("refunds", "variations"))
                    ):
                        message = "Sorry, you cannot view this resource."
                    raise WooRestError(401, code, message)
                try:
                    response = handler(request, match)
                except WooRestError as error:
                    response = Response(error.status, error.body())
                response.headers.setdefault("Allow", allow)
                response.headers.update(NO_CACHE)
                return response
        raise no_route()

    def _page(
        self, request: Request, page: Page, body: list[Any], extra: tuple[tuple[str, str], ...] = ()
    ) -> Response:
        return page_response(self.renderer.base_url, request, page, body, extra)

    # orders -------------------------------------------------------------------------------
    def list_orders(self, request: Request, _: re.Match[str]) -> Response:
        q = request.query
        statuses = multi(q, "status") or ["any"]
        for status in statuses:
            if status not in ("any", "trash", *ORDER_STATUSES):
                raise WooRestError(
                    400,
                    "rest_invalid_param",
                    "Invalid parameter(s): status",
                    params={
                        "status": f"status[0] is not one of any, trash, "
                        f"{', '.join(ORDER_STATUSES)}."
                    },
                )
        wanted = set(statuses)
        customer = integer(q, "customer", -1, 0)
        include, exclude = id_list(q, "include"), id_list(q, "exclude")
        narrow = date_filter(q, self.time, self.modified_filters)
        orderby = enum(q, "orderby", ORDER_ORDERBY, "date")
        descending = enum(q, "order", ("asc", "desc"), "desc") == "desc"
        fields = parse_fields(q.get("_fields"))

        def select() -> list[Any]:
            rows = [
                o
                for o in self.state.orders.values()
                if (o.status in wanted or ("any" in wanted and o.status != "trash"))
                and (customer < 0 or o.customer_id == customer)
                and (include is None or o.id in include)
                and (exclude is None or o.id not in exclude)
            ]
            rows = narrow(rows)
            return self._sort(
                rows,
                orderby,
                descending,
                include,
                {
                    "date": lambda o: (o.created, o.id),
                    "title": lambda o: (o.created, o.id),
                    "slug": lambda o: (o.created, o.id),
                },
            )

        with self.state.lock:
            rows = self._cached(request, orderby, select)
            page = paginate(rows, q, "posts")
            lines = wants(fields, "line_items")
            body = [apply_fields(self.renderer.order(o, lines), fields) for o in page.items]
        extra = () if "status" in q else (("status[0]", "any"), ("dp", "2"), ("context", "view"))
        return self._page(request, page, body, extra)

    def _cached(self, request: Request, orderby: str, select: Callable[[], list[Any]]) -> list[Any]:
        """The selected, sorted rows of a query, reused while the store is unchanged (a
        backfill asks the same query page after page). ``orderby=modified`` is never reused:
        its ties must be able to move between requests."""
        if orderby == "modified":
            return select()
        key = (
            request.path,
            self.state.version,
            tuple(
                sorted(
                    (k, v)
                    for k, v in request.params
                    if k not in ROW_NEUTRAL_PARAMS and not k.startswith("oauth_")
                )
            ),
        )
        rows = self._queries.get(key)
        if rows is None:
            rows = self._queries[key] = select()
            while len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.pop(next(iter(self._queries)))
        return rows

    def _sort(
        self,
        rows: list[Any],
        orderby: str,
        descending: bool,
        include: dict[int, None] | None,
        keys: dict[str, Callable[[Any], Any]],
    ) -> list[Any]:
        if orderby == "include" and include is not None:
            position = {item_id: i for i, item_id in enumerate(include)}
            return sorted(rows, key=lambda r: position[r.id])
        if orderby == "modified":
            tie = unstable_ties(self.rng)
            return sorted(rows, key=lambda r: (r.modified, tie(r.id)), reverse=descending)
        key = keys.get(orderby, lambda r: r.id)
        return sorted(rows, key=key, reverse=descending)

    def _order_body(self, order_id: int) -> dict[str, Any]:
        return self.renderer.order(self.state.order(order_id))

    def get_order(self, _: Request, m: re.Match[str]) -> Response:
        with self.state.lock:
            return Response(200, self._order_body(int(m["id"])))

    def create_order(self, request: Request, _: re.Match[str]) -> Response:
        data = request.values()
        items = data.get("line_items") or []
        try:
            lines = [(int(i["product_id"]), int(i.get("quantity", 1))) for i in items]
            customer = int(data.get("customer_id", 0))
        except (TypeError, KeyError, ValueError):
            raise WooRestError(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): line_items",
                params={"line_items": "line_items needs product_id and quantity."},
            ) from None
        status = "processing" if data.get("set_paid") else str(data.get("status", "pending"))
        with self.state.lock:
            order = self.state.create_order(customer, lines, status)
            return Response(201, self.renderer.order(order))

    def update_order(self, request: Request, m: re.Match[str]) -> Response:
        data = request.values()
        fields = {k: data[k] for k in ("status", "customer_note", "billing") if k in data}
        with self.state.lock:
            return Response(
                200, self.renderer.order(self.state.update_order(int(m["id"]), **fields))
            )

    def delete_order(self, request: Request, m: re.Match[str]) -> Response:
        force = boolean(request.query, "force")
        with self.state.lock:
            body = self._order_body(int(m["id"]))
            if force:
                self.state.force_delete_order(int(m["id"]))
            else:
                self.state.trash_order(int(m["id"]))
            return Response(200, body)

    def list_refunds(self, request: Request, m: re.Match[str]) -> Response:
        with self.state.lock:
            order = self.state.order(int(m["id"]))
            refunds = list(reversed(order.refunds))
            page = paginate(refunds, request.query, "posts")
            body = [self.renderer.refund(order.id, r) for r in page.items]
        fields = parse_fields(request.query.get("_fields"))
        return self._page(request, page, [apply_fields(b, fields) for b in body])

    def create_refund(self, request: Request, m: re.Match[str]) -> Response:
        data = request.values()
        with self.state.lock:
            refund = self.state.refund_order(
                int(m["id"]),
                str(data.get("amount", "")),
                str(data.get("reason", "")),
                _refund_lines(data.get("line_items")),
            )
            return Response(201, self.renderer.refund(int(m["id"]), refund))

    # products -----------------------------------------------------------------------------
    def list_products(self, request: Request, _: re.Match[str]) -> Response:
        q = request.query
        status = q.get("status", "any")
        kind, sku = q.get("type"), q.get("sku")
        category = integer(q, "category", -1, 0)
        include, exclude = id_list(q, "include"), id_list(q, "exclude")
        narrow = date_filter(q, self.time, self.modified_filters)
        orderby = enum(q, "orderby", PRODUCT_ORDERBY, "date")
        descending = enum(q, "order", ("asc", "desc"), "desc") == "desc"
        fields = parse_fields(q.get("_fields"))

        def select() -> list[Any]:
            rows = [
                p
                for p in self.state.products.values()
                if p.parent_id == 0
                and (p.status == status or (status == "any" and p.status != "trash"))
                and (kind is None or p.type == kind)
                and (sku is None or p.sku == sku)
                and (category < 0 or category in p.categories)
                and (include is None or p.id in include)
                and (exclude is None or p.id not in exclude)
            ]
            rows = narrow(rows)
            return self._sort(
                rows,
                orderby,
                descending,
                include,
                {
                    "date": lambda p: (p.created, p.id),
                    "title": lambda p: p.name.lower(),
                    "slug": lambda p: p.slug,
                    "price": lambda p: float(p.price or 0),
                    "popularity": lambda p: p.total_sales,
                },
            )

        with self.state.lock:
            rows = self._cached(request, orderby, select)
            page = paginate(rows, q, "posts")
            body = [apply_fields(self.renderer.product(p), fields) for p in page.items]
        return self._page(request, page, body)

    def get_product(self, _: Request, m: re.Match[str]) -> Response:
        with self.state.lock:
            return Response(200, self.renderer.product(self.state.product(int(m["id"]))))

    def create_product(self, request: Request, _: re.Match[str]) -> Response:
        data = request.values()
        stock = data.get("stock_quantity")
        if isinstance(stock, str) and stock.isdigit():
            stock = int(stock)
        with self.state.lock:
            product = self.state.create_product(
                data.get("name", ""),
                str(data.get("regular_price", "")),
                str(data.get("sku", "")),
                stock,
                [c["id"] for c in data.get("categories", []) if isinstance(c, dict) and "id" in c],
                str(data.get("type", "simple")),
            )
            return Response(201, self.renderer.product(product))

    def update_product(self, request: Request, m: re.Match[str]) -> Response:
        data = request.values()
        fields = {k: data[k] for k in PRODUCT_FIELDS if k in data}
        if isinstance(fields.get("stock_quantity"), str) and fields["stock_quantity"].isdigit():
            fields["stock_quantity"] = int(fields["stock_quantity"])
        with self.state.lock:
            product = self.state.update_product(int(m["id"]), **fields)
            return Response(200, self.renderer.product(product))

    def delete_product(self, request: Request, m: re.Match[str]) -> Response:
        force = boolean(request.query, "force")
        with self.state.lock:
            body = self.renderer.product(self.state.product(int(m["id"])), edit=True)
            if force:
                self.state.force_delete_product(int(m["id"]))
            else:
                self.state.trash_product(int(m["id"]))
            return Response(200, body)

    def list_variations(self, request: Request, m: re.Match[str]) -> Response:
        """``GET /products/{id}/variations``: newest first by default, with the ordering and
        date filters of the other post listings (the recorded ``/wp-json/wc/v3`` index lists
        them for this route, with its own ``orderby`` enum)."""
        q = request.query
        include, exclude = id_list(q, "include"), id_list(q, "exclude")
        narrow = date_filter(q, self.time, self.modified_filters)
        orderby = enum(q, "orderby", VARIATION_ORDERBY, "date")
        descending = enum(q, "order", ("asc", "desc"), "desc") == "desc"
        fields = parse_fields(q.get("_fields"))
        with self.state.lock:
            parent = self.state.product(int(m["id"]))
            rows = [
                self.state.products[v]
                for v in parent.variations
                if v in self.state.products
                and (include is None or v in include)
                and (exclude is None or v not in exclude)
            ]
            rows = self._sort(narrow(rows), orderby, descending, include, VARIATION_SORT_KEYS)
            page = paginate(rows, q, "posts")
            body = [self.renderer.variation(p) for p in page.items]
        return self._page(request, page, [apply_fields(b, fields) for b in body])

    # customers ----------------------------------------------------------------------------
    def list_customers(self, request: Request, _: re.Match[str]) -> Response:
        q = request.query
        role = q.get("role", "customer")
        email = q.get("email")
        include, exclude = id_list(q, "include"), id_list(q, "exclude")
        orderby = enum(q, "orderby", CUSTOMER_ORDERBY, "name")
        descending = enum(q, "order", ("asc", "desc"), "asc") == "desc"
        fields = parse_fields(q.get("_fields"))

        def select() -> list[Any]:
            rows = [
                c
                for c in self.state.customers.values()
                if (role == "all" or c.role == role)
                and (email is None or c.email == email)
                and (include is None or c.id in include)
                and (exclude is None or c.id not in exclude)
            ]
            return self._sort(
                rows,
                orderby,
                descending,
                include,
                {
                    "name": lambda c: (c.display_name.lower(), c.id),
                    "registered_date": lambda c: (c.created, c.id),
                },
            )

        with self.state.lock:
            rows = self._cached(request, orderby, select)
            page = paginate(rows, q, "users")
            body = [apply_fields(self.renderer.customer(c), fields) for c in page.items]
        return self._page(request, page, body)

    def get_customer(self, _: Request, m: re.Match[str]) -> Response:
        with self.state.lock:
            return Response(200, self.renderer.customer(self.state.customer(int(m["id"]))))

    def create_customer(self, request: Request, _: re.Match[str]) -> Response:
        data = request.values()
        with self.state.lock:
            customer = self.state.create_customer(
                data.get("email", ""),
                str(data.get("first_name", "")),
                str(data.get("last_name", "")),
                data.get("username"),
            )
            return Response(201, self.renderer.customer(customer))

    def update_customer(self, request: Request, m: re.Match[str]) -> Response:
        data = request.values()
        fields = {k: data[k] for k in ("first_name", "last_name", "email", "billing") if k in data}
        with self.state.lock:
            customer = self.state.update_customer(int(m["id"]), **fields)
            return Response(200, self.renderer.customer(customer))

    def delete_customer(self, request: Request, m: re.Match[str]) -> Response:
        if not boolean(request.query, "force"):
            raise WooRestError(
                501, "woocommerce_rest_trash_not_supported", "Customers do not support trashing."
            )
        with self.state.lock:
            body = self.renderer.customer(self.state.customer(int(m["id"])))
            self.state.delete_customer(int(m["id"]))
            return Response(200, body)

    def get_system_status(self, request: Request, _: re.Match[str]) -> Response:
        fields = parse_fields(request.query.get("_fields"))
        return Response(200, apply_fields(self.system_status(), fields))


def _refund_lines(value: Any) -> list[tuple[int, int]]:
    """``line_items`` of a refund request (``[{"id", "quantity", "refund_total"}]``, as v3
    takes them) as (order line item id, quantity); the 400 WordPress gives a wrong shape."""
    if value is None:
        return []
    bad = WooRestError(
        400,
        "rest_invalid_param",
        "Invalid parameter(s): line_items",
        params={"line_items": "line_items is not of type array of objects with id and quantity."},
    )
    if not isinstance(value, list):
        raise bad
    lines = []
    for item in value:
        if not isinstance(item, dict):
            raise bad
        try:
            lines.append((int(item["id"]), int(item.get("quantity", 0))))
        except (KeyError, TypeError, ValueError):
            raise bad from None
    return lines
