"""The applier feeds the event log to the brain exactly once, checkpoints, and refuses bad
snapshots (rebuilding from the log instead)."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading

import pytest

from connector_agent import applier as applier_module
from connector_agent.agent import Agent
from connector_agent.applier import Applier
from connector_agent.config import load_config
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from online_models import Brain, BrainConfig
from online_models.checks import brain_answers, synthetic_events


@pytest.fixture
def events():
    return synthetic_events(n_orders=80, seed=3)


@pytest.fixture
def config(config_path):
    return load_config(config_path, environ={"LUXEBRAIN_MODELS__SNAPSHOT_EVERY_EVENTS": "25"})


@pytest.fixture
def store(tmp_path, frozen_clock):
    store = Store.open(tmp_path / "agent.sqlite", clock=frozen_clock)
    yield store
    store.close()


@pytest.fixture
def logged(store, events):
    """The events as the log holds them (with seq)."""
    return EventLog(store).append(events)


def reference(config, logged) -> Brain:
    brain = Brain(seed=config.models.seed)
    for event in logged:
        brain.learn(event)
    return brain


def snapshotted(store, config, clock) -> Applier:
    """An applier that has applied the whole log and written a snapshot of it."""
    applier = Applier(store, config, clock=clock)
    applier.load()
    applier.apply_pending()
    applier.snapshot_now()
    return applier


def test_applies_every_event_once_in_seq_order(store, config, logged, frozen_clock):
    applier = Applier(store, config, clock=frozen_clock)
    applier.load()
    assert applier.apply_pending() == len(logged)
    assert applier.applied_seq == logged[-1].seq
    assert applier.apply_pending() == 0
    assert brain_answers(applier.brain) == brain_answers(reference(config, logged))


def test_max_events_bounds_one_call(store, config, logged, frozen_clock):
    applier = Applier(store, config, clock=frozen_clock)
    applier.load()
    assert applier.apply_pending(max_events=10) == 10
    assert applier.applied_seq == logged[9].seq


def test_snapshots_every_n_events_with_their_seq(store, config, logged, frozen_clock):
    applier = Applier(store, config, clock=frozen_clock)
    applier.load()
    applier.apply_pending()
    seq = store.applied_seq()
    assert seq > 0 and seq % 25 == 0 and seq <= logged[-1].seq


def test_snapshots_after_t_seconds(store, config, logged, frozen_clock):
    applier = Applier(store, config, clock=frozen_clock)
    applier.load()
    applier.apply_pending(max_events=3)
    assert store.latest_snapshot() is None
    frozen_clock.advance(config.models.snapshot_every_seconds + 1)
    applier.apply_pending(max_events=1)
    assert store.applied_seq() == logged[3].seq


def test_restart_loads_snapshot_and_replays_tail(store, config, logged, frozen_clock):
    first = Applier(store, config, clock=frozen_clock)
    first.load()
    first.apply_pending()
    snapshot_seq = store.applied_seq()
    assert snapshot_seq < logged[-1].seq  # a tail is left to replay

    second = Applier(store, config, clock=frozen_clock)
    second.load()
    assert second.applied_seq == snapshot_seq
    assert second.apply_pending() == logged[-1].seq - snapshot_seq
    assert brain_answers(second.brain) == brain_answers(reference(config, logged))


def _corrupt(store: Store, change) -> None:
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT id, data FROM model_snapshots ORDER BY id DESC LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE model_snapshots SET data = ? WHERE id = ?", [change(row[1]), row[0]])


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:100] + bytes([data[100] ^ 1]) + data[101:], id="tampered"),
    ],
)
def test_bad_snapshot_is_refused_and_models_rebuilt(
    store, config, logged, frozen_clock, caplog, change
):
    snapshotted(store, config, frozen_clock)
    _corrupt(store, change)

    second = Applier(store, config, clock=frozen_clock)
    with caplog.at_level(logging.ERROR, logger="connector_agent.applier"):
        brain = second.load()
    assert second.applied_seq == 0
    assert brain.stats()["catalogue_products"] == 0  # nothing was loaded
    assert "snapshot refused" in caplog.text and "integrity" in caplog.text
    second.apply_pending()
    assert brain_answers(second.brain) == brain_answers(reference(config, logged))


def test_snapshot_under_another_key_is_refused(store, config, logged, frozen_clock, config_path):
    snapshotted(store, config, frozen_clock)
    other = load_config(config_path, environ={"LUXEBRAIN_SECRETS__SNAPSHOT_KEY": "x" * 64})
    second = Applier(store, other, clock=frozen_clock)
    second.load()
    assert second.applied_seq == 0 and second.rebuilt_reason


def test_snapshot_of_an_older_model_version_is_refused_and_rebuilt(
    store, config, logged, frozen_clock, caplog, monkeypatch
):
    first = snapshotted(store, config, frozen_clock)
    written = first.brain.state_version
    monkeypatch.setattr("online_models.brain.STATE_VERSION", 99)  # an upgraded agent

    second = Applier(store, config, clock=frozen_clock)
    with caplog.at_level(logging.ERROR, logger="connector_agent.applier"):
        second.load()
    assert second.applied_seq == 0
    assert f"model state version {written}, this agent reads version 99" in caplog.text
    second.apply_pending()
    assert second.brain.state_version == 99
    assert brain_answers(second.brain) == brain_answers(reference(config, logged))


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        ({"LUXEBRAIN_MODELS__SEED": "7"}, "learned with seed 42, this agent uses 7"),
        ({}, "learned with other model settings (history_candidates)"),
    ],
)
def test_a_snapshot_learned_with_other_settings_is_refused_and_rebuilt(
    store, config, config_path, logged, frozen_clock, caplog, changed, message
):
    first = Applier(store, config, clock=frozen_clock)
    first.load()
    if not changed:  # models of an agent whose defaults were different (an upgrade changed them)
        first.brain = Brain(BrainConfig(history_candidates=7), seed=config.models.seed)
    first.apply_pending()
    first.snapshot_now()

    second = Applier(store, load_config(config_path, environ=changed), clock=frozen_clock)
    with caplog.at_level(logging.ERROR, logger="connector_agent.applier"):
        second.load()
    assert second.applied_seq == 0
    assert message in caplog.text
    second.apply_pending()
    assert second.brain.seed == second.config.models.seed
    assert brain_answers(second.brain) == brain_answers(
        reference(second.config, logged)
    )


async def run_while_appending(applier: Applier, store, events) -> list:
    """Run the applier, append ``events`` and wake it; stop once it has learned them (or after
    two seconds). The events as logged."""
    stop = asyncio.Event()
    task = asyncio.create_task(applier.run(stop))
    logged = EventLog(store).append(events)
    applier.wake()
    for _ in range(200):
        if applier.applied_seq == logged[-1].seq:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await task
    return logged


async def test_run_learns_appended_events_until_stopped(store, config, events, frozen_clock):
    applier = Applier(store, config, clock=frozen_clock)
    applier.load()
    logged = await run_while_appending(applier, store, events[:40])
    assert applier.applied_seq == logged[-1].seq
    assert brain_answers(applier.brain) == brain_answers(reference(config, logged))


def test_a_snapshot_after_many_events_freezes_the_grown_models(
    store, config, logged, frozen_clock
):
    """The heap is settled (see connector_agent.heap) once the models grew by a snapshot's worth
    of events: a later full collection then skips them instead of stalling a query."""
    gc.unfreeze()
    try:
        applier = Applier(store, config, clock=frozen_clock)
        applier.load()
        every = config.models.snapshot_every_events
        applier.apply_pending(max_events=every - 1)
        assert gc.get_freeze_count() == 0
        assert any(o is applier.brain for o in gc.get_objects())
        applier.apply_pending(max_events=1)  # the snapshot is due: written, then settled
        assert store.applied_seq() == applier.applied_seq
        assert gc.get_freeze_count() > 0
        assert not any(o is applier.brain for o in gc.get_objects())
    finally:
        gc.unfreeze()


async def test_queries_are_answered_while_a_snapshot_is_serialised_and_stored(
    store, config, logged, frozen_clock, monkeypatch
):
    """``run`` serialises a due snapshot and stores it in worker threads: each step here waits
    until the event loop has answered a query, so it would time out if it held the loop."""
    applier = Applier(store, config, clock=frozen_clock)
    applier.load()
    applier.apply_pending(snapshot=False)
    serialised, stored = threading.Event(), threading.Event()
    serialise, write = Brain.snapshot, applier_module._write_snapshot

    def snapshot_after_a_query(brain: Brain) -> bytes:
        assert serialised.wait(timeout=20), "serialising the snapshot held the event loop"
        return serialise(brain)

    def write_after_a_query(*args: object) -> None:
        assert stored.wait(timeout=20), "storing the snapshot held the event loop"
        write(*args)

    monkeypatch.setattr(Brain, "snapshot", snapshot_after_a_query)
    monkeypatch.setattr(applier_module, "_write_snapshot", write_after_a_query)
    writing = asyncio.create_task(applier.snapshot_off_loop())
    answers = []
    for step in (serialised, stored):
        await asyncio.sleep(0.01)
        assert not writing.done()
        answers.append(brain_answers(applier.brain))  # on the loop, mid-snapshot
        step.set()
    await writing
    assert store.applied_seq() == applier.applied_seq == logged[-1].seq
    monkeypatch.setattr(Brain, "snapshot", serialise)
    restarted = Applier(store, config, clock=frozen_clock)
    restarted.load()
    assert restarted.applied_seq == logged[-1].seq
    assert brain_answers(restarted.brain) == answers[0] == answers[1]
    assert answers[0] == brain_answers(reference(config, logged))


async def test_a_background_snapshot_that_fails_is_written_on_the_loop(
    store, config, logged, frozen_clock, monkeypatch, caplog
):
    applier = Applier(store, config, clock=frozen_clock)
    applier.load()
    applier.apply_pending(snapshot=False)
    serialise = Brain.snapshot
    threads: list[str] = []

    def fails_in_a_worker(brain: Brain) -> bytes:
        threads.append(threading.current_thread().name)
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("dictionary changed size during iteration")
        return serialise(brain)

    monkeypatch.setattr(Brain, "snapshot", fails_in_a_worker)
    with caplog.at_level(logging.ERROR):
        await applier.snapshot_off_loop()
    assert len(threads) == 2 and threads[1] == threading.main_thread().name
    assert "writing it on the loop" in caplog.text
    assert store.applied_seq() == logged[-1].seq


async def test_a_due_compaction_runs_beside_the_loop_after_a_background_snapshot(
    store, config, logged, frozen_clock, monkeypatch
):
    """An hour on, the log is compacted after the snapshot in a worker thread of its own: the
    compaction here waits for a query on the loop, so it would time out if it held the loop."""
    applier = Applier(store, config, clock=frozen_clock)
    applier.load()
    applier.apply_pending(snapshot=False)
    frozen_clock.advance(applier_module.COMPACT_EVERY_SECONDS)
    answered = threading.Event()
    compact = applier_module._compact_log

    def compact_after_a_query(*args: object) -> None:
        assert answered.wait(timeout=20), "compacting the log held the event loop"
        compact(*args)

    monkeypatch.setattr(applier_module, "_compact_log", compact_after_a_query)
    before = EventLog(store).count_by_kind()
    writing = asyncio.create_task(applier.snapshot_off_loop())
    while store.applied_seq() != logged[-1].seq:  # the snapshot is stored first
        await asyncio.sleep(0.01)
    assert not writing.done()
    answer = brain_answers(applier.brain)  # on the loop, mid-compaction
    answered.set()
    await writing
    after = EventLog(store).count_by_kind()
    assert before.get("view", 0) > 0 and "view" not in after  # months old: compacted
    assert after["order.upserted"] < before["order.upserted"]  # older versions of orders
    restarted = Applier(store, config, clock=frozen_clock)
    restarted.load()
    assert brain_answers(restarted.brain) == answer


async def test_a_snapshot_already_holding_the_applied_seq_is_not_written_again(
    store, config, logged, frozen_clock
):
    def rows() -> list[int]:
        return [r[0] for r in store.db.conn.execute("SELECT applied_seq FROM model_snapshots")]

    fresh = Applier(store, config, clock=frozen_clock)
    fresh.load()
    fresh.snapshot_now()  # nothing learned yet, but no snapshot either: seq 0 is written
    assert rows() == [0]
    fresh.apply_pending(snapshot=False)
    fresh.snapshot_now()
    assert rows() == [0, logged[-1].seq]
    fresh.snapshot_now()
    await fresh.snapshot_off_loop()
    assert rows() == [0, logged[-1].seq]


async def test_a_refused_snapshot_is_replaced_even_when_the_rebuild_ends_at_its_seq(
    store, config, logged, frozen_clock, config_path
):
    """Rotated key (or a new model version): the rebuild learns exactly the stored seq. Its
    snapshot must still be written, or every later start refuses the old one and rebuilds."""
    snapshotted(store, config, frozen_clock)
    rotated = load_config(config_path, environ={"LUXEBRAIN_SECRETS__SNAPSHOT_KEY": "r" * 64})
    refused = Applier(store, rotated, clock=frozen_clock)
    refused.load()
    assert refused.rebuilt_reason is not None
    refused.apply_pending(snapshot=False)
    assert refused.applied_seq == store.applied_seq() == logged[-1].seq
    frozen_clock.advance(3600)
    await refused.snapshot_off_loop()  # what run() does when one is due
    for start in range(2):
        restarted = Applier(store, rotated, clock=frozen_clock)
        restarted.load()
        assert restarted.rebuilt_reason is None, f"start {start} refused the snapshot again"
        assert restarted.applied_seq == logged[-1].seq
        restarted.snapshot_now()  # what Agent.stop() does


def test_a_row_this_version_cannot_read_is_logged_and_skipped_not_fatal(
    store, config, events, frozen_clock, caplog
):
    """A kind a newer agent wrote before a downgrade: reading the log raised outside the
    per-event guard, so the applier task died without a word, learning stopped for good and
    stop() raised before the checkpoint."""
    log = EventLog(store)
    before = log.append(events[:30])
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO event_log (kind, key, version, occurred_at, payload, appended_at) "
            "VALUES ('order.refunded_v2', 'o1', 'v1', '2024-01-01T00:00:00Z', '{}', "
            "'2024-01-01T00:00:00Z')"
        )
    after = log.append(events[30:60])
    applier = Applier(store, config, clock=frozen_clock)
    applier.load()
    with caplog.at_level(logging.ERROR):
        applier.apply_pending()
    assert applier.applied_seq == after[-1].seq and applier.failed_events == 1
    assert any("cannot be read by this version" in r.getMessage() for r in caplog.records)
    assert brain_answers(applier.brain) == brain_answers(reference(config, before + after))


async def test_an_unexpected_error_in_a_slice_is_logged_and_learning_goes_on(
    store, config, events, frozen_clock, monkeypatch, caplog
):
    """Only store errors were caught: any other one ended the applier task without a word."""
    monkeypatch.setattr(applier_module, "STORE_RETRY_SECONDS", 0.01)
    applier = Applier(store, config, clock=frozen_clock)
    applier.load()
    real, failures = applier.apply_pending, [RuntimeError("a bug")]

    def fails_once(*args, **kwargs):
        if failures:
            raise failures.pop()
        return real(*args, **kwargs)

    monkeypatch.setattr(applier, "apply_pending", fails_once)
    with caplog.at_level(logging.ERROR):
        logged = await run_while_appending(applier, store, events[:20])
    assert applier.applied_seq == logged[-1].seq
    assert any("applying events failed" in r.getMessage() for r in caplog.records)


async def test_an_applier_that_ended_with_an_error_still_checkpoints_at_stop(
    config_path, events, frozen_clock, monkeypatch, caplog
):
    """stop() awaited the applier task and re-raised its error, before the checkpoint: what
    was learned since the last snapshot was not saved."""
    agent = Agent(load_config(config_path, environ={}), clock=frozen_clock)
    try:
        logged = agent.log.append(events[:20])
        agent.applier.load()
        agent.applier.apply_pending(snapshot=False)

        async def ends_with_a_bug(stop: asyncio.Event) -> None:
            raise RuntimeError("a bug")

        monkeypatch.setattr(agent.applier, "run", ends_with_a_bug)
        await agent.start()
        with caplog.at_level(logging.ERROR):
            await agent.stop()
        assert any("ended with an error" in r.getMessage() for r in caplog.records)
        assert agent.store.applied_seq() == logged[-1].seq
    finally:
        agent.close()
