"""Backfill and incremental sync of products (with variations), customers and orders.

One *pass* per resource walks a stable order (``orderby=id``, ascending) of everything modified
after the last completed pass's watermark (minus ``overlap_seconds``: WooCommerce's date filters
are strict), then — for orders and products — the trash (``status=trash``: soft deletes, which
the default listing hides). After every page the page's events and the cursor go in **one
transaction**, so a pass killed at any point resumes where it was and skips nothing; rows read
twice add nothing (the event log dedupes on ``(kind, key, version)``).

The watermark is always the *shop's* time (the ``Date`` of the answers it sent before the pass),
never this machine's clock: with no server time known, the watermark does not move.

The cursor of a resource (``store.cursor(resource)``)::

    {"watermark": "…Z" | None,          # where the next pass starts (server time of the last)
     "pass": {"since": "…Z" | None,     # this pass's lower bound (None: everything)
              "until": "…Z" | None,     # server time when it began: the next watermark
              "phase": "live" | "trash",
              "offset": n,              # rows before the next unread one, as last counted
              "after": id | None,       # the highest id read in this phase
              "page": n, "read": n}}    # progress: pages checkpointed + 1, rows read

Rows leave a listing mid-pass (trashed, restored, deleted) while others arrive, so positions
shift and no header tells how (``X-WP-Total`` stays put when as many arrive as leave). Each page
is therefore asked for with ``offset`` a few rows *before* the next unread one and must begin at
a row already read: only then is every row between the last id read and the page's end in it.
If it begins past the last id read (or is empty), rows before it left and it started too late,
so the pass steps further back; rows already read are dropped. (Reconciliation compares id sets
only, so it could not repair an update a pass skipped.)
Customers have no server-side date filter: an incremental pass scans them by id with
``_fields=id,date_modified_gmt`` and fetches the changed ones with ``include=``. Stores older
than WooCommerce 5.8 (no ``modified_after``) get a full scan every pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from connector_agent.errors import SyncError
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from connector_agent.woo import normalise
from connector_agent.woo.client import WooClient
from connector_agent.woo.lookup import CategoryLookup
from luxebrain.clock import Clock, SystemClock
from luxebrain.digits import only_digits
from online_models.events import Event, parse_time

log = logging.getLogger(__name__)

RESOURCES = ("products", "customers", "orders")
#: refunds modified longer ago than this are not asked for their units: those only move the
#: demand forecasts, which read the recent weeks, and a backfill would otherwise send one more
#: request for every refunded order of the shop's whole history
REFUND_UNITS_DAYS = 90
MODIFIED_AFTER_SINCE = (5, 8)
#: rows each page re-reads before the next unread one: the first must be a row already read
#: (else rows before it left the listing); more than one lets a few leave without a step back
OVERLAP_ROWS = 3

#: ``on_page(resource, phase, records read so far in the phase, X-WP-Total or None)``
ProgressHook = Callable[[str, str, int, "int | None"], None]


def supports_modified_after(version: str | None) -> bool:
    """WooCommerce 5.8 added ``modified_after``; an unknown version gets the safe full scan."""
    if not version:
        return False
    parts: list[int] = []
    for part in version.split(".")[:2]:
        digits = only_digits(part)
        parts.append(int(digits) if digits else 0)
    return tuple(parts) >= MODIFIED_AFTER_SINCE


def wc_time(moment: str, minus_seconds: int = 0) -> str:
    """A contract time as the naive UTC string WooCommerce wants with ``dates_are_gmt=true``."""
    shifted = parse_time(moment) - timedelta(seconds=minus_seconds)
    return shifted.strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class ResourceReport:
    backfill: bool = False
    pages: int = 0
    records: int = 0
    appended: int = 0
    deleted: int = 0


@dataclass
class SyncReport:
    """What one sync run did; ``summary()`` is the CLI's one line."""

    mode: str
    version: str | None
    resources: dict[str, ResourceReport] = field(default_factory=dict)
    interrupted: bool = False

    def summary(self) -> str:
        parts = [
            f"{name} {r.records} read/{r.appended} new"
            + (f"/{r.deleted} deleted" if r.deleted else "")
            for name, r in self.resources.items()
        ]
        state = "interrupted (resumes next run)" if self.interrupted else "done"
        version = self.version or "unknown"
        mode = "backfill" if any(r.backfill for r in self.resources.values()) else self.mode
        return f"sync {mode} {state}: {', '.join(parts)} (WooCommerce {version})"


@dataclass(frozen=True)
class Phase:
    """One listing walked in a pass: its name, endpoint, fixed params, and whether it is dated."""

    name: str
    endpoint: str
    params: dict[str, Any]
    date_filter: bool
    #: without a server-side filter, an incremental pass scans only these fields, then fetches
    #: the changed records by ``include=`` (about 5x cheaper per page on a real store)
    scan_fields: str | None = None


class _Interrupted(Exception):
    """A stop was requested between pages; the last page is checkpointed."""


class Syncer:
    """Runs sync passes for one shop into one store. Not thread-safe: one per thread."""

    def __init__(
        self,
        client: WooClient,
        store: Store,
        log_: EventLog | None = None,
        *,
        page_size: int = 100,
        overlap_seconds: int = 1,
        version_hint: str | None = None,
        clock: Clock | None = None,
        on_page: ProgressHook | None = None,
        on_append: Callable[[], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.log = log_ or EventLog(store)
        self.page_size = page_size
        # at least 1 s: the filters are strict and the watermark has second resolution
        self.overlap = max(1, overlap_seconds)
        self.version_hint = version_hint
        self.clock = clock or SystemClock()
        self.on_page = on_page
        self.on_append = on_append
        self.should_stop = should_stop or (lambda: False)
        self.categories = CategoryLookup(store)

    # ------------------------------------------------------------ entry point

    def run(self, *, full: bool = False, resources: Iterable[str] = RESOURCES) -> SyncReport:
        """One sync run over ``resources``: resumes interrupted passes, else starts new ones."""
        resources = list(resources)
        unknown = [name for name in resources if name not in RESOURCES]
        if unknown:
            raise SyncError(f"unknown resource {unknown[0]!r} (known: {', '.join(RESOURCES)})")
        try:
            version, server_now = self.client.detect_version()
        except SyncError as exc:
            for resource in resources:
                self.store.record_sync_error(resource, exc.message)
            raise
        version = version or self.version_hint
        incremental = supports_modified_after(version) and not full
        report = SyncReport("incremental" if incremental else "full", version)
        # the shop's time, never ours: a clock minutes fast would make the next pass skip those
        # minutes for good (the client keeps the Date of every answer, refusals included)
        now = server_now or self.client.server_time
        for resource in resources:
            result = report.resources[resource] = ResourceReport()
            try:
                self._run_resource(resource, incremental, now, result)
            except _Interrupted:
                report.interrupted = True
                break
            except SyncError as exc:
                self.store.record_sync_error(resource, exc.message)
                raise
        return report

    def _run_resource(
        self, resource: str, incremental: bool, now: str | None, result: ResourceReport
    ) -> None:
        state = self.store.cursor(resource)
        current = state.get("pass")
        if current is None or (not incremental and current.get("since") is not None):
            since = state.get("watermark") if incremental else None
            # no server time known: keep the old watermark (None: the next pass reads all)
            until = now or state.get("watermark")
            current = {"since": since, "until": until, "phase": "live", **_PHASE_START}
        result.backfill = current["since"] is None and "watermark" not in state
        phases = self._phases(resource)
        names = [phase.name for phase in phases]
        for phase in phases[names.index(current["phase"]) :]:
            if current["phase"] != phase.name:
                current = {**current, "phase": phase.name, **_PHASE_START}
            current = self._walk(resource, phase, state, current, result)
        final = {"watermark": current["until"]}
        with self.store.transaction():
            self.store.save_cursor(resource, final, success=True)

    # ------------------------------------------------------------ phases

    def _phases(self, resource: str) -> list[Phase]:
        by_id = {"orderby": "id", "order": "asc"}
        if resource == "customers":
            return [
                Phase(
                    "live",
                    "customers",
                    {**by_id, "role": "all"},
                    date_filter=False,
                    scan_fields="id,date_modified_gmt",
                )
            ]
        return [
            # "any" is every status but trash (the default, said explicitly)
            Phase("live", resource, {**by_id, "status": "any"}, date_filter=True),
            Phase("trash", resource, {**by_id, "status": "trash"}, date_filter=True),
        ]

    def _params(self, phase: Phase, current: dict[str, Any], start: int) -> dict[str, Any]:
        params = {**phase.params, "per_page": self._per_page}
        if start:
            params["offset"] = start  # WooCommerce reads offset 0 as "none" and uses page 1
        if current["since"] is not None and phase.date_filter:
            params["modified_after"] = wc_time(current["since"], self.overlap)
            params["dates_are_gmt"] = "true"
        elif current["since"] is not None and phase.scan_fields:
            params["_fields"] = phase.scan_fields
        return params

    @property
    def _per_page(self) -> int:
        return max(2, self.page_size)  # room for one row already read and one new

    def _walk(
        self,
        resource: str,
        phase: Phase,
        state: dict[str, Any],
        current: dict[str, Any],
        result: ResourceReport,
    ) -> dict[str, Any]:
        per_page = self._per_page
        overlap = min(OVERLAP_ROWS, per_page - 1)
        # a cursor from before offsets (page and total only) resumes at its page, unanchored
        offset = current.get("offset", (current["page"] - 1) * self.page_size)
        after: int | None = current.get("after")
        read = current.get("read", offset)
        back = overlap if after is not None else 0
        while True:
            if self.should_stop():
                raise _Interrupted
            start = max(0, offset - back)
            reply = self.client.list_page(phase.endpoint, self._params(phase, current, start))
            items: list[dict[str, Any]] = reply.body
            if start > 0 and (not items or (after is not None and _id(items[0]) > after)):
                # rows before this page left the listing mid-pass and it begins past the last
                # id read: rows between may have moved up, so step further back
                log.info("%s %s: rows left mid-pass; stepping back", resource, phase.name)
                back = max(2 * back, 1)
                continue
            fresh = [item for item in items if after is None or _id(item) > after]
            events = self._events(resource, phase, fresh, current["since"])
            last = _ends(reply.total, start, per_page, items)
            if items:
                after = max([_id(item) for item in items] + ([] if after is None else [after]))
            offset = start + per_page  # rows the key may not read are left out but counted
            back = overlap
            read += len(fresh)
            current = {
                **current,
                "offset": offset,
                "after": after,
                "page": current["page"] + 1,
                "read": read,
            }
            with self.store.transaction():
                added = self.log.append(events)
                self.store.save_cursor(resource, {**state, "pass": current})
            result.pages += 1
            result.records += len(fresh)
            result.appended += len(added)
            result.deleted += sum(1 for event in added if event.kind.endswith(".deleted"))
            if added and self.on_append:
                self.on_append()
            if self.on_page:
                self.on_page(resource, phase.name, read, reply.total)
            if last:
                return current

    # ------------------------------------------------------------ items → events

    def _events(
        self, resource: str, phase: Phase, items: list[dict[str, Any]], since: str | None
    ) -> list[Event]:
        singular = resource.rstrip("s")
        if phase.name == "trash":
            return self._deletes(singular, items)
        if resource == "orders":
            return [
                normalise.order_event(item, self.categories, self._refund_lines(item))
                for item in items
            ]
        if resource == "customers":
            return [normalise.customer_event(item) for item in self._changed(phase, items, since)]
        events: list[Event] = []
        for item in items:
            events.append(normalise.product_event(item))
            if item.get("type") == "variable":
                events.extend(self._variations(item))
        return events

    def _deletes(self, resource: str, items: list[dict[str, Any]]) -> list[Event]:
        events = []
        for item in items:
            key = str(item["id"])
            last = self.log.last_version(resource, key)
            shop_time = normalise.utc(item.get("date_modified_gmt"))
            trashed_at = shop_time or self.clock.iso()
            if normalise.held_since(last, trashed_at):
                continue  # restored since this listing was read (a webhook was faster)
            event = normalise.delete_event(resource, key, last, trashed_at, trashed_at=shop_time)
            if event is not None:
                events.append(event)
        return events

    def _changed(
        self, phase: Phase, items: list[dict[str, Any]], since: str | None
    ) -> list[dict[str, Any]]:
        """Records modified since the watermark, for a listing without a date filter."""
        if since is None:
            return items
        floor = parse_time(since) - timedelta(seconds=self.overlap)
        changed = [str(item["id"]) for item in items if _changed(item, floor)]
        if not changed:
            return []
        params = {**phase.params, "include": ",".join(changed), "per_page": len(changed)}
        return list(self.client.list_page(phase.endpoint, params).body)

    def _refund_lines(self, order: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """The units each of an order's refunds gave back: known from the order's last event,
        else read from ``/orders/{id}/refunds`` (once per new refund, not on every sync)."""
        refunds = order.get("refunds")
        if not isinstance(refunds, list) or not refunds:
            return {}
        known = normalise.known_refund_lines(self.log.last_payload("order", str(order.get("id"))))
        wanted = {str(r.get("id")) for r in refunds if isinstance(r, dict)}
        if wanted <= known.keys() or not self._recent(order):
            return known
        refunds = self.client.list_all(f"orders/{order['id']}/refunds", {}, self.page_size)
        known.update(normalise.refund_lines(list(refunds)))
        return known

    def _recent(self, order: dict[str, Any]) -> bool:
        """Modified within ``REFUND_UNITS_DAYS`` (or of unknown age)."""
        return _changed(order, self.clock.now() - timedelta(days=REFUND_UNITS_DAYS))

    def _variations(self, parent: dict[str, Any]) -> list[Event]:
        """All variations of a variable product (their own paged listing)."""
        variations = self.client.list_all(
            f"products/{parent['id']}/variations", {"orderby": "id", "order": "asc"}, self.page_size
        )
        return [normalise.product_event(item, parent) for item in variations]


_PHASE_START: dict[str, Any] = {"offset": 0, "after": None, "page": 1, "read": 0}


def _id(item: dict[str, Any]) -> int:
    """A listed record's id (pages are walked in id order): a clear error when there is none."""
    value = item.get("id") if isinstance(item, dict) else None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SyncError(
            f"WooCommerce listed a record whose id is not a number: {value!r}"
        ) from None


def _ends(total: int | None, start: int, per_page: int, items: list[Any]) -> bool:
    """Whether a page read from ``offset=start`` reaches the listing's end: an empty page, or
    one covering row ``X-WP-Total``; a short page says so only when that header is missing
    (WooCommerce counts, but leaves out, records the key may not read)."""
    if not items:
        return True
    if total is not None:
        return start + per_page >= total
    return len(items) < per_page


def _changed(item: dict[str, Any], floor: datetime) -> bool:
    """Modified after ``floor`` (customers have no server-side date filter)."""
    stamp = normalise.utc(item.get("date_modified_gmt"))
    return stamp is None or parse_time(stamp) > floor
