"""DeferredWriter: one transaction per flush, batches kept and retried when the store fails."""

from __future__ import annotations

import sqlite3

import pytest

from connector_agent.api.deferred import DeferredWriter
from connector_agent.store import Store


class Notes(DeferredWriter[list[str]]):
    what = "notes"

    def __init__(self, store: Store) -> None:
        super().__init__(store, delay=0.05)
        self.unsaved: list[str] = []
        self.fail = False

    def add(self, note: str) -> None:
        self.unsaved.append(note)
        self.schedule_flush()

    def _take(self) -> list[str]:
        batch, self.unsaved = self.unsaved, []
        return batch

    def _write(self, conn: sqlite3.Connection, batch: list[str]) -> None:
        conn.executemany("INSERT INTO seen_nonces (nonce, seen_at) VALUES (?, 0)",
                         [(n,) for n in batch])
        if self.fail:
            raise sqlite3.OperationalError("disk I/O error")

    def _put_back(self, batch: list[str]) -> None:
        self.unsaved[:0] = batch


def stored(store: Store) -> list[str]:
    return [row[0] for row in store.db.conn.execute("SELECT nonce FROM seen_nonces ORDER BY 1")]


def test_outside_a_loop_each_item_is_written_at_once(fresh_store: Store) -> None:
    notes = Notes(fresh_store)
    notes.add("a")
    assert stored(fresh_store) == ["a"]


async def test_in_a_loop_items_are_batched_until_the_delay(fresh_store: Store) -> None:
    import asyncio

    notes = Notes(fresh_store)
    notes.add("a")
    notes.add("b")
    assert stored(fresh_store) == []
    await asyncio.sleep(0.1)
    assert stored(fresh_store) == ["a", "b"]


def test_a_failed_write_changes_nothing_and_is_retried(
    fresh_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    notes = Notes(fresh_store)
    notes.fail = True
    notes.add("a")
    assert stored(fresh_store) == []
    assert notes.unsaved == ["a"]
    assert "cannot persist notes" in caplog.text
    notes.fail = False
    notes.add("b")
    assert stored(fresh_store) == ["a", "b"]


def test_a_flush_from_another_thread_waits_for_the_one_in_progress(fresh_store: Store) -> None:
    """A graceful stop flushes from its own thread and then closes the store; the loop's timer
    may be writing at that moment. The stop's flush must return only once that write is done,
    or the store is closed under it (which crashed the test process once)."""
    import threading
    import time

    writing, finished = threading.Event(), []

    class Slow(Notes):
        def _write(self, conn: sqlite3.Connection, batch: list[str]) -> None:
            writing.set()
            time.sleep(0.2)
            super()._write(conn, batch)
            finished.append(batch)

    notes = Slow(fresh_store)
    notes.unsaved.append("a")
    timer = threading.Thread(target=notes.flush)  # the loop's timer firing
    timer.start()
    assert writing.wait(5)
    notes.flush()  # the stop's own flush, from this thread
    assert finished == [["a"]]
    timer.join()
    assert stored(fresh_store) == ["a"]
