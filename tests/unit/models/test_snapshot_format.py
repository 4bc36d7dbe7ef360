"""The snapshot byte format: header, checksum and Zstandard of a memo-less pickle, written frame
by frame (see ``online_models.snapshot``); the zlib snapshots of older agents still read."""

from __future__ import annotations

import hashlib
import io
import pickle
import zlib

import pytest

from online_models import Brain, snapshot
from online_models.checks import synthetic_events


def whole_pickle(obj: object) -> bytes:
    """The pickle as the plain definition: all of it at once, memo-less."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(obj)
    return buffer.getvalue()


def zlib_snapshot(obj: object) -> bytes:
    """A snapshot as agents before Zstandard wrote it."""
    body = zlib.compress(whole_pickle(obj), 1)
    return snapshot.ZLIB_MAGIC + hashlib.sha256(body).digest() + body


@pytest.mark.parametrize("n_orders", [0, 5, 300])
def test_frames_compressed_as_written_hold_the_whole_pickle(n_orders: int) -> None:
    brain = Brain(seed=3)
    for event in synthetic_events(n_orders=n_orders, seed=9):
        brain.learn(event)
    data = snapshot.dumps(brain)
    assert data.startswith(snapshot.MAGIC)
    assert snapshot.pickled(data) == whole_pickle(brain)
    assert snapshot.dumps(brain) == data  # equal state, equal bytes
    restored = Brain.restore(data)
    assert snapshot.dumps(restored) == data


def test_a_big_plain_value_round_trips() -> None:
    # larger than a pickle frame, so the compressor sees many writes
    value = {"ids": [f"p{i}" for i in range(200_000)], "blob": bytes(range(256)) * 5000}
    data = snapshot.dumps(value)
    assert snapshot.pickled(data) == whole_pickle(value)
    assert snapshot.loads(data) == value


def test_an_older_agents_zlib_snapshot_still_restores() -> None:
    brain = Brain(seed=3)
    for event in synthetic_events(n_orders=40, seed=9):
        brain.learn(event)
    restored = Brain.restore(zlib_snapshot(brain))
    assert snapshot.dumps(restored) == snapshot.dumps(brain)


def test_a_stream_cut_short_under_a_matching_checksum_is_refused() -> None:
    """Only a writer that checksummed a cut stream could make one: still a clear error."""
    body = snapshot.dumps({"a": list(range(5000))})[len(snapshot.MAGIC) + snapshot.DIGEST :]
    cut = body[: len(body) // 2]
    forged = snapshot.MAGIC + hashlib.sha256(cut).digest() + cut
    with pytest.raises(snapshot.SnapshotError, match="truncated"):
        snapshot.loads(forged)
