"""Daily id-set reconciliation: what vanished without a webhook, and what a pass never saw.

A force delete in WooCommerce fires no webhook and leaves no trash, so the only way to notice
it is to compare id sets (``_fields=id``, cheap). Ids held here but not listed there are
*confirmed* with ``include=`` before they are tombstoned (a listing that shifted under
concurrent writes must never delete a live record); ids listed there but not held here are
fetched with ``include=`` and appended, so a record no pass ever saw is repaired (a newer version
of a record held here is the passes' job: reconciliation compares ids, not versions). Variations
are listed per variable product (``/products`` lists parents only); the variations of a
product that is gone go with it. The same ``include=`` fetch checks the deletes webhooks append
(:meth:`Reconciler.revive`), so a delete delivered after the restore that undid it is undone
within seconds rather than at the next daily run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from connector_agent.eventlog import EventLog
from connector_agent.woo import normalise
from connector_agent.woo.client import WooClient
from connector_agent.woo.lookup import CategoryLookup
from connector_agent.woo.webhooks import events_for
from luxebrain.clock import Clock, SystemClock
from online_models.events import Event

PAGE = 100
#: ``resource -> (endpoint, params)`` of the listings ``include=`` asks (``/customers`` lists
#: only the ``customer`` role unless asked for all)
LISTINGS: dict[str, tuple[str, dict[str, Any]]] = {
    "product": ("products", {}),
    "customer": ("customers", {"role": "all"}),
    "order": ("orders", {}),
}


@dataclass
class ReconcileReport:
    tombstoned: dict[str, int] = field(default_factory=dict)
    repaired: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [
            f"{name} -{self.tombstoned.get(name, 0)}/+{self.repaired.get(name, 0)}"
            for name in ("product", "customer", "order")
        ]
        return "reconcile (-tombstoned/+repaired): " + ", ".join(parts)


def _chunks(ids: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(ids, key=lambda key: (len(key), key))
    for start in range(0, len(ordered), PAGE):
        yield ordered[start : start + PAGE]


class Reconciler:
    """Compares the shop's id sets with the store's and appends deletes and repairs."""

    def __init__(self, client: WooClient, log: EventLog, clock: Clock | None = None) -> None:
        self.client = client
        self.log = log
        self.clock = clock or SystemClock()
        self.categories = CategoryLookup(log.store)

    def run(self) -> ReconcileReport:
        report = ReconcileReport()
        self._products(report)
        for resource in ("customer", "order"):
            endpoint, params = LISTINGS[resource]
            remote = set(self._listing(endpoint, {**params, "_fields": "id"}))
            held = self.log.known_keys(resource)
            gone = self._confirm_gone(endpoint, params, held - remote)
            report.tombstoned[resource] = self._tombstone(resource, gone)
            report.repaired[resource] = self._repair(
                endpoint,
                params,
                remote - held,
                lambda record, resource=resource: [self._event(resource, record)],
            )
        return report

    def revive(self, deleted: Iterable[tuple[str, str]]) -> dict[str, int]:
        """Deletes that webhooks appended, checked against the shop: a record ``include=``
        still lists (neither trashed nor deleted) is appended again as its delivery would be.

        WooCommerce sends one queue run's deliveries in any order: an order trashed and
        restored may have its ``order.deleted`` land last and tombstone a live order that no
        later pass lists again (not modified since). The event log revives a record deleted at
        the very version the shop shows (``EventLog._undo_stale_delete``). Returns ``{resource:
        records appended again}``; a variation is not listed by ``include=`` on ``/products``
        and stays deleted until :meth:`run` lists variations per product.
        """
        deleted = set(deleted)
        revived = {}
        for resource, (endpoint, params) in LISTINGS.items():
            keys = {key for kind, key in deleted if kind == resource}
            revived[resource] = self._repair(
                endpoint,
                params,
                keys,
                lambda record, resource=resource: self._delivered(resource, record),
            )
        return revived

    def _delivered(self, resource: str, record: dict[str, Any]) -> list[Event]:
        """A record fetched again, as a delivery of it would append it (an order keeps the
        refund units an earlier payload held)."""
        now = self.clock.iso()
        return events_for(f"{resource}.updated", record, self.log, self.categories, now)[0]

    def _products(self, report: ReconcileReport) -> None:
        remote = self._listing(LISTINGS["product"][0], {"_fields": "id,type"})
        held_parents, held_variations = self._held_products()
        parents_gone = self._confirm_gone("products", {}, set(held_parents) - set(remote))
        gone = set(parents_gone)
        repaired = self._repair(
            "products", {}, set(remote) - set(held_parents), self._product_events
        )
        for parent_id, item in remote.items():
            # a parent repaired above brought its variations along (named after it)
            if item.get("type") != "variable" or parent_id not in held_parents:
                continue
            listed = set(self._listing(f"products/{parent_id}/variations", {"_fields": "id"}))
            held = {key for key, parent in held_variations.items() if parent == parent_id}
            gone |= held - listed
            parent = {"id": parent_id, "name": held_parents.get(parent_id)}
            repaired += self._repair(
                f"products/{parent_id}/variations",
                {},
                listed - held,
                lambda record, parent=parent: [normalise.product_event(record, parent)],
            )
        gone |= {key for key, parent in held_variations.items() if parent in parents_gone}
        report.tombstoned["product"] = self._tombstone("product", gone)
        report.repaired["product"] = repaired

    # ------------------------------------------------------------ remote

    def _listing(self, endpoint: str, params: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """``{id: record}`` of a whole collection, paged by id."""
        records = self.client.list_all(endpoint, {**params, "orderby": "id", "order": "asc"}, PAGE)
        return {str(item["id"]): item for item in records}

    def _fetch(self, endpoint: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self.client.list_page(endpoint, {**params, "per_page": PAGE}).body)

    def _repair(
        self,
        endpoint: str,
        params: dict[str, Any],
        keys: set[str],
        events_of: Callable[[dict[str, Any]], list[Event]],
    ) -> int:
        """Fetch ``keys`` with ``include=``, a page at a time, and append each page's events in
        a transaction of its own once they are all made: the store's write lock is never held
        across a request (webhooks, the applier and snapshots write meanwhile, and WooCommerce
        disables a webhook whose deliveries keep failing)."""
        repaired = 0
        for batch in _chunks(keys):
            records = self._fetch(endpoint, {**params, "include": ",".join(batch)})
            events = [event for record in records for event in events_of(record)]
            repaired += self._append(events)
        return repaired

    def _confirm_gone(self, endpoint: str, params: dict[str, Any], missing: set[str]) -> set[str]:
        """Of ids missing from the listing, those ``include=`` cannot find either."""
        gone: set[str] = set()
        for batch in _chunks(missing):
            found = self._fetch(endpoint, {**params, "include": ",".join(batch)})
            gone |= set(batch) - {str(record["id"]) for record in found}
        return gone

    # ------------------------------------------------------------ local

    def _held_products(self) -> tuple[dict[str, str | None], dict[str, str]]:
        """``({parent or simple id: name}, {variation id: parent id})`` of live products."""
        parents: dict[str, str | None] = {}
        variations: dict[str, str] = {}
        rows = self.log.store.db.conn.execute(
            "SELECT id, parent_id, name FROM products WHERE deleted_at IS NULL"
        )
        for key, parent_id, name in rows:
            if parent_id:
                variations[key] = parent_id
            else:
                parents[key] = name
        return parents, variations

    def _product_events(self, record: dict[str, Any]) -> list[Event]:
        events = [normalise.product_event(record)]
        if record.get("type") == "variable":
            for item in self._listing(f"products/{record['id']}/variations", {}).values():
                events.append(normalise.product_event(item, record))
        return events

    def _event(self, resource: str, record: dict[str, Any]) -> Event:
        if resource == "order":
            return normalise.order_event(record, self.categories)
        return normalise.customer_event(record)

    def _tombstone(self, resource: str, keys: Iterable[str]) -> int:
        now = self.clock.iso()
        return self._append(
            normalise.delete_event(resource, key, self.log.last_version(resource, key), now)
            for key in keys
        )

    def _append(self, events: Iterable[Event | None]) -> int:
        return len(self.log.append(event for event in events if event is not None))
