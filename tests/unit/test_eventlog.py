"""The event log: dedupe, dense seq, stale versions, table projection, erasure, compaction."""

from __future__ import annotations

import random
from typing import Any

from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from online_models.events import Event, delete_version, version_of


def order(order_id: str, modified: str, *, status: str = "completed",
          customer: str | None = "c1", lines: int = 2) -> Event:
    payload: dict[str, Any] = {
        "id": order_id,
        "status": status,
        "customer_id": customer,
        "guest_key": None if customer else "g:abc",
        "currency": "GBP",
        "created_at": "2026-01-01T00:00:00Z",
        "paid_at": None,
        "total": "10.00",
        "line_items": [
            {"product_id": f"p{i}", "variation_id": None, "name": f"P{i}", "category": "",
             "quantity": i + 1, "unit_price": "1.25"}
            for i in range(lines)
        ],
        "refunds": [{"id": "r1", "amount": "2.50", "reason": ""}] if status == "refunded" else [],
    }
    return Event(0, "order.upserted", order_id, version_of(modified, payload), modified, payload)


def customer(customer_id: str, modified: str, email: str) -> Event:
    payload = {"id": customer_id, "email": email, "first_name": "Ada", "last_name": "L",
               "created_at": modified, "role": "customer"}
    return Event(0, "customer.upserted", customer_id, version_of(modified, payload), modified,
                 payload)


def test_append_dedupes_and_assigns_dense_seq(event_log: EventLog) -> None:
    first = order("1", "2026-01-01T00:00:00Z")
    added = event_log.append([first, first, order("2", "2026-01-01T00:00:01Z")])
    assert [e.seq for e in added] == [1, 2]
    assert event_log.append([first]) == []
    assert [e.seq for e in event_log.append([order("3", "2026-01-01T00:00:02Z")])] == [3]
    assert event_log.last_seq() == 3


def test_same_second_change_is_a_new_version(event_log: EventLog) -> None:
    a = order("1", "2026-01-01T00:00:00Z", status="processing")
    b = order("1", "2026-01-01T00:00:00Z", status="completed")
    assert a.version != b.version
    assert len(event_log.append([a, b])) == 2


def test_stale_upsert_is_skipped_and_tables_keep_the_newest(
    event_log: EventLog, fresh_store: Store
) -> None:
    newer = order("1", "2026-01-02T00:00:00Z", status="refunded")
    older = order("1", "2026-01-01T00:00:00Z", status="processing")
    assert len(event_log.append([newer])) == 1
    assert event_log.append([older]) == []
    row = fresh_store.db["orders"].get("1")
    assert row["status"] == "refunded"
    assert [r["amount"] for r in fresh_store.db["refunds"].rows] == ["2.50"]


def test_projection_writes_orders_and_line_items(event_log: EventLog, fresh_store: Store) -> None:
    event_log.append([order("1", "2026-01-01T00:00:00Z", lines=3)])
    lines = list(fresh_store.db["line_items"].rows_where(order_by="position"))
    assert [(line["product_id"], line["quantity"]) for line in lines] == [
        ("p0", 1), ("p1", 2), ("p2", 3)]
    event_log.append([order("1", "2026-01-01T00:01:00Z", lines=1)])
    assert fresh_store.db["line_items"].count == 1
    assert fresh_store.counts() == {"products": 0, "customers": 0, "orders": 1}


def test_delete_marks_row_and_repeated_delete_dedupes(
    event_log: EventLog, fresh_store: Store
) -> None:
    event_log.append([order("1", "2026-01-01T00:00:00Z")])
    version = delete_version(event_log.last_version("order", "1"))
    delete = Event(0, "order.deleted", "1", version, "2026-01-03T00:00:00Z", {"id": "1"})
    assert len(event_log.append([delete, delete])) == 1
    assert fresh_store.counts()["orders"] == 0
    assert event_log.known_keys("order") == set()


def test_erase_customer_redacts_everything_and_stays_erased(
    event_log: EventLog, fresh_store: Store
) -> None:
    event_log.append([customer("c1", "2026-01-01T00:00:00Z", "ada@example.invalid"),
                      order("1", "2026-01-01T00:00:00Z", customer="c1")])
    result = event_log.erase_customer("c1")
    assert result == {"orders": 1, "events_redacted": 2}
    kinds = [e.kind for e in event_log.read()]
    assert kinds[-1] == "customer.erased"
    dump = repr(event_log.read())
    assert "ada@example.invalid" not in dump
    assert all(e.payload.get("customer_id") is None for e in event_log.read()
               if e.kind == "order.upserted")
    assert fresh_store.db["customers"].get("c1")["email"] is None
    # a later sync of the same person arrives redacted
    event_log.append([customer("c1", "2026-02-01T00:00:00Z", "ada@example.invalid"),
                      order("2", "2026-02-01T00:00:00Z", customer="c1")])
    assert "ada@example.invalid" not in repr(event_log.read())
    assert fresh_store.db["orders"].get("2")["customer_id"] is None


def test_erase_guest_unlinks_their_orders_and_stays_erased(
    event_log: EventLog, fresh_store: Store
) -> None:
    event_log.append([order("1", "2026-01-01T00:00:00Z", customer=None),
                      order("2", "2026-01-01T00:00:00Z", customer="c1")])
    assert fresh_store.db["orders"].get("1")["guest_key"] == "g:abc"
    assert event_log.erase_guest("g:abc") == {"orders": 1, "events_redacted": 1}
    assert fresh_store.db["orders"].get("1")["guest_key"] is None
    # the key's one trace is the erasure itself (as in ``erased_guests``): models forget by it
    *orders, erased = event_log.read()
    assert "g:abc" not in repr(orders)
    assert (erased.kind, erased.key, erased.payload) == (
        "customer.erased", "guest:g:abc", {"id": "guest:g:abc"}
    )
    # the customer's order and the guest's lines are untouched: the order stays, anonymous
    assert fresh_store.db["orders"].get("2")["customer_id"] == "c1"
    assert fresh_store.db["line_items"].count_where("order_id = ?", ["1"]) == 2
    # a later sync of the same guest's order arrives redacted, in a new EventLog too
    later = EventLog(fresh_store)
    later.append([order("1", "2026-02-01T00:00:00Z", customer=None, status="refunded")])
    assert fresh_store.db["orders"].get("1")["guest_key"] is None
    assert "g:abc" not in repr(later.read(erased.seq))
    # erasing again is harmless
    assert later.erase_guest("g:abc") == {"orders": 0, "events_redacted": 0}


def test_compact_keeps_the_newest_event_of_every_record(event_log: EventLog) -> None:
    event_log.append([order("1", "2026-01-01T00:00:00Z", status="processing"),
                      order("1", "2026-01-02T00:00:00Z", status="completed"),
                      order("2", "2026-01-01T00:00:00Z")])
    view = Event(0, "view", "uuid-1", "1", "2026-01-01T00:00:00Z",
                 {"session_id": "s", "customer_id": None, "product_id": "p1"})
    event_log.append([view])
    removed = event_log.compact(before="2026-06-01T00:00:00Z", up_to_seq=event_log.last_seq())
    assert removed == 2
    left = [(e.kind, e.key, e.payload.get("status")) for e in event_log.read()]
    assert left == [("order.upserted", "1", "completed"), ("order.upserted", "2", "completed")]


def test_compact_removes_the_same_events_whatever_its_window(frozen_clock) -> None:
    """A big first compaction works through the log a window of seqs per transaction; what it
    removes must not depend on the window."""
    left = []
    for window in (1, 3, 7, 1000):
        log = EventLog(Store.memory(clock=frozen_clock))
        for day in range(1, 9):
            at = f"2026-01-{day:02d}T00:00:00Z"
            log.append([order(str(day % 3), at, status=("processing", "completed")[day % 2]),
                        Event(0, "view", f"v{day}", "1", at, {"session_id": "s",
                              "customer_id": None, "product_id": "p1"})])
        removed = log.compact(before="2026-01-07T00:00:00Z", up_to_seq=log.last_seq() - 2,
                              window=window)
        left.append((removed, [(e.seq, e.kind, e.key) for e in log.read()]))
    assert all(result == left[0] for result in left)
    assert left[0][0] > 0


def test_compact_never_touches_events_after_the_snapshot(event_log: EventLog) -> None:
    event_log.append([order("1", "2026-01-01T00:00:00Z", status="processing"),
                      order("1", "2026-01-02T00:00:00Z", status="completed")])
    assert event_log.compact(before="2027-01-01T00:00:00Z", up_to_seq=0) == 0
    assert event_log.last_seq() == 2


def test_store_file_is_private_and_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(tmp_path / "data" / "s.sqlite")
    try:
        assert (tmp_path / "data" / "s.sqlite").stat().st_mode & 0o777 == 0o600
        assert store.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.migration_status()["pending"] == []
        assert "0001_initial" in store.migration_status()["applied"]
    finally:
        store.close()


def test_cursor_checkpoint_is_atomic_with_the_page(event_log: EventLog, fresh_store: Store) -> None:
    try:
        with fresh_store.transaction():
            event_log.append([order("1", "2026-01-01T00:00:00Z")])
            fresh_store.save_cursor("orders", {"last_id": 1})
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    assert event_log.last_seq() == 0
    assert fresh_store.cursor("orders") == {}
    with fresh_store.transaction():
        event_log.append([order("1", "2026-01-01T00:00:00Z")])
        fresh_store.save_cursor("orders", {"last_id": 1}, success=True)
    assert fresh_store.cursor("orders") == {"last_id": 1}
    assert fresh_store.sync_summary()["orders"]["last_success_at"] == "2026-11-26T12:00:00Z"


def test_restore_seen_before_an_older_delete_brings_the_record_back(
    event_log: EventLog, fresh_store: Store
) -> None:
    restored = order("1", "2026-01-03T00:00:00Z")
    event_log.append([restored])
    # the older trash delivery arrives after the restore's
    stale = Event(0, "order.deleted", "1", delete_version(restored.version),
                  "2026-01-03T00:00:05Z", {"id": "1"})
    event_log.append([stale])
    assert fresh_store.counts()["orders"] == 0
    # the next sync still sees the restored version: the delete was stale
    again = event_log.append([restored])
    assert len(again) == 1 and again[0].version.startswith(restored.version + "~after:")
    assert fresh_store.counts()["orders"] == 1
    assert event_log.append([restored]) == []


def test_a_successful_sync_clears_the_last_error(fresh_store: Store) -> None:
    fresh_store.record_sync_error("orders", "HTTP 500")
    assert fresh_store.sync_summary()["orders"]["last_error"] == "HTTP 500"
    fresh_store.save_cursor("orders", {"page": 2})
    assert fresh_store.sync_summary()["orders"]["last_error"] == "HTTP 500"
    fresh_store.save_cursor("orders", {"page": 3}, success=True)
    assert fresh_store.sync_summary()["orders"]["last_error"] is None


def test_an_event_dated_in_the_future_is_logged_at_the_agents_time(
    event_log: EventLog, caplog
) -> None:  # type: ignore[no-untyped-def]
    now = event_log.store.clock.iso()  # the frozen clock: 2026-11-26T12:00:00Z
    ahead = order("7", "2043-01-01T00:00:00Z")  # a record whose date went wrong
    slightly = order("8", "2026-11-26T12:04:00Z")  # the shop's clock 4 minutes fast: kept
    with caplog.at_level("WARNING"):
        added = event_log.append([ahead, slightly])
    assert [e.occurred_at for e in added] == [now, "2026-11-26T12:04:00Z"]
    assert [e.version for e in added] == [ahead.version, slightly.version]  # the shop's own
    assert event_log.read(0)[0].occurred_at == now
    assert "1 event(s) dated more than 0:05:00 ahead" in caplog.text
    assert "order.upserted 7 dated 2043-01-01T00:00:00Z" in caplog.text
    # the same record seen again dedupes on its version, and warns no more
    caplog.clear()
    assert event_log.append([ahead]) == []
    assert caplog.text == ""


def test_erasing_a_person_searches_the_person_indexes_never_the_whole_log(
    event_log: EventLog, fresh_store: Store
) -> None:
    """An erase runs on the agent's event loop: it must cost what the person's own events do,
    not a JSON parse of every event held (migration 0022)."""
    event_log.append([order(str(n), "2026-01-01T00:00:00Z", customer=f"c{n}") for n in range(30)]
                     + [order("g", "2026-01-01T00:00:00Z", customer=None)])
    conn = fresh_store.db.conn
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        assert event_log.erase_customer("c7")["events_redacted"] == 1
        assert event_log.erase_guest("g:abc")["events_redacted"] == 1
    finally:
        conn.set_trace_callback(None)
    plans = {}
    for sql in statements:
        if sql.startswith("UPDATE event_log") and "json_extract" in sql:
            plans[sql] = " ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
    assert len(plans) == 2
    assert [("event_log_customer" in p, "event_log_guest" in p) for p in plans.values()] == [
        (True, False), (False, True)
    ], plans


def test_an_erasure_through_another_connection_holds_for_a_log_opened_before_it(tmp_path):
    """The running agent's log was opened before ``erase-customer`` / ``erase-guest`` ran in
    another process: a webhook after the erasure must not store the person's data again."""
    path = tmp_path / "agent.sqlite"
    agent = Store.open(path)
    running = EventLog(agent)
    running.append([customer("c1", "2026-01-01T00:00:00Z", "ada@example.invalid"),
                    order("1", "2026-01-01T00:00:00Z", customer=None)])
    cli = Store.open(path)
    EventLog(cli).erase_customer("c1")
    EventLog(cli).erase_guest("g:abc")
    cli.close()
    running.append([customer("c1", "2026-02-01T00:00:00Z", "ada@example.invalid"),
                    order("2", "2026-02-01T00:00:00Z", customer="c1"),
                    order("3", "2026-02-01T00:00:00Z", customer=None)])
    assert agent.db["customers"].get("c1")["email"] is None
    assert agent.db["orders"].get("2")["customer_id"] is None
    assert agent.db["orders"].get("3")["guest_key"] is None
    assert "ada@example.invalid" not in repr(running.read(3))
    assert "g:abc" not in repr([e for e in running.read(3) if e.kind == "order.upserted"])
    agent.close()


KINDS = ("order.upserted", "order.deleted", "product.upserted", "product.deleted",
         "customer.upserted", "customer.deleted", "customer.erased",
         "view", "add_to_cart", "rec_impression", "rec_click")
BROWSING = {"view", "add_to_cart", "rec_impression", "rec_click"}


def _raw_log(store: Store, rows: list[tuple[str, str, str]]) -> None:
    """Rows ``(kind, key, occurred_at)`` straight into the log, as a long history left them."""
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO event_log (kind, key, version, occurred_at, payload, appended_at) "
            "VALUES (?, ?, ?, ?, '{}', 'x')",
            [(kind, key, f"v{n}", at) for n, (kind, key, at) in enumerate(rows)],
        )


def _removed_by_hand(rows: list[tuple[int, str, str, str]], before: str, up_to: int) -> set[int]:
    """The seqs compaction removes, by its definition: among ``seq <= up_to`` older than
    ``before``, browsing events and every event with a newer one of its key and kind family
    (the kind up to and including its dot)."""
    newest: dict[tuple[str, str], int] = {}
    for seq, kind, key, _ in rows:
        family = (key, kind[: kind.find(".") + 1])
        newest[family] = max(newest.get(family, 0), seq)
    removed = set()
    for seq, kind, key, at in rows:
        if seq > up_to or at >= before:
            continue
        if kind in BROWSING or seq < newest[(key, kind[: kind.find(".") + 1])]:
            removed.add(seq)
    return removed


def test_compact_removes_what_its_definition_says_on_random_logs(frozen_clock) -> None:
    rng = random.Random(7)
    for _ in range(25):
        store = Store.memory(clock=frozen_clock)
        log = EventLog(store)
        _raw_log(store, [(rng.choice(KINDS), str(rng.randrange(6)),
                          f"2026-01-{rng.randrange(1, 29):02d}T00:00:00Z")
                         for _ in range(rng.randrange(1, 300))])
        for _ in range(2):  # and once more on what the first left
            held = store.db.conn.execute(
                "SELECT seq, kind, key, occurred_at FROM event_log").fetchall()
            before = f"2026-01-{rng.randrange(1, 30):02d}T00:00:00Z"
            up_to = rng.randrange(0, len(held) * 2 + 2)
            expected = _removed_by_hand(held, before, up_to)
            removed = log.compact(before=before, up_to_seq=up_to, window=rng.randrange(1, 400))
            left = {seq for (seq,) in store.db.conn.execute("SELECT seq FROM event_log")}
            assert (removed, left) == (len(expected), {row[0] for row in held} - expected)
        store.close()


def _compaction_steps(versions: int, frozen_clock) -> int:
    """SQLite VM steps (in thousands) that compacting ``versions`` versions of one record
    costs: a measure of work that does not depend on the machine's speed."""
    store = Store.memory(clock=frozen_clock)
    _raw_log(store, [("product.upserted", "123", "2026-01-01T00:00:00Z")] * versions)
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    store.db.conn.set_progress_handler(count, 1000)
    removed = EventLog(store).compact(before="2026-06-01T00:00:00Z", up_to_seq=versions)
    store.close()
    assert removed == versions - 1
    return steps[0]


def test_compaction_work_grows_linearly_with_the_versions_of_a_record(frozen_clock) -> None:
    """A best-seller's stock changes give one record thousands of versions; finding a newer
    version once per event must be an index seek, or the work (and the write lock it holds)
    grows with their square: 20,000 versions took three minutes and webhooks failed."""
    small, large = (_compaction_steps(n, frozen_clock) for n in (500, 2000))
    assert large < 6 * small, (small, large)
