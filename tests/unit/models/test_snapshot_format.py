"""The snapshot byte format: header, checksum and zlib of a memo-less pickle, written frame by
frame (see ``online_models.snapshot``)."""

from __future__ import annotations

import hashlib
import io
import pickle
import zlib

import pytest

from online_models import Brain, snapshot
from online_models.checks import synthetic_events


def whole_then_compressed(obj: object) -> bytes:
    """The format as the plain definition: pickle it all, then compress it in one call."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(obj)
    body = zlib.compress(buffer.getvalue(), 1)
    return snapshot.MAGIC + hashlib.sha256(body).digest() + body


@pytest.mark.parametrize("n_orders", [0, 5, 300])
def test_frames_compressed_as_written_give_the_bytes_of_the_whole(n_orders: int) -> None:
    brain = Brain(seed=3)
    for event in synthetic_events(n_orders=n_orders, seed=9):
        brain.learn(event)
    data = snapshot.dumps(brain)
    assert data == whole_then_compressed(brain)
    restored = Brain.restore(data)
    assert snapshot.dumps(restored) == data


def test_a_big_plain_value_round_trips() -> None:
    # larger than a pickle frame, so the compressor sees many writes
    value = {"ids": [f"p{i}" for i in range(200_000)], "blob": bytes(range(256)) * 5000}
    data = snapshot.dumps(value)
    assert data == whole_then_compressed(value)
    assert snapshot.loads(data) == value
