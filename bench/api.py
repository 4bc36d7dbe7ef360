"""API benchmark: product recommendations against ``/healthz`` of the same server, on loopback.

Runs by itself: a fresh agent in a temporary directory, the real order history of
``../shared/data/`` imported as events with the ``import-orders`` logic (``orders_csv``) and
learned, then ``luxebrain-agent run`` serving it (Hypercorn, one process). A bounded load
generator (asyncio, raw HTTP/1.1 keep-alive sockets, requests signed *before* the clock starts,
so the client costs almost nothing) measures requests/second and p50/p99 latency for
``GET /v1/recommendations/product/<id>`` at concurrency 1, 16 and 64, and ``/healthz`` (the
framework's floor, no signature, no models) at 1 and 16. The API reuses an answer until the
models learn (``answer_cache``), so most of these are reused answers, as on a shop's product
pages; ``uncached`` repeats c=1 with every query new, to show what the models cost. The agent is
stopped at the end.

Targets (issue 4): product recommendations p50 <= 1.2 ms and p99 <= 5 ms at concurrency 1, and
throughput at concurrency 16 within 80 % of ``/healthz`` at 16.

    python bench/api.py --json bench-api.json [--seconds 3] [--orders N]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connector_agent.applier import Applier  # noqa: E402
from connector_agent.config import AgentConfig, load_config, update_secrets  # noqa: E402
from connector_agent.config_template import render_config  # noqa: E402
from connector_agent.errors import AgentUnreachable  # noqa: E402
from connector_agent.eventlog import EventLog  # noqa: E402
from connector_agent.local_client import call_agent  # noqa: E402
from connector_agent.orders_csv import read_events  # noqa: E402
from connector_agent.store import Store  # noqa: E402
from wp_plugin_bridge.signing import sign_headers  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "uci_online_retail_ii_2009_2010" / "orders.csv.gz"
HOST = "127.0.0.1"
SECRET = secrets.token_hex(32)
WARMUP_SECONDS = 0.5
ROUNDS = 5
MAX_RPS = 5000  # requests signed in advance per second of a phase


# ---------------------------------------------------------------- the agent under test


def fresh_agent(workdir: Path, data: Path, orders: int | None) -> tuple[AgentConfig, list[str]]:
    """A paired agent with the history imported and learned; the products to ask about."""
    path = workdir / "agent.toml"
    path.write_text(render_config(store_url="http://127.0.0.1:9", data_dir="data"))
    update_secrets(path, shared_secret=SECRET, snapshot_key=secrets.token_hex(32))
    config = load_config(path, environ={})
    store = Store.open(config.database_path)
    try:
        started = time.perf_counter()
        log = EventLog(store)
        events = read_events(data, limit=orders)
        while chunk := list(itertools.islice(events, 2000)):
            log.append(chunk)
        print(f"imported {log.last_seq():,} events in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        applier = Applier(store, config)
        applier.load()
        applier.apply_pending()
        applier.snapshot_now()
        print(f"learned them in {time.perf_counter() - started:.1f} s: {applier.brain.stats()}")
        rows = store.db.conn.execute(
            "SELECT product_id FROM line_items GROUP BY product_id ORDER BY COUNT(*) DESC LIMIT 200"
        ).fetchall()
    finally:
        store.close()
    return config, [row[0] for row in rows]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(config: AgentConfig, port: int, logfile: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "connector_agent",
        "run",
        "--config",
        str(config.path),
        "--bind",
        f"{HOST}:{port}",
    ]
    with logfile.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the agent exited: see {logfile}")
        try:
            status, _ = call_agent(config, "GET", "/readyz", base_url=f"http://{HOST}:{port}")
            if status == 200:
                return process
        except AgentUnreachable:  # not listening yet
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the agent did not become ready in 300 s")


# ---------------------------------------------------------------- the load generator


def signed_requests(path_qs: Iterator[str], count: int, port: int) -> Iterator[bytes]:
    """``count`` raw GET requests, each with its own nonce, signed now."""
    now = int(time.time())
    for _ in range(count):
        target = next(path_qs)
        headers = sign_headers(
            SECRET, "GET", target, b"", timestamp=now, nonce=secrets.token_hex(16)
        )
        lines = [f"GET {target} HTTP/1.1", f"Host: {HOST}:{port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        yield ("\r\n".join(lines) + "\r\n\r\n").encode()


def plain_requests(target: str, port: int) -> Iterator[bytes]:
    raw = f"GET {target} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    return itertools.repeat(raw)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """``(status, keep-alive)`` of one response, its body read and dropped."""
    head = await reader.readuntil(b"\r\n\r\n")
    length, keep_alive = 0, True
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            keep_alive = False
    await reader.readexactly(length)
    return int(head[9:12]), keep_alive


async def worker(
    port: int, requests_: Iterator[bytes], until: float, latencies: list[float]
) -> None:
    """One keep-alive connection; reconnects when the server closes it (Hypercorn does so
    after ``keep_alive_max_requests``), as a real client would, without timing the reconnect."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        for request in requests_:
            if time.perf_counter() >= until:
                break
            started = time.perf_counter()
            writer.write(request)
            status, keep_alive = await read_response(reader)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                raise SystemExit(f"got HTTP {status}: the benchmark measures successes only")
            if not keep_alive:
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
    finally:
        writer.close()


async def phase(
    port: int, requests_: Iterator[bytes], concurrency: int, seconds: float
) -> tuple[list[float], float]:
    """Latencies of every request in ``seconds`` of load, and the time it really took."""
    latencies: list[float] = []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(worker(port, requests_, until, latencies) for _ in range(concurrency)))
    return latencies, time.perf_counter() - started


def summary(latencies: list[float], elapsed: float) -> dict[str, float]:
    latencies = sorted(latencies)
    count = len(latencies)
    return {
        "rps": round(count / elapsed, 1),
        "p50_ms": round(latencies[count // 2] * 1000, 3),
        "p99_ms": round(latencies[min(count - 1, int(count * 0.99))] * 1000, 3),
    }


def measure(port: int, products: list[str], seconds: float) -> dict[str, Any]:
    """Every case for ``seconds`` in all, in ``ROUNDS`` interleaved slices, so a neighbour's
    burst of load on a shared machine hits the baseline and the routes alike."""
    asked = itertools.cycle(f"/v1/recommendations/product/{pid}?limit=4" for pid in products)
    # every query new (an exclude id no product has): the models answer each one, no reuse
    fresh = (f"{target}&exclude=x{n}" for n, target in enumerate(asked))
    healthz = plain_requests("/healthz", port)

    def signed(targets: Iterator[str]) -> Callable[[float], Iterator[bytes]]:
        return lambda secs: iter(list(signed_requests(targets, int(MAX_RPS * secs), port)))

    cases: dict[tuple[str, str], tuple[Callable[[float], Iterator[bytes]], int]] = {
        ("healthz", "c1"): (lambda _: healthz, 1),
        ("healthz", "c16"): (lambda _: healthz, 16),
        ("recs", "c1"): (signed(asked), 1),
        ("recs", "c16"): (signed(asked), 16),
        ("recs", "c64"): (signed(asked), 64),
        ("uncached", "c1"): (signed(fresh), 1),
    }
    samples: dict[tuple[str, str], tuple[list[float], float]] = {}
    for make, concurrency in cases.values():
        asyncio.run(phase(port, make(WARMUP_SECONDS), concurrency, WARMUP_SECONDS))
    for _ in range(ROUNDS):
        for case, (make, concurrency) in cases.items():
            latencies, elapsed = asyncio.run(
                phase(port, make(seconds / ROUNDS), concurrency, seconds / ROUNDS)
            )
            before, spent = samples.get(case, ([], 0.0))
            samples[case] = (before + latencies, spent + elapsed)
    result: dict[str, Any] = {"healthz": {}, "uncached": {}}
    for (kind, level), (latencies, elapsed) in samples.items():
        target = result if kind == "recs" else result[kind]
        target[level] = summary(latencies, elapsed)
    return result


# ---------------------------------------------------------------- report


def report(result: dict[str, Any]) -> None:
    print(f"\n{'':22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    rows = [(f"healthz {c}", result["healthz"][c]) for c in ("c1", "c16")]
    rows += [(f"product recs {c}", result[c]) for c in ("c1", "c16", "c64")]
    rows += [("  uncached c1", result["uncached"]["c1"])]
    for name, row in rows:
        print(f"{name:22}{row['rps']:>10.1f}{row['p50_ms']:>10.3f}{row['p99_ms']:>10.3f}")
    ratio = result["c16"]["rps"] / result["healthz"]["c16"]["rps"]
    c1 = result["c1"]
    print(
        f"\nc=16 throughput, recs / healthz: {ratio:.2f} (target >= 0.80)\n"
        f"c=1 p50 {c1['p50_ms']:.3f} ms (target <= 1.2), p99 {c1['p99_ms']:.3f} ms (target <= 5)\n"
        f"c=1 p50, recs / healthz: {c1['p50_ms'] / result['healthz']['c1']['p50_ms']:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", dest="out", type=Path, help="write the results here")
    parser.add_argument("--seconds", type=float, default=3.0, help="load per phase (max 5)")
    parser.add_argument("--orders", type=int, default=None, help="import only the first N")
    parser.add_argument("--data", type=Path, default=DATA, help="normalised orders CSV")
    args = parser.parse_args()
    if not 0 < args.seconds <= 5:
        parser.error("--seconds must be in (0, 5]")
    if not args.data.exists():
        parser.error(f"{args.data}: not found (the shared data folder)")
    with tempfile.TemporaryDirectory(prefix="luxebrain-bench-") as tmp:
        workdir = Path(tmp)
        config, products = fresh_agent(workdir, args.data, args.orders)
        port = free_port()
        server = start_server(config, port, workdir / "agent.log")
        try:
            result = measure(port, products, args.seconds)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    report(result)
    if args.out:
        args.out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
