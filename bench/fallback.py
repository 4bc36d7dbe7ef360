"""Cross-store fallback bench (EVALUATION.md, "Cross-store fallback bench").

Splits a normalised order file by a hash of ``customer_id`` into S simulated stores. Each store
has its own product ids, its own spelling of every title (case, word order, small typos) and a
GTIN on only part of its catalogue, so the mapping has to work for real. The new store opens on
``--opens`` (default: the file's median order day); every other store uploads its aggregates of
the 30 days before that day through the real cloud code (a temporary SQLite cloud), the cloud
publishes with k-anonymity, and the new store maps the list onto its catalogue with the agent's
mapping. For each of the new store's first 100 completed orders, before learning it, both
variants of the store's ``Brain`` are asked for their non-personalised top 10
(``Brain.popular``): own popularity alone, and own popularity with the cloud fallback filling the
slots its own data cannot. HitRate@10 is reported for both.

    python bench/fallback.py --orders ../shared/data/uci_online_retail_ii_2009_2010/orders.csv.gz \
        --json fallback.json
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from cloud_api import activation, fallbacks, licences
from cloud_api.db import connect_db, transaction
from cloud_api.signing import create_key, current_signer
from connector_agent.cloud.aggregates import ItemSales, payload
from connector_agent.cloud.mapping import CatalogueIndex, Product, map_top_list
from connector_agent.cloud.titles import normalise_title
from connector_agent.orders_csv import read_orders
from migrations import runner
from online_models import Brain
from online_models.events import Event, parse_time

NON_PRODUCT = "non_product"
WINDOW_DAYS = 30
EVALUATED = 100


@dataclass(frozen=True, slots=True)
class Sale:
    """One completed order reduced to what the bench needs."""

    order_id: str
    customer_id: str
    created_at: str
    products: tuple[str, ...]


def _digest(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()[:8])


def store_of(customer_id: str, stores: int) -> int:
    return _digest("store", customer_id) % stores


def read_sales(path: Path) -> tuple[list[Sale], dict[str, str]]:
    """Completed orders with product lines (EVALUATION.md rules) and each product's first name."""
    sales: list[Sale] = []
    names: dict[str, str] = {}
    for imported in read_orders(path):
        order = imported.payload
        if order["status"] != "completed" or not order["customer_id"]:
            continue
        products = []
        for line in order["line_items"]:
            if line["category"] == NON_PRODUCT or line["quantity"] <= 0:
                continue
            names.setdefault(line["product_id"], line["name"] or line["product_id"])
            products.append(line["product_id"])
        if products:
            sales.append(
                Sale(
                    order["id"],
                    order["customer_id"],
                    order["created_at"],
                    tuple(dict.fromkeys(products)),
                )
            )
    sales.sort(key=lambda s: s.created_at)  # stable: file order for ties
    return sales, names


# ---------------------------------------------------------------- one simulated store's catalogue


def _ean13(product_id: str) -> str:
    body = "20" + f"{_digest('gtin', product_id) % 10**10:010d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word) - 1)
    kind = rng.choice(("swap", "drop", "replace"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + word[i + 1 :]


def perturb(title: str, rng: random.Random, typo_rate: float) -> str:
    """The same product as another shop would spell it: case, word order, maybe one typo."""
    words = title.split()
    if rng.random() < 0.5:
        rng.shuffle(words)
    long_words = [i for i, w in enumerate(words) if len(w) >= 4]
    if long_words and rng.random() < typo_rate:
        i = rng.choice(long_words)
        words[i] = _typo(words[i], rng)
    text = " ".join(words)
    return rng.choice((text.lower(), text.upper(), text.title(), text))


@dataclass(frozen=True, slots=True)
class StoreCatalogue:
    ids: dict[str, str]  # original product id -> this store's id
    products: list[Product]

    @classmethod
    def build(
        cls, store: int, names: dict[str, str], *, gtin_share: float, typo_rate: float
    ) -> StoreCatalogue:
        ids: dict[str, str] = {}
        products: list[Product] = []
        for original, name in sorted(names.items()):
            rng = random.Random(_digest("catalogue", store, original))
            own_id = f"s{store}-{_digest('id', store, original) % 10**9:09d}"
            gtin = _ean13(original) if rng.random() < gtin_share else None
            ids[original] = own_id
            products.append(Product(own_id, perturb(name, rng, typo_rate), (), gtin))
        return cls(ids, products)


# ---------------------------------------------------------------- the cloud side, for real


def _cloud(tmp: Path) -> None:
    url = f"sqlite:///{tmp / 'cloud.sqlite'}"
    db = connect_db(url, bind=False)
    with db.connection_context():
        runner.apply(runner.PeeweeBackend(db), runner.discover("migrations.cloud"))
    connect_db(url)


def publish_list(uploads: list[dict[str, Any]], *, k: int, now: int) -> list[dict[str, Any]]:
    """Upload each store's aggregates to a fresh cloud, publish, return the vertical's list."""
    with tempfile.TemporaryDirectory() as tmp:
        _cloud(Path(tmp))
        with transaction():
            create_key(now)
            signer = current_signer("")
            for index, body in enumerate(uploads):
                licence, _ = licences.issue(
                    tenant=f"shop {index}", plan="pro", stores=1, days=365, actor="bench", now=now
                )
                shop = {
                    "store_url": f"https://shop{index}.example",
                    "instance_id": f"bench-{index:04d}",
                }
                activation.activate(licence, shop, signer=signer, now=now)
                store = activation.Store.get(activation.Store.licence == licence.id)
                fallbacks.upload(store, body, now=now)
            fallbacks.publish(k=k, now=now)
            return fallbacks.top(fallbacks.DEFAULT_VERTICAL, limit=1000)["items"]


def aggregates_of(
    sales: list[Sale], catalogue: StoreCatalogue, *, start: date, end: date
) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    for sale in sales:
        if start.isoformat() <= sale.created_at[:10] <= end.isoformat():
            counts.update(sale.products)
    by_id = {p.product_id: p for p in catalogue.products}
    items = []
    for original, orders in counts.items():
        product = by_id[catalogue.ids[original]]
        items.append(ItemSales(product.title, product.category_path, product.gtin, orders))
    return payload(items, start=start, end=end)


def mapping_precision(
    top_list: list[dict[str, Any]],
    mapped: list[tuple[str, str]],
    new: StoreCatalogue,
    catalogues: dict[int, StoreCatalogue],
) -> float:
    """Share of mapped products that really are one of the published items (by origin)."""
    origin: dict[str, str] = {}
    for catalogue in catalogues.values():
        originals = {own: original for original, own in catalogue.ids.items()}
        for product in catalogue.products:
            original = originals[product.product_id]
            origin[normalise_title(product.title)] = original
            if product.gtin:
                origin[product.gtin.zfill(14)] = original
    published = {origin.get(item["gtin"] or item["title"]) for item in top_list}
    truth = {own: original for original, own in new.ids.items()}
    right = sum(1 for product_id, _ in mapped if truth[product_id] in published)
    return round(right / len(mapped), 4) if mapped else 0.0


# ---------------------------------------------------------------- the new store


def order_event(sale: Sale, ids: dict[str, str], names: dict[str, str]) -> Event:
    lines = [
        {"product_id": ids[p], "name": names[p], "quantity": 1, "unit_price": "1.00"}
        for p in sale.products
    ]
    body = {
        "id": sale.order_id,
        "status": "completed",
        "customer_id": sale.customer_id,
        "created_at": sale.created_at,
        "line_items": lines,
    }
    return Event(0, "order.upserted", f"import:{sale.order_id}", "v1", sale.created_at, body)


def hit_rates(
    first_orders: list[Sale], ids: dict[str, str], names: dict[str, str], fallback: list
) -> dict[str, float]:
    own, helped = Brain(), Brain()
    helped.set_fallback(fallback)
    hits = {"own_popularity": 0, "with_cloud_fallback": 0}
    for sale in first_orders:
        relevant = {ids[p] for p in sale.products}
        for name, brain in (("own_popularity", own), ("with_cloud_fallback", helped)):
            top = {r.product_id for r in brain.popular(limit=10)}
            hits[name] += bool(top & relevant)
            brain.learn(order_event(sale, ids, names))
    return {name: round(count / len(first_orders), 4) for name, count in hits.items()}


def evidence_variants(
    first_orders: list[Sale], ids: dict[str, str], fallback: list[tuple[str, str]]
) -> dict[str, float]:
    """Informative only (not the product's ranker): the cloud list alone, and own items only
    once they are in at least 2 orders, the cloud list filling the rest (plain order counts)."""
    counts: Counter[str] = Counter()
    cloud = [product_id for product_id, _ in fallback]
    hits = {"cloud_list_only": 0, "own_with_2_orders_then_cloud": 0}
    for sale in first_orders:
        relevant = {ids[p] for p in sale.products}
        confident = [p for p, n in counts.most_common() if n >= 2][:10]
        blended = list(dict.fromkeys(confident + cloud))[:10]
        hits["cloud_list_only"] += bool(set(cloud[:10]) & relevant)
        hits["own_with_2_orders_then_cloud"] += bool(set(blended) & relevant)
        counts.update(relevant)
    return {name: round(count / len(first_orders), 4) for name, count in hits.items()}


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    sales, names = read_sales(args.orders)
    by_store: dict[int, list[Sale]] = defaultdict(list)
    for sale in sales:
        by_store[store_of(sale.customer_id, args.stores)].append(sale)
    days = sorted({s.created_at[:10] for s in sales})
    opens = date.fromisoformat(args.opens or statistics.median_low(days))
    start, end = opens - timedelta(days=WINDOW_DAYS), opens - timedelta(days=1)
    catalogues = {
        s: StoreCatalogue.build(s, names, gtin_share=args.gtin_share, typo_rate=args.typo_rate)
        for s in range(args.stores)
    }
    uploads = [
        aggregates_of(by_store[s], catalogues[s], start=start, end=end)
        for s in range(args.stores)
        if s != args.held_out
    ]
    now = int(parse_time(f"{opens.isoformat()}T00:00:00Z").timestamp())
    top_list = publish_list(uploads, k=args.k, now=now)
    new = catalogues[args.held_out]
    mapped = map_top_list(top_list, CatalogueIndex(new.products))
    precision = mapping_precision(top_list, mapped, new, catalogues)
    first = [s for s in by_store[args.held_out] if s.created_at[:10] >= opens.isoformat()]
    first = first[:EVALUATED]
    rates = hit_rates(first, new.ids, names, mapped[: args.fallback_size])
    return {
        "new_store_hit_rate@10": rates,
        "stores": args.stores,
        "k": args.k,
        "informative_variants": evidence_variants(first, new.ids, mapped[: args.fallback_size]),
        "new_store_opens": opens.isoformat(),
        "evaluated_orders": len(first),
        "published_items": len(top_list),
        "mapped_items": len(mapped),
        "mapping_precision": precision,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=Path, required=True, help="normalised orders CSV(.gz)")
    parser.add_argument("--json", type=Path, required=True, help="where to write the result")
    parser.add_argument("--stores", type=int, default=6, help="simulated stores (>= 6)")
    parser.add_argument("--k", type=int, default=3, help="k-anonymity threshold")
    parser.add_argument("--held-out", type=int, default=0, help="the new store's index")
    parser.add_argument("--opens", default=None, help="the new store's first day (YYYY-MM-DD)")
    parser.add_argument("--gtin-share", type=float, default=0.4, help="catalogue share with GTIN")
    parser.add_argument("--typo-rate", type=float, default=0.3, help="titles with one typo")
    parser.add_argument("--fallback-size", type=int, default=200, help="mapped items kept")
    args = parser.parse_args(argv)
    if args.stores < 6 or not 0 <= args.held_out < args.stores:
        parser.error("--stores must be >= 6 and --held-out one of them")
    result = run(args)
    args.json.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
