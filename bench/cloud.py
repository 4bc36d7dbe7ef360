"""Check-ins per second against a real ``luxebrain-cloud serve``, next to the same server's
``/healthz`` rate in the same run (the ratio is the number that travels between machines).

    python bench/cloud.py --database sqlite:///tmp/bench.sqlite --json out.json
    python bench/cloud.py --database postgresql://postgres@127.0.0.1:5432/postgres --json out.json

The database URL names the backend and server only: the bench works in a scratch database next
to it (a new SQLite file / a new PostgreSQL database) and removes it afterwards. It seeds 1,000
licences with one activated store each, so per-licence rate limits are not what is measured,
then drives ``/healthz`` and check-ins in alternating short rounds (a few seconds in all) at a
fixed concurrency over keep-alive connections.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import orjson
import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cloud_api import activation, licences  # noqa: E402
from cloud_api.db import connect_db, database, transaction  # noqa: E402
from cloud_api.signing import create_key, current_signer  # noqa: E402
from migrations import runner  # noqa: E402


@contextmanager
def scratch_database(url: str) -> Iterator[str]:
    """A fresh database beside ``url``, dropped afterwards."""
    if url.startswith("sqlite:"):
        folder = Path(tempfile.mkdtemp(prefix="luxebrain-bench-"))
        try:
            yield f"sqlite:///{folder / 'bench.sqlite'}"
        finally:
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()
        return
    parts = urlsplit(url)
    name = f"luxebrain_bench_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    _pg(admin, f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        if database.obj is not None and hasattr(database.obj, "close_all"):
            database.obj.close_all()
        _pg(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg(dsn: str, sql: str) -> None:
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


def seed(url: str, licences_count: int) -> list[tuple[str, dict[str, str]]]:
    """Migrate, create a key, issue licences and activate one store each: (key, body) pairs."""
    db = connect_db(url)
    with db.connection_context():
        runner.apply(runner.PeeweeBackend(db), runner.discover("migrations.cloud"))
    now = int(time.time())
    pairs = []
    with transaction():
        create_key(now)
        signer = current_signer()
        for i in range(licences_count):
            row, key = licences.issue(
                tenant=f"Bench {i}",
                plan="pro",
                stores=1,
                days=365,
                actor="bench",
                now=now,
                trial=False,
            )
            body = {
                "store_url": f"https://shop{i}.bench.example",
                "instance_id": f"bench-{i:06d}",
                "agent_version": "bench",
            }
            activation.activate(row, body, signer=signer, now=now)
            pairs.append((key, body))
    if hasattr(db, "close_all"):
        db.close_all()
    return pairs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(url: str, workers: int) -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cloud_api.cli",
            "serve",
            "--database",
            url,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the cloud server did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


def requests_for(route: str, pairs: list[tuple[str, dict[str, str]]]) -> list[bytes]:
    """Raw HTTP/1.1 keep-alive requests, one per licence for check-ins."""
    if route == "healthz":
        return [b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"]
    out = []
    for key, body in pairs:
        payload = orjson.dumps(body)
        out.append(
            b"POST /v1/agent/checkin HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {key}\r\nContent-Length: {len(payload)}\r\n\r\n".encode()
            + payload
        )
    return out


async def _worker(
    port: int,
    wire: list[bytes],
    offset: int,
    stop: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    """One keep-alive connection sending requests back to back; a dropped connection is
    counted as an error (status 0) and reopened."""
    i = offset
    while time.perf_counter() < stop:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                writer.write(wire[i % len(wire)])
                i += 1
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors.append(status)
        except (asyncio.IncompleteReadError, ConnectionError):
            errors.append(0)
        finally:
            writer.close()


async def drive(
    port: int, wire: list[bytes], concurrency: int, seconds: float
) -> tuple[list[float], int, float]:
    """Latencies, error count and elapsed time of ``seconds`` of load."""
    latencies: list[float] = []
    errors: list[int] = []
    start = time.perf_counter()
    stop = start + seconds
    await asyncio.gather(
        *(_worker(port, wire, k * 61, stop, latencies, errors) for k in range(concurrency))
    )
    return latencies, len(errors), time.perf_counter() - start


def summary(latencies: list[float], errors: int, elapsed: float) -> dict:
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
        "requests": len(latencies),
        "errors": errors,
    }


async def interleaved(
    port: int, wires: dict[str, list[bytes]], concurrency: int, seconds: float, rounds: int
) -> dict[str, dict]:
    """Alternate the routes in short rounds, so load from other processes on the machine
    weighs on both sides of the ratio alike."""
    totals = {route: ([], 0, 0.0) for route in wires}
    for wire in wires.values():  # warm-up: connections, caches, prepared statements
        await drive(port, wire, 2, 0.3)
    for _ in range(rounds):
        for route, wire in wires.items():
            latencies, errors, elapsed = await drive(port, wire, concurrency, seconds / rounds)
            done, failed, spent = totals[route]
            totals[route] = (done + latencies, failed + errors, spent + elapsed)
    return {route: summary(*parts) for route, parts in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="sqlite:///… or postgresql://…")
    parser.add_argument("--json", dest="json_out", required=True, help="report file to write")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=4.0, help="per route (max 10)")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds per route")
    parser.add_argument("--workers", type=int, default=1, help="Hypercorn worker processes")
    parser.add_argument("--licences", type=int, default=1000)
    args = parser.parse_args()
    seconds = min(args.seconds, 10.0)
    with scratch_database(args.database) as url:
        print(f"seeding {args.licences} licences …", file=sys.stderr)
        pairs = seed(url, args.licences)
        with server(url, args.workers) as port:
            wires = {route: requests_for(route, pairs) for route in ("healthz", "checkin")}
            results = asyncio.run(
                interleaved(port, wires, args.concurrency, seconds, max(1, args.rounds))
            )
    for route, numbers in results.items():
        print(f"{route:8} {numbers}", file=sys.stderr)
    report = {
        **results,
        "checkin_to_healthz": round(results["checkin"]["rps"] / results["healthz"]["rps"], 3),
        "backend": "sqlite" if args.database.startswith("sqlite:") else "postgresql",
        "concurrency": args.concurrency,
        "seconds": seconds,
        "workers": args.workers,
        "licences": args.licences,
        "cpus": os.cpu_count(),
    }
    Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"check-ins: {report['checkin']['rps']} req/s, p50 {report['checkin']['p50_ms']} ms, "
        f"p99 {report['checkin']['p99_ms']} ms; /healthz {report['healthz']['rps']} req/s; "
        f"ratio {report['checkin_to_healthz']}"
    )


if __name__ == "__main__":
    main()
