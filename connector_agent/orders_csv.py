"""Read the normalised line-item CSV (gzip) of an order history into contract events.

The file has one row per order line (``order_id, customer_id, created_at, product_id,
product_name, category, quantity, unit_price, currency, status``) and the rows of one order are
contiguous. ``evaluate`` replays these events in memory and ``import-orders`` appends them to the
event log, so both see exactly the same facts. Reading streams the file, one order at a time.

Per order: one ``order.upserted`` keyed ``import:<order_id>`` whose version is the payload hash
(re-importing the same file yields the same events, which the log deduplicates), preceded by one
``product.upserted`` for each product seen for the first time (its price is the unit price of that
line). The file holds no list prices, so a product's posted price never changes during a replay;
its lines' prices (quantity tiers in the UCI shop) are not posted prices and teach the pricer
nothing (see ``online_models.price``).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from online_models.events import IMPORT_KEY_PREFIX, Event, EventError, parse_time, payload_hash

__all__ = ["COLUMNS", "OrdersCsvError", "ImportedOrder", "events_of", "read_orders", "read_events"]

COLUMNS = (
    "order_id",
    "customer_id",
    "created_at",
    "product_id",
    "product_name",
    "category",
    "quantity",
    "unit_price",
    "currency",
    "status",
)
STATUSES = frozenset({"completed", "cancelled", "refunded", "processing"})


class OrdersCsvError(ValueError):
    """The file is not a normalised order CSV; the message names the line and column."""


@dataclass(frozen=True, slots=True)
class ImportedOrder:
    """One order of the file as its contract payload plus where it was read from."""

    line: int
    payload: dict[str, Any]

    def event(self) -> Event:
        created = self.payload["created_at"]
        key = f"{IMPORT_KEY_PREFIX}{self.payload['id']}"
        return Event(0, "order.upserted", key, payload_hash(self.payload), created, self.payload)


def _open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it starts with the gzip magic number."""
    raw = path.open("rb")
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    if head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)
    return raw


def _open_text(path: Path) -> io.TextIOBase:
    # utf-8-sig: a file saved from a spreadsheet starts with a byte-order mark, which would
    # otherwise be part of the first column's name
    return io.TextIOWrapper(_open_binary(path), encoding="utf-8-sig", newline="")


def _undecodable_line(path: Path) -> int | None:
    """The number of the first line that is not UTF-8, or None when it cannot be told.

    The text layer decodes the file in chunks of many lines, so its error does not say which
    line; reading the file again line by line (only once decoding failed) does."""
    try:
        with _open_binary(path) as raw:
            for number, line in enumerate(raw, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    return number
    except (OSError, EOFError, zlib.error):
        pass
    return None


def _rows(text: io.TextIOBase, path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The file's rows, each with the number of the line it ends on.

    What makes the file unreadable (bytes that are not UTF-8, corrupt or truncated gzip data,
    a field over the csv module's size limit, a row with fewer fields than the header) is an
    :class:`OrdersCsvError` naming the line, as a bad value is, never a traceback."""
    reader = csv.DictReader(text)
    lines = reader.reader  # counts the lines it reads (DictReader's count lags on an error)
    try:
        fields = reader.fieldnames or ()
        missing = [c for c in COLUMNS if c not in fields]
        if missing:
            raise OrdersCsvError(f"{path.name}: missing columns: {', '.join(missing)}")
        for row in reader:
            if None in row.values():  # DictReader fills a short row's missing fields with None
                given = sum(value is not None for value in row.values())
                raise OrdersCsvError(
                    f"line {lines.line_num}: {given} fields, the header has {len(fields)}"
                )
            yield lines.line_num, row
    except UnicodeDecodeError as exc:
        line = _undecodable_line(path)
        where = f"line {line}" if line is not None else f"after line {lines.line_num}"
        byte = exc.object[exc.start : exc.start + 1].hex()
        raise OrdersCsvError(f"{where}: not UTF-8 text (byte 0x{byte})") from None
    except csv.Error as exc:  # raised on the line the reader has just counted
        raise OrdersCsvError(f"line {lines.line_num}: {exc}") from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:  # on reading the next line
        raise OrdersCsvError(
            f"line {lines.line_num + 1}: corrupt or truncated gzip data ({exc})"
        ) from None


def _number(row: dict[str, str], column: str, line: int) -> Decimal:
    """A decimal that is a finite float too: ``NaN`` and ``Infinity`` parse, and so does
    ``1e400``, which the models' floats would read as infinity; any of them poisons every sum."""
    try:
        value = Decimal(row[column])
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise OrdersCsvError(f"line {line}: {column}: not a number ({row[column]!r})")
    if not math.isfinite(float(value)):
        raise OrdersCsvError(f"line {line}: {column}: out of range ({row[column]!r})")
    return value


def _line_item(row: dict[str, str], line: int) -> dict[str, Any]:
    units = _number(row, "quantity", line)
    if units != units.to_integral_value():  # "12.0" from a spreadsheet is 12; 0.5 is no unit
        raise OrdersCsvError(f"line {line}: quantity: not a whole number ({row['quantity']!r})")
    quantity = int(units)
    price = _number(row, "unit_price", line)
    if not math.isfinite(float(units) * float(price)):
        raise OrdersCsvError(f"line {line}: quantity × unit_price: out of range")
    if not row["product_id"]:
        raise OrdersCsvError(f"line {line}: product_id: empty")
    return {
        "product_id": row["product_id"],
        "variation_id": None,
        "name": row["product_name"],
        "category": row["category"] or None,
        "quantity": quantity,
        "unit_price": str(price),
    }


def _payload(first: dict[str, str], items: list[dict[str, Any]], line: int) -> dict[str, Any]:
    status = first["status"]
    if status not in STATUSES:
        raise OrdersCsvError(f"line {line}: status: unknown ({status!r})")
    try:
        parse_time(first["created_at"])
    except EventError as exc:
        raise OrdersCsvError(f"line {line}: created_at: {exc}") from exc
    total = sum(Decimal(i["unit_price"]) * i["quantity"] for i in items)
    return {
        "id": first["order_id"],
        "status": status,
        "customer_id": first["customer_id"] or None,
        "guest_key": None,
        "currency": first["currency"],
        "created_at": first["created_at"],
        "paid_at": first["created_at"] if status == "completed" else None,
        "total": str(total),
        "line_items": items,
        "refunds": [],
    }


def read_orders(path: str | Path) -> Iterator[ImportedOrder]:
    """Yield the file's orders in file order; raise :class:`OrdersCsvError` on a bad row."""
    path = Path(path)
    with _open_text(path) as text:
        first: dict[str, str] | None = None
        start = 0
        items: list[dict[str, Any]] = []
        for line, row in _rows(text, path):
            if first is not None and row["order_id"] != first["order_id"]:
                yield ImportedOrder(start, _payload(first, items, start))
                first, items = None, []
            if first is None:
                first, start = row, line
            items.append(_line_item(row, line))
        if first is not None:
            yield ImportedOrder(start, _payload(first, items, start))


def _product_event(item: dict[str, Any], occurred_at: str) -> Event:
    category = item["category"]
    payload = {
        "id": item["product_id"],
        "parent_id": None,
        "type": "simple",
        "name": item["name"],
        "status": "publish",
        "sku": item["product_id"],
        "categories": [{"id": category, "name": category}] if category else [],
        "price": item["unit_price"],
        "regular_price": item["unit_price"],
        "sale_price": None,
        "stock_status": "instock",
        "stock_quantity": None,
        "permalink": None,
        "image": None,
        "price_html": None,
        "gtin": None,
    }
    return Event(
        0, "product.upserted", item["product_id"], payload_hash(payload), occurred_at, payload
    )


def read_events(path: str | Path, *, limit: int | None = None) -> Iterator[Event]:
    """Yield ``product.upserted`` (first sight) and ``order.upserted`` events for the first
    ``limit`` orders of the file (all when ``None``)."""
    return events_of(read_orders(path), limit=limit)


def events_of(orders: Iterable[ImportedOrder], *, limit: int | None = None) -> Iterator[Event]:
    """:func:`read_events` for orders already read (``evaluate`` replays them in time order)."""
    seen: set[str] = set()
    for count, order in enumerate(orders):
        if limit is not None and count >= limit:
            return
        occurred_at = order.payload["created_at"]
        for item in order.payload["line_items"]:
            if item["product_id"] not in seen:
                seen.add(item["product_id"])
                yield _product_event(item, occurred_at)
        yield order.event()
