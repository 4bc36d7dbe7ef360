"""Aggregation bench: ``fallbacks.publish`` over N stores × P products of daily aggregates in
PostgreSQL (the issue's target: 10,000 × 2,000 in under 60 s). Loading is not timed.

Runs in a throw-away database ``luxebrain_bench_<random>`` (created and dropped). Each store sells
P distinct items: half from a popular head (5,000 items), half from a tail of 5 million where
each item is sold by at most two stores (so k = 3 never publishes it); keys are GTIN- or
hash-shaped; tenants spread over 20 verticals. Reports the wall time of ``publish`` (the real
code path) and, from ``EXPLAIN (ANALYZE, BUFFERS)`` of its grouping query, PostgreSQL's peak
aggregation memory and temp-file use.

    python bench/aggregate.py --stores 10000 --products 2000 --json aggregate.json
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import psycopg2

from cloud_api import fallbacks
from cloud_api.db import connect_db, transaction
from migrations import runner

SERVER = "postgresql://postgres@127.0.0.1:5432"
TAIL, VERTICALS = 5_000_000, 20


def _admin(sql: str, database: str = "postgres") -> None:
    conn = psycopg2.connect(f"{SERVER}/{database}")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


def load(db: Any, name: str, stores: int, products: int, head: int, now: int) -> float:
    """Tenants, licences, stores, uploads and ``stores × products`` aggregate rows, in SQL."""
    started = time.perf_counter()
    half = products // 2
    # head: a = 10·(s mod 499) + 1 is coprime to 5,000, so j ↦ (a·j + b) mod 5,000 is one-to-one;
    # tail: the running index times an odd non-multiple of 5 is one-to-one modulo 5 million
    statements = [
        "INSERT INTO tenant (name, created_at) SELECT 'bench ' || s, %(now)s"
        " FROM generate_series(1, %(stores)s) s",
        "INSERT INTO licence (tenant_id, plan_id, key_hash, key_hint, status, max_stores,"
        " max_staging, expires_at, created_at, updated_at)"
        " SELECT t.id, (SELECT id FROM plan WHERE name = 'pro'), md5(t.name), 'xxxx', 'active',"
        " 1, 0, %(now)s + 86400 * 365, %(now)s, %(now)s FROM tenant t",
        "INSERT INTO store (tenant_id, licence_id, url, instance_id, staging, offline, active,"
        " activated_at, agent_version) SELECT l.tenant_id, l.id,"
        " 'https://shop' || l.id || '.example', 'bench-' || l.id, false, false, true,"
        " %(now)s, '' FROM licence l",
        "INSERT INTO tenant_vertical (tenant_id, vertical, updated_at)"
        " SELECT id, 'vertical-' || (id %% %(verticals)s), %(now)s FROM tenant",
        "INSERT INTO fallback_upload (store_id, window_start, window_end, items, received_at)"
        " SELECT id, '2026-10-27', '2026-11-25', %(products)s, %(now)s FROM store",
        "ALTER TABLE fallback_aggregate DROP CONSTRAINT fallback_aggregate_pkey",
        "DROP INDEX fallback_aggregate_publish",
        "INSERT INTO fallback_aggregate"
        " (store_id, vertical, item_key, category, title, gtin, orders)"
        " SELECT s.id, 'vertical-' || (s.tenant_id %% %(verticals)s),"
        " CASE WHEN i.item %% 3 = 0 THEN 'g:' || lpad(i.item::text, 14, '0')"
        "   ELSE 't:' || lpad(to_hex(i.item), 40, '0') END,"
        " 'category ' || (i.item %% 200), 'title of item ' || i.item, '',"
        " 1 + (i.item + s.id) %% 17"
        " FROM store s CROSS JOIN LATERAL ("
        "   SELECT CASE WHEN j < %(half)s"
        "     THEN ((10 * (s.id %% 499) + 1) * j + s.id * 31) %% %(head)s"
        "     ELSE %(head)s + (((s.id - 1) * %(half)s + j - %(half)s) * 2654435761) %% %(tail)s"
        "   END AS item FROM generate_series(0, %(products)s - 1) j) i",
        "ALTER TABLE fallback_aggregate ADD PRIMARY KEY (store_id, item_key)",
        "CREATE INDEX fallback_aggregate_publish"
        " ON fallback_aggregate (vertical, item_key, store_id, orders)",
    ]
    params = {
        "now": now,
        "stores": stores,
        "products": products,
        "half": half,
        "head": head,
        "tail": TAIL,
        "verticals": VERTICALS,
    }
    with db.connection_context():
        cursor = db.cursor()
        for sql in statements:
            cursor.execute(sql, params)
        db.commit()
    _admin("VACUUM ANALYZE", name)  # the visibility map lets publish read the key index alone
    return time.perf_counter() - started


def explain(db: Any, k: int, now: int) -> dict[str, Any]:
    sql, params = fallbacks.published_counts(k, now).sql()
    with db.connection_context():
        cursor = db.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    memory = [int(m) for m in re.findall(r"(?:Peak )?Memory Usage: (\d+)kB", plan)]
    disk = [int(m) for m in re.findall(r"Disk Usage: (\d+)kB", plan)]
    temp_written = [int(m) for m in re.findall(r"temp read=\d+ written=(\d+)", plan)]
    return {
        "peak_aggregation_memory_mb": round(max(memory, default=0) / 1024, 1),
        "spilled_to_disk_mb": round(max(disk, default=0) / 1024, 1),
        "temp_blocks_written": max(temp_written, default=0),
        "plan": plan.splitlines(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument(
        "--head",
        type=int,
        default=5_000,
        help="popular items: >= products/2, no prime factor but 2 and 5",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    args = parser.parse_args(argv)
    name = f"luxebrain_bench_{uuid.uuid4().hex[:12]}"
    now = int(time.time())
    _admin(f'CREATE DATABASE "{name}"')
    try:
        url = f"{SERVER}/{name}"
        db = connect_db(url)
        with db.connection_context():
            runner.apply(runner.PeeweeBackend(db), runner.discover("migrations.cloud"))
        load_seconds = load(db, name, args.stores, args.products, args.head, now)
        started = time.perf_counter()
        with transaction():
            published = fallbacks.publish(k=args.k, now=now)
        seconds = time.perf_counter() - started
        result = {
            "stores": args.stores,
            "products_per_store": args.products,
            "rows": args.stores * args.products,
            "k": args.k,
            "published_items": published["published"],
            "publish_seconds": round(seconds, 2),
            "target_seconds": 60,
            "ratio_to_target": round(seconds / 60, 3),
            "load_seconds_not_counted": round(load_seconds, 1),
            **explain(db, args.k, now),
        }
        db.close_all()
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    summary = {key: value for key, value in result.items() if key != "plan"}
    print(orjson.dumps(summary, option=orjson.OPT_INDENT_2).decode())
    if args.json:
        args.json.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
