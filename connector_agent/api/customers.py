"""Privacy: ``POST /v1/customers/<id>/erase`` and ``GET /v1/customers/<id>/export`` (guests,
who have no id: ``guests.py``).

Erasing goes through :meth:`EventLog.erase_customer` (store rows, redacted events, and a
``customer.erased`` event the models learn to forget the customer). Exporting returns what the
store holds about the customer: their row and their orders with lines and refunds.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint

from connector_agent.api.context import current_agent
from connector_agent.api.params import an_id
from connector_agent.errors import NotFound
from connector_agent.store import Store

blueprint = Blueprint("customers", __name__, url_prefix="/v1/customers")


def _rows(store: Store, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = store.db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


#: the columns that link an order to a person (see ``orders_with``)
_LINKS = ("customer_id", "guest_key")


def orders_with(store: Store, link: str, value: str) -> list[dict[str, Any]]:
    """The orders whose ``link`` column (customer_id or guest_key) is ``value``, oldest first,
    each with its ``line_items`` and ``refunds``."""
    if link not in _LINKS:
        raise ValueError(f"orders are linked by {' or '.join(_LINKS)}, not {link!r}")
    orders = _rows(store, f"SELECT * FROM orders WHERE {link} = ? ORDER BY created_at", [value])
    for order in orders:
        order["line_items"] = _rows(
            store,
            "SELECT product_id, variation_id, name, category, quantity, unit_price "
            "FROM line_items WHERE order_id = ? ORDER BY position",
            [order["id"]],
        )
        order["refunds"] = _rows(
            store, "SELECT refund_id, amount, reason FROM refunds WHERE order_id = ?", [order["id"]]
        )
    return orders


def export_customer(store: Store, customer_id: str) -> dict[str, Any] | None:
    """The customer's row and orders (with ``line_items`` and ``refunds``); None if unknown."""
    customers = _rows(store, "SELECT * FROM customers WHERE id = ?", [customer_id])
    orders = orders_with(store, "customer_id", customer_id)
    if not customers and not orders:
        return None
    customer = customers[0] if customers else None
    return {"customer": customer, "orders": orders}


@blueprint.post("/<customer_id>/erase")
async def erase(customer_id: str) -> dict[str, Any]:
    agent = current_agent()
    customer_id = an_id(customer_id, "customer_id")
    result = agent.log.erase_customer(customer_id)
    agent.events_appended()
    return {"erased": customer_id, **result}


@blueprint.get("/<customer_id>/export")
async def export(customer_id: str) -> dict[str, Any]:
    customer_id = an_id(customer_id, "customer_id")
    found = export_customer(current_agent().store, customer_id)
    if found is None:
        raise NotFound(f"no customer {customer_id!r}", field="customer_id")
    return found
