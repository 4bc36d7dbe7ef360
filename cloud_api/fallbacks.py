"""Cross-store popular items: agents upload item aggregates, the cloud publishes k-anonymous lists.

An item's cross-store key is its GTIN when the store has one, else a hash of its normalised
category path and normalised title (lower case, punctuation removed, tokens sorted), so case and
word order never split an item. Each store keeps one upload (its latest; at most one a day;
staging sites' uploads are not kept). ``publish`` groups the uploads of active stores with a
usable licence per vertical (the tenant's declared shop category) and keeps an item only when
at least ``k`` distinct tenants (shops' owners) sold it, whatever the order counts.
No fuzzy matching happens here: agents map the list onto their own catalogues.

The upload's exact shape is documented in ``docs/cloud/fallbacks.md``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import peewee

from cloud_api import audit, licences
from cloud_api.db import MAX_INTEGER, database, is_sqlite
from cloud_api.errors import InvalidInput, NotFound, RateLimited
from cloud_api.models import BaseModel, Licence, Store, Tenant
from cloud_api.times import DAY, iso
from luxebrain.digits import is_digits

SCHEMA = "luxebrain-fallback-aggregates/1"
DEFAULT_VERTICAL = "general"
DEFAULT_K = 3
MAX_ITEMS = 5000
MAX_ORDERS = 10**7
MAX_WINDOW_DAYS = 31
#: a store may upload once per this many seconds ("at most daily", with slack for drift)
MIN_UPLOAD_INTERVAL = 20 * 3600
#: uploads older than this stop counting towards the published lists
UPLOAD_TTL = 45 * DAY
ITEM_FIELDS = frozenset({"category_path", "title", "gtin", "orders"})
#: PostgreSQL advisory lock key held by a publish for the rest of its transaction
PUBLISH_LOCK = 0x4C42_0017
_VERTICAL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)


class TenantVertical(BaseModel):
    tenant = peewee.ForeignKeyField(Tenant, primary_key=True, on_delete="CASCADE")
    vertical = peewee.CharField(max_length=64)
    updated_at = peewee.BigIntegerField()


class FallbackUpload(BaseModel):
    store = peewee.ForeignKeyField(Store, primary_key=True, on_delete="CASCADE")
    window_start = peewee.CharField(max_length=10)
    window_end = peewee.CharField(max_length=10)
    items = peewee.IntegerField()
    received_at = peewee.BigIntegerField()


class FallbackAggregate(BaseModel):
    """One item of a store's latest upload; ``vertical`` is the store's tenant's, kept current."""

    store = peewee.ForeignKeyField(Store, on_delete="CASCADE", index=False)
    vertical = peewee.CharField(max_length=64, default=DEFAULT_VERTICAL)
    item_key = peewee.CharField(max_length=80)
    category = peewee.CharField(max_length=500)
    title = peewee.CharField(max_length=200)
    gtin = peewee.CharField(max_length=14, default="")
    orders = peewee.IntegerField()

    class Meta:
        primary_key = peewee.CompositeKey("store", "item_key")


class FallbackItem(BaseModel):
    vertical = peewee.CharField(max_length=64)
    item_key = peewee.CharField(max_length=80)
    category = peewee.CharField(max_length=500)
    title = peewee.CharField(max_length=200)
    gtin = peewee.CharField(max_length=14, default="")
    stores = peewee.IntegerField()
    orders = peewee.BigIntegerField()
    published_at = peewee.BigIntegerField()

    class Meta:
        primary_key = peewee.CompositeKey("vertical", "item_key")


# ---------------------------------------------------------------- normalisation and keys


def normalise_title(text: str) -> str:
    """``"Mug, Enamel WHITE"`` -> ``"enamel mug white"``: lower case, no punctuation, sorted."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(sorted(_PUNCT.sub(" ", folded).split()))


def normalise_category(path: list[str]) -> str:
    """``["Home", " Kitchen "]`` -> ``"home > kitchen"``."""
    return " > ".join(" ".join(part.casefold().split()) for part in path if part.strip())


def _check_digit_ok(digits: str) -> bool:
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _isbn10_to_13(text: str) -> str | None:
    if not re.fullmatch(r"[0-9]{9}[0-9X]", text):
        return None
    if sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(text)) % 11:
        return None
    body = "978" + text[:9]
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def normalise_gtin(value: str) -> str | None:
    """A GTIN-8/12/13/14, EAN or ISBN (10 or 13) as 14 digits; ``None`` when it is not valid."""
    text = re.sub(r"[\s-]", "", value).upper()
    if len(text) == 10:
        converted = _isbn10_to_13(text)
        if converted is None:
            return None
        text = converted
    if not is_digits(text) or len(text) not in (8, 12, 13, 14) or not _check_digit_ok(text):
        return None
    return text.zfill(14)


def item_key(gtin: str, category: str, title: str) -> str:
    """``g:<14 digits>`` when there is a GTIN, else ``t:<hash of category and title>``."""
    if gtin:
        return f"g:{gtin}"
    digest = hashlib.sha256(f"{category}\x1f{title}".encode()).hexdigest()[:40]
    return f"t:{digest}"


# ---------------------------------------------------------------- the upload


def _window(value: Any, today: date) -> tuple[str, str]:
    if not isinstance(value, dict):
        raise InvalidInput("window must be {start, end} (UTC dates)", field="window")
    try:
        start = date.fromisoformat(value.get("start", ""))
        end = date.fromisoformat(value.get("end", ""))
    except (TypeError, ValueError):
        raise InvalidInput(
            "window.start and window.end must be YYYY-MM-DD", field="window"
        ) from None
    if not start <= end <= today or (end - start).days >= MAX_WINDOW_DAYS:
        raise InvalidInput(
            f"window must end by today and span at most {MAX_WINDOW_DAYS} days", field="window"
        )
    return start.isoformat(), end.isoformat()


def _item(entry: Any, index: int) -> dict[str, Any]:
    where = f"items[{index}]"
    if not isinstance(entry, dict):
        raise InvalidInput(f"{where} must be an object", field=where)
    extra = sorted(set(entry) - ITEM_FIELDS)
    if extra:
        raise InvalidInput(
            f"{where}.{extra[0]}: not allowed (items carry only {', '.join(sorted(ITEM_FIELDS))})",
            field=f"{where}.{extra[0]}",
        )
    path = entry.get("category_path", [])
    if (
        not isinstance(path, list)
        or len(path) > 6
        or not all(isinstance(p, str) and len(p) <= 100 for p in path)
    ):
        raise InvalidInput(
            f"{where}.category_path must be a list of up to 6 names", field=f"{where}.category_path"
        )
    title = entry.get("title")
    if not isinstance(title, str) or not normalise_title(title) or len(title) > 200:
        raise InvalidInput(f"{where}.title must be 1 to 200 characters", field=f"{where}.title")
    orders = entry.get("orders")
    if isinstance(orders, bool) or not isinstance(orders, int) or not 1 <= orders <= MAX_ORDERS:
        raise InvalidInput(f"{where}.orders must be a whole number >= 1", field=f"{where}.orders")
    raw_gtin = entry.get("gtin") or ""
    if not isinstance(raw_gtin, str):
        raise InvalidInput(f"{where}.gtin must be a string", field=f"{where}.gtin")
    gtin = normalise_gtin(raw_gtin) if raw_gtin else ""
    if gtin is None:
        raise InvalidInput(f"{where}.gtin {raw_gtin!r} is not a valid GTIN", field=f"{where}.gtin")
    category, title = normalise_category(path), normalise_title(title)
    return {
        "item_key": item_key(gtin, category, title),
        "category": category[:500],
        "title": title[:200],
        "gtin": gtin,
        "orders": orders,
    }


def parse_upload(body: dict[str, Any], now: int) -> tuple[tuple[str, str], list[dict[str, Any]]]:
    """Validate an upload; items sharing a key are merged (their orders add up)."""
    if body.get("schema") != SCHEMA:
        raise InvalidInput(f"schema must be {SCHEMA!r}", field="schema")
    window = _window(body.get("window"), datetime.fromtimestamp(now, UTC).date())
    items = body.get("items")
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise InvalidInput(f"items must be a list of at most {MAX_ITEMS} items", field="items")
    merged: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(items):
        item = _item(entry, index)
        if item["item_key"] in merged:
            kept = merged[item["item_key"]]
            kept["orders"] = min(kept["orders"] + item["orders"], MAX_ORDERS)
        else:
            merged[item["item_key"]] = item
    return window, list(merged.values())


def upload(store: Store, body: dict[str, Any], *, now: int) -> dict[str, Any]:
    """Replace the store's aggregates with this upload (refused within a day of the last one)."""
    window, items = parse_upload(body, now)
    if store.staging:  # a staging copy sells what its shop sells: it would count twice towards k
        return {"items": 0, "window": {"start": window[0], "end": window[1]}}
    last = FallbackUpload.get_or_none(FallbackUpload.store == store.id)
    if last is not None and now - last.received_at < MIN_UPLOAD_INTERVAL:
        wait = MIN_UPLOAD_INTERVAL - (now - last.received_at)
        raise RateLimited(
            f"aggregates are accepted at most daily; retry in {wait} s", retry_after=wait
        )
    FallbackAggregate.delete().where(FallbackAggregate.store == store.id).execute()
    vertical = vertical_of(store.tenant_id)
    for start in range(0, len(items), 500):
        FallbackAggregate.insert_many(
            [
                {"store": store.id, "vertical": vertical, **item}
                for item in items[start : start + 500]
            ]
        ).execute()
    FallbackUpload.insert(
        store=store.id,
        window_start=window[0],
        window_end=window[1],
        items=len(items),
        received_at=now,
    ).on_conflict(
        conflict_target=[FallbackUpload.store],
        update={
            FallbackUpload.window_start: window[0],
            FallbackUpload.window_end: window[1],
            FallbackUpload.items: len(items),
            FallbackUpload.received_at: now,
        },
    ).execute()
    return {"items": len(items), "window": {"start": window[0], "end": window[1]}}


# ---------------------------------------------------------------- verticals


def set_vertical(tenant_id: int, vertical: Any, *, actor: str, now: int) -> str:
    if not isinstance(vertical, str) or not _VERTICAL.match(vertical):
        raise InvalidInput("vertical: lower-case letters, digits, - and _", field="vertical")
    if Tenant.get_or_none(Tenant.id == tenant_id) is None:
        raise NotFound(f"no tenant {tenant_id}", field="tenant_id")
    before = vertical_of(tenant_id)
    TenantVertical.insert(tenant=tenant_id, vertical=vertical, updated_at=now).on_conflict(
        conflict_target=[TenantVertical.tenant],
        update={TenantVertical.vertical: vertical, TenantVertical.updated_at: now},
    ).execute()
    stores = Store.select(Store.id).where(Store.tenant == tenant_id)
    FallbackAggregate.update(vertical=vertical).where(FallbackAggregate.store.in_(stores)).execute()
    audit.record(
        actor,
        "tenant.vertical",
        f"tenant:{tenant_id}",
        now=now,
        tenant_id=tenant_id,
        before={"vertical": before},
        after={"vertical": vertical},
    )
    return vertical


def vertical_of(tenant_id: int) -> str:
    row = TenantVertical.get_or_none(TenantVertical.tenant == tenant_id)
    return row.vertical if row else DEFAULT_VERTICAL


# ---------------------------------------------------------------- publishing and serving


def _purge(now: int) -> int:
    """Drop the uploads that no longer count: inactive or staging stores, stores whose licence
    can no longer be used (revoked, suspended, expired), uploads older than the TTL."""
    unusable = Licence.select(Licence.id).where(licences.unusable(now))
    not_counted = Store.select(Store.id).where(
        ~Store.active | Store.staging | Store.licence.in_(unusable)
    )
    gone = FallbackUpload.select(FallbackUpload.store).where(
        FallbackUpload.store.in_(not_counted) | (FallbackUpload.received_at <= now - UPLOAD_TTL)
    )
    ids = [row.store_id for row in gone]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        FallbackAggregate.delete().where(FallbackAggregate.store.in_(chunk)).execute()
        FallbackUpload.delete().where(FallbackUpload.store.in_(chunk)).execute()
    return len(ids)


def published_counts(k: int, now: int) -> peewee.Select:
    """(vertical, key, stores, orders) of every item sold by at least k stores of its vertical
    (a first cut: k counts tenants, which :func:`publish` checks next for tenants with several).

    Only indexed columns are read, in index order, so the database streams the groups from the
    ``fallback_aggregate_publish`` index without sorting or hashing the uploads.
    """
    stores = peewee.fn.COUNT(FallbackAggregate.store)
    return (
        FallbackAggregate.select(
            FallbackAggregate.vertical,
            FallbackAggregate.item_key,
            *[peewee.Value("")] * 3,  # category, title, gtin: filled in afterwards
            stores,
            peewee.fn.SUM(FallbackAggregate.orders),
            peewee.Value(now),
        )
        .group_by(FallbackAggregate.vertical, FallbackAggregate.item_key)
        .having(stores >= k)
        .order_by(FallbackAggregate.vertical, FallbackAggregate.item_key)
    )


def _drop_below_k_tenants(k: int) -> int:
    """Unpublish the items that reach k stores only through several stores of one tenant.

    k counts distinct tenants: one owner's stores are one party, who knows all their sales.
    The grouping query counts stores, which is the same thing for tenants with one uploading
    store; only the rows of tenants with several are joined to their tenant and counted again,
    so publishing stays a walk of the covering index when no tenant has several.
    """
    several = (
        Store.select(Store.tenant)
        .join(FallbackUpload, on=(FallbackUpload.store == Store.id))
        .group_by(Store.tenant)
        .having(peewee.fn.COUNT(Store.id) > 1)
    )
    rows = peewee.fn.COUNT(FallbackAggregate.store)
    tenants = peewee.fn.COUNT(Store.tenant.distinct())
    below = (
        FallbackAggregate.select(FallbackAggregate.vertical, FallbackAggregate.item_key)
        .join(Store, on=(Store.id == FallbackAggregate.store))
        .switch(FallbackAggregate)
        .join(
            FallbackItem,
            on=(FallbackItem.vertical == FallbackAggregate.vertical)
            & (FallbackItem.item_key == FallbackAggregate.item_key),
        )
        .where(Store.tenant.in_(several))
        .group_by(FallbackAggregate.vertical, FallbackAggregate.item_key, FallbackItem.stores)
        .having(FallbackItem.stores - rows + tenants < k)  # the item's distinct tenants
        .tuples()
    )
    keys = list(below)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        FallbackItem.delete().where(
            peewee.Tuple(FallbackItem.vertical, FallbackItem.item_key).in_(chunk)
        ).execute()
    return len(keys)


#: what a published item shows: the lowest store id's spelling (each store normalised it)
_DESCRIBE = (
    "UPDATE fallback_item SET (category, title, gtin) = ("
    "SELECT a.category, a.title, a.gtin FROM fallback_aggregate a"
    " WHERE a.vertical = fallback_item.vertical AND a.item_key = fallback_item.item_key"
    " ORDER BY a.store_id LIMIT 1)"
)


def publish(*, k: int = DEFAULT_K, now: int, actor: str = "system") -> dict[str, Any]:
    """Rebuild every vertical's list from the fresh uploads of active stores, k-anonymously;
    audited as ``fallbacks.publish`` by ``actor`` (the API, console and CLI name who), since k
    decides what leaves the shops."""
    if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= MAX_INTEGER:
        raise InvalidInput("k must be a whole number >= 2", field="k")
    if not is_sqlite():  # publishes run one at a time (SQLite's IMMEDIATE transaction already does)
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (PUBLISH_LOCK,))
    purged = _purge(now)
    FallbackItem.delete().execute()
    FallbackItem.insert_from(
        published_counts(k, now),
        [
            FallbackItem.vertical,
            FallbackItem.item_key,
            FallbackItem.category,
            FallbackItem.title,
            FallbackItem.gtin,
            FallbackItem.stores,
            FallbackItem.orders,
            FallbackItem.published_at,
        ],
    ).execute()
    _drop_below_k_tenants(k)
    database.execute_sql(_DESCRIBE)
    published = FallbackItem.select().count()
    outcome = {"k": k, "published": published, "purged_stores": purged}
    audit.record(actor, "fallbacks.publish", "fallbacks", now=now, after=outcome)
    return {**outcome, "published_at": iso(now)}


def top(vertical: str, *, category: str | None = None, limit: int = 200) -> dict[str, Any]:
    """The vertical's list (optionally one category), most widely sold first."""
    query = FallbackItem.select().where(FallbackItem.vertical == vertical)
    if category:
        query = query.where(FallbackItem.category == normalise_category(category.split(">")))
    rows = list(
        query.order_by(
            FallbackItem.stores.desc(), FallbackItem.orders.desc(), FallbackItem.item_key
        ).limit(max(1, min(limit, 1000)))
    )
    return {
        "vertical": vertical,
        "category": normalise_category(category.split(">")) if category else None,
        "published_at": iso(max((r.published_at for r in rows), default=None)),
        "items": [
            {
                "key": r.item_key,
                "title": r.title,
                "category_path": r.category.split(" > ") if r.category else [],
                "gtin": r.gtin or None,
                "stores": r.stores,
                "orders": int(r.orders),
            }
            for r in rows
        ],
    }


def categories(vertical: str) -> list[dict[str, Any]]:
    """The vertical's categories with how many items each publishes."""
    count = peewee.fn.COUNT(FallbackItem.item_key)
    rows = (
        FallbackItem.select(FallbackItem.category, count.alias("items"))
        .where(FallbackItem.vertical == vertical)
        .group_by(FallbackItem.category)
        .order_by(count.desc(), FallbackItem.category)
    )
    return [{"category": r.category, "items": r.items} for r in rows]
