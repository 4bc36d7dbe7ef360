"""Deletes that webhooks brought, checked against the shop: a late delivery must not bury a
live record.

WooCommerce sends one queue run's deliveries in any order, about a minute after the change. An
order trashed and restored queues ``order.deleted`` and ``order.restored``; when the restore lands
first, or a sync read the restored order before either arrived, the delete lands last and
tombstones a live order, and no later pass lists it again (it was not modified since): it would
stay deleted here until the daily reconciliation. So a delete that a delivery appended is checked
soon after with ``include=`` (which lists neither trashed nor deleted records); a record the shop
still shows is appended again as its delivery would be, and the event log revives a record
deleted at the very version it shows (``EventLog._undo_stale_delete``).
"""

from __future__ import annotations

from collections.abc import Iterable

from connector_agent.eventlog import EventLog
from connector_agent.woo.client import WooClient
from connector_agent.woo.lookup import CategoryLookup
from connector_agent.woo.webhooks import events_for
from luxebrain.clock import Clock

__all__ = ["revive_live"]

ENDPOINTS = {"product": "products", "customer": "customers", "order": "orders"}
#: ``/customers`` lists only the ``customer`` role unless asked for all
PARAMS = {"customer": {"role": "all"}}
PAGE = 100


def revive_live(
    client: WooClient, log: EventLog, deleted: Iterable[tuple[str, str]], clock: Clock
) -> dict[str, int]:
    """Ask the shop for the deleted ``(resource, key)`` records; append the ones it still shows.

    Returns ``{resource: records appended again}``. A variation is not listed by ``include=`` on
    ``/products`` and stays deleted (the daily reconciliation lists variations per product).
    """
    categories = CategoryLookup(log.store)
    revived: dict[str, int] = {}
    for resource, endpoint in ENDPOINTS.items():
        keys = sorted({key for kind, key in deleted if kind == resource}, key=lambda k: (len(k), k))
        revived[resource] = 0
        for start in range(0, len(keys), PAGE):
            params = {
                **PARAMS.get(resource, {}),
                "include": ",".join(keys[start : start + PAGE]),
                "per_page": PAGE,
            }
            records = client.list_page(endpoint, params).body
            events = []
            for record in records:
                found, _ = events_for(f"{resource}.updated", record, log, categories, clock.iso())
                events += found
            revived[resource] += len(log.append(events))
    return revived
