"""Non-blocking PostgreSQL for the check-in hot path: psycopg2's asynchronous connections,
driven by the event loop (no thread hand-off, which cost a check-in ~0.25 ms of CPU).

Each worker keeps a few such connections, used only for check-in statements: they run in
autocommit with ``synchronous_commit`` off (last-seen times and counters are telemetry) and a
statement timeout, so a slow database cannot hold a check-in for long. Statements are prepared
once per connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import psycopg2
import psycopg2.extensions

SETUP = ("SET synchronous_commit TO OFF", "SET statement_timeout TO '5s'")


async def _wait(connection: Any) -> None:
    """Drive a psycopg2 asynchronous connection until its current operation is done."""
    loop = asyncio.get_running_loop()
    fd = connection.fileno()
    while True:
        state = connection.poll()
        if state == psycopg2.extensions.POLL_OK:
            return
        ready = loop.create_future()

        def wake(future: asyncio.Future[None] = ready) -> None:
            if not future.done():
                future.set_result(None)

        if state == psycopg2.extensions.POLL_READ:
            loop.add_reader(fd, wake)
            try:
                await ready
            finally:
                loop.remove_reader(fd)
        else:
            loop.add_writer(fd, wake)
            try:
                await ready
            finally:
                loop.remove_writer(fd)


class AsyncPool:
    """Up to ``size`` asynchronous connections to ``dsn``, opened on demand."""

    def __init__(self, dsn: str, size: int = 8) -> None:
        self.dsn = dsn
        self.size = size
        self._idle: asyncio.Queue[tuple[Any, set[str]]] = asyncio.Queue()
        self._opened = 0

    async def _open(self) -> tuple[Any, set[str]]:
        self._opened += 1
        try:
            connection = psycopg2.connect(self.dsn, async_=True)
            await _wait(connection)
            for statement in SETUP:
                await self._run(connection, statement, ())
        except BaseException:
            self._opened -= 1
            raise
        return connection, set()

    async def _run(self, connection: Any, sql: str, params: Sequence[Any]) -> Any:
        cursor = connection.cursor()
        cursor.execute(sql, params)
        await _wait(connection)
        return cursor

    async def fetchone(self, name: str, template: str, params: Sequence[Any]) -> Any:
        """Run the statement ``name`` (``template`` with ``{}`` placeholders); its first row."""
        if self._idle.empty() and self._opened < self.size:
            entry = await self._open()
        else:
            entry = await self._idle.get()
        connection, prepared = entry
        try:
            if name not in prepared:
                numbered = template.format(*[f"${i}" for i in range(1, len(params) + 1)])
                await self._run(connection, f"PREPARE {name} AS {numbered}", ())
                prepared.add(name)
            marks = ", ".join(["%s"] * len(params))
            cursor = await self._run(connection, f"EXECUTE {name} ({marks})", params)
            row = cursor.fetchone()
        except BaseException:
            self._opened -= 1
            connection.close()
            raise
        self._idle.put_nowait(entry)
        return row

    def close(self) -> None:
        """Close the connections; call when no check-in is running (after serving)."""
        while not self._idle.empty():
            connection, _ = self._idle.get_nowait()
            connection.close()
            self._opened -= 1
