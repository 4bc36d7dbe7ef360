"""An erased person is in no stored model snapshot and in no byte of the store's files.

DESIGN.md: erasing a customer removes them from every model that holds per-customer state. A
snapshot is such a model on disk; the review found the two newest kept their RFM profile,
history and factors after an erasure (and the ``-wal`` file kept their email).

Snapshots are zstd-compressed, so they are searched decompressed (``snapshot.pickled``) and
decoded with the applier's own loader; the raw files are searched for the email, and for a
piece of each snapshot blob deleted (its pages must be zeroed, not just unlinked).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from connector_agent.applier import Applier, _write_snapshot
from connector_agent.config import AgentConfig, load_config
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from luxebrain.clock import FrozenClock
from online_models import Brain, BrainConfig
from online_models import snapshot as snapshot_format
from online_models.checks import synthetic_events
from online_models.events import Event, version_of

VICTIM = "cust-erased-4242"  # long enough to be found only where it is held
EMAIL = b"victim.secret@example.com"
GUEST_KEY = "guestkey-erased-4242"


@pytest.fixture
def config(config_path: Path) -> AgentConfig:
    return load_config(config_path, environ={})


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "agent.sqlite"


def _victim_events() -> list[Event]:
    """The victim's account and orders (and a guest's), among a small shop's history."""
    at = "2026-03-01T00:00:00Z"
    profile = {"id": VICTIM, "email": EMAIL.decode(), "first_name": "Vicky",
               "last_name": "Secretname", "role": "customer", "created_at": at}
    events = [Event(0, "customer.upserted", VICTIM, version_of(at, profile), at, profile)]
    for n, (customer, guest) in enumerate([(VICTIM, None)] * 3 + [(None, GUEST_KEY)] * 2):
        when = f"2026-03-{n + 2:02d}T00:00:00Z"
        payload = {"id": f"v{n}", "status": "completed", "customer_id": customer,
                   "guest_key": guest, "total": "9.00", "currency": "EUR",
                   "line_items": [{"product_id": f"p{n}", "name": f"Product {n}",
                                   "quantity": 1, "unit_price": "9.00"}]}
        events.append(Event(0, "order.upserted", f"v{n}", version_of(when, payload), when,
                            payload))
    return events


def _stored(store: Store) -> list[bytes]:
    rows = store.db.conn.execute("SELECT data FROM model_snapshots ORDER BY id").fetchall()
    return [bytes(row[0]) for row in rows]


def _holding(store: Store, config: AgentConfig, needle: str) -> list[int]:
    """Indexes of the stored snapshots that hold ``needle``: in their decompressed pickle,
    or known to the segmenter of the brain they decode to."""
    found = []
    for index, data in enumerate(_stored(store)):
        brain = Brain.restore(data, config=BrainConfig(), seed=config.models.seed)
        if needle.encode() in snapshot_format.pickled(data) or brain.segment_of(needle):
            found.append(index)
    return found


def _on_disk(db_path: Path, pieces: list[bytes]) -> list[str]:
    """Which of ``pieces`` the database and ``-wal`` files still hold, as ``file: piece``."""
    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    return [
        f"{path.name}: {piece[:24]!r}"
        for path in files
        if path.exists()
        for piece in pieces
        if piece in path.read_bytes()
    ]


def _blob_pieces(blobs: list[bytes]) -> list[bytes]:
    """A 64-byte piece from the middle of each snapshot blob (past the header)."""
    return [blob[len(blob) // 2 : len(blob) // 2 + 64] for blob in blobs]


def _learned(store: Store, config: AgentConfig, clock: FrozenClock) -> Applier:
    """An applier that has learned the shop and the victim, with two snapshots stored."""
    log = EventLog(store)
    log.append(synthetic_events(n_orders=60, seed=3))
    applier = Applier(store, config, clock=clock)
    applier.load()
    applier.apply_pending()
    applier.snapshot_now()
    log.append(_victim_events())
    applier.apply_pending()
    applier.snapshot_now()
    return applier


def test_an_erasure_while_the_agent_runs_leaves_no_snapshot_or_page_holding_them(
    db_path: Path, config: AgentConfig, frozen_clock: FrozenClock
) -> None:
    store = Store.open(db_path, clock=frozen_clock)
    applier = _learned(store, config, frozen_clock)
    old = _stored(store)
    assert len(old) == 2 and _holding(store, config, VICTIM) == [1]  # the test can see them

    EventLog(store).erase_customer(VICTIM)  # what the API route does
    assert _holding(store, config, VICTIM) == []
    assert _on_disk(db_path, [EMAIL, *_blob_pieces(old)]) == []

    # the applier learns the erasure and stores a snapshot at once (no timer has run out)
    applier.apply_pending()
    assert store.applied_seq() == EventLog(store).last_seq() == applier.applied_seq
    assert _holding(store, config, VICTIM) == []
    assert applier.brain.segment_of(VICTIM) is None
    store.close()
    assert _on_disk(db_path, [EMAIL, *_blob_pieces(old)]) == []


def test_an_erasure_while_the_agent_is_stopped_makes_the_next_start_rebuild_without_them(
    db_path: Path, config: AgentConfig, frozen_clock: FrozenClock
) -> None:
    store = Store.open(db_path, clock=frozen_clock)
    _learned(store, config, frozen_clock)
    old = _stored(store)
    store.close()

    cli = Store.open(db_path, clock=frozen_clock)  # ``luxebrain-agent erase-customer``
    EventLog(cli).erase_customer(VICTIM)
    cli.close()
    assert _on_disk(db_path, [EMAIL, *_blob_pieces(old)]) == []

    store = Store.open(db_path, clock=frozen_clock)
    assert _holding(store, config, VICTIM) == []
    started = Applier(store, config, clock=frozen_clock)
    started.load()
    assert started.applied_seq == 0  # nothing stored to load: rebuilt from the redacted log
    started.apply_pending()
    started.snapshot_now()
    assert store.has_snapshot() and _holding(store, config, VICTIM) == []
    store.close()


def test_a_snapshot_serialised_before_an_erasure_is_not_stored_after_it(
    db_path: Path, config: AgentConfig, frozen_clock: FrozenClock
) -> None:
    """A background snapshot serialises the brain in a worker while an erase commits."""
    store = Store.open(db_path, clock=frozen_clock)
    applier = _learned(store, config, frozen_clock)
    data, mac = applier._sealed(applier.brain, applier.applied_seq)
    EventLog(store).erase_customer(VICTIM)
    _write_snapshot(db_path, frozen_clock, applier.applied_seq, data, mac)
    assert not store.has_snapshot()
    store.close()


def test_erasing_a_guest_drops_the_snapshots_that_hold_them(
    db_path: Path, config: AgentConfig, frozen_clock: FrozenClock
) -> None:
    store = Store.open(db_path, clock=frozen_clock)
    applier = _learned(store, config, frozen_clock)
    assert _holding(store, config, GUEST_KEY) == [1]
    EventLog(store).erase_guest(GUEST_KEY)
    assert _holding(store, config, GUEST_KEY) == []
    applier.apply_pending()
    assert store.has_snapshot() and _holding(store, config, GUEST_KEY) == []
    store.close()


def test_the_store_zeroes_what_it_deletes_and_bounds_its_wal(
    db_path: Path, frozen_clock: FrozenClock
) -> None:
    """Set on every connection, not left to the SQLite build's defaults."""
    store = Store.open(db_path, clock=frozen_clock)
    conn = store.db.conn
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_size_limit").fetchone()[0] > 0
    store.close()


def test_an_erasure_succeeds_when_a_reader_keeps_the_wal_and_says_so(
    db_path: Path, frozen_clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A report reading in a worker thread keeps the WAL: the erasure stands, a warning says
    its old frames go at the next checkpoint, and the event loop waited seconds, not 30."""
    store = Store.open(db_path, clock=frozen_clock)
    EventLog(store).append(_victim_events())
    reader = Store.open(db_path, clock=frozen_clock, migrate=False)
    reader.db.conn.execute("BEGIN")
    reader.db.conn.execute("SELECT COUNT(*) FROM event_log").fetchone()
    EventLog(store).append(synthetic_events(n_orders=5, seed=1))  # the reader's view is old
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="connector_agent.store"):
        EventLog(store).erase_customer(VICTIM)
    assert time.monotonic() - started < 10
    assert "the WAL was not truncated after an erasure (a reader held it)" in caplog.text
    assert store.db["customers"].get(VICTIM)["email"] is None
    reader.db.conn.rollback()
    reader.close()
    assert store.truncate_wal()
    store.close()
