"""Snapshot bytes: a versioned header, a checksum and a compressed pickle that may only name known
classes.

The body is Zstandard (level 1) since ``LXBRAIN2``: on the UCI year's brain (32 MB of pickle)
it compresses in 0.12 s to 8.8 MB where zlib level 1 took 0.40 s for 10.0 MB, and decompresses
in half zlib's time, so a snapshot is written in about half the time. ``LXBRAIN1`` snapshots
(zlib) written by an older agent are still read: an upgrade replays nothing.

Integrity against tampering is the applier's job (HMAC with the agent's key); this layer makes a
truncated or garbage snapshot fail with :class:`SnapshotError` instead of a crash, and refuses to
unpickle anything but the model classes and the plain types they are made of.
"""

from __future__ import annotations

import gc
import hashlib
import io
import pickle
import zlib
from typing import Any

import zstandard

__all__ = ["SnapshotError", "dumps", "loads", "pickled", "restricted_loads"]

MAGIC = b"LXBRAIN2"
#: the header of snapshots whose body is zlib (read, never written)
ZLIB_MAGIC = b"LXBRAIN1"
DIGEST = 32
#: Zstandard's fastest standard level: the snapshot is written often, read once per start
ZSTD_LEVEL = 1

_ALLOWED_MODULES = ("online_models.", "river.")
_ALLOWED_EXACT = {
    ("builtins", "set"),
    ("builtins", "tuple"),
    ("builtins", "list"),
    ("builtins", "dict"),
    ("builtins", "float"),
    ("builtins", "int"),
    ("builtins", "frozenset"),
    ("builtins", "slice"),
    ("builtins", "complex"),
    ("builtins", "getattr"),
    ("collections", "defaultdict"),
    ("collections", "deque"),
    ("collections", "OrderedDict"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
    ("functools", "partial"),
    ("random", "Random"),
}


class SnapshotError(ValueError):
    """Bytes that are not a complete snapshot of this format (truncated, garbage, foreign)."""

    code = "snapshot_invalid"


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.startswith(_ALLOWED_MODULES) or (module, name) in _ALLOWED_EXACT:
            return super().find_class(module, name)
        raise SnapshotError(f"snapshot names a forbidden class {module}.{name}")


def restricted_loads(raw: bytes) -> Any:
    """Unpickle bytes that may only name the allowed classes.

    The cyclic garbage collector is paused meanwhile: a snapshot creates a million acyclic
    objects, and collections triggered by their allocation would rescan all of them again and
    again (this alone halves restore time)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _Unpickler(io.BytesIO(raw)).load()
    finally:
        if paused:
            gc.enable()


class _Compressing:
    """The pickler's file: each frame is compressed as it is written.

    No raw copy of the snapshot is ever held (three times the compressed size, twice over with
    ``BytesIO.getvalue``), and since ``write`` is Python, a worker thread that pickles a brain
    gives the GIL up at every frame: the event loop beside it waits ~7 ms at worst instead of
    ~65 ms (full UCI year). Zstandard compresses with the GIL released.
    """

    def __init__(self) -> None:
        self._compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL).compressobj()
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(self._compressor.compress(data))
        return len(data)

    def finish(self) -> bytes:
        self._parts.append(self._compressor.flush())
        return b"".join(self._parts)


def dumps(obj: object) -> bytes:
    """Header + sha256 + zstd(pickle): equal state gives equal bytes.

    The pickler runs without a memo ("fast" mode): bytes then depend on values only, never on
    which equal strings happen to be one object (that differs between a model and its restored
    copy). Model state therefore holds no shared or cyclic objects.
    """
    sink = _Compressing()
    pickler = pickle.Pickler(sink, protocol=5)
    pickler.fast = True
    pickler.dump(obj)
    body = sink.finish()
    return MAGIC + hashlib.sha256(body).digest() + body


def pickled(data: bytes) -> bytes:
    """The pickle inside a snapshot (header and checksum checked); :class:`SnapshotError` on
    anything that is not a whole snapshot."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise SnapshotError("a snapshot must be bytes")
    data = bytes(data)
    if data.startswith(MAGIC):
        decompress = _unzstd
    elif data.startswith(ZLIB_MAGIC):
        decompress = zlib.decompress
    else:
        raise SnapshotError("not a LuxeBrain snapshot (bad header)")
    digest, body = data[len(MAGIC) : len(MAGIC) + DIGEST], data[len(MAGIC) + DIGEST :]
    if hashlib.sha256(body).digest() != digest:
        raise SnapshotError("snapshot is truncated or corrupted (checksum mismatch)")
    try:
        return decompress(body)
    except SnapshotError:
        raise
    except Exception as exc:  # a checksummed body that still fails is a foreign writer
        raise SnapshotError(f"snapshot cannot be read: {type(exc).__name__}") from exc


def _unzstd(body: bytes) -> bytes:
    # a streamed frame does not say its size up front: decompress as a stream
    reader = zstandard.ZstdDecompressor().decompressobj()
    raw = reader.decompress(body)
    if not reader.eof:
        raise SnapshotError("snapshot is truncated (the compressed stream does not end)")
    return raw


def loads(data: bytes) -> Any:
    """The object of :func:`dumps`; :class:`SnapshotError` on anything else."""
    raw = pickled(data)
    try:
        return restricted_loads(raw)
    except SnapshotError:
        raise
    except Exception as exc:  # a checksummed body that still fails is a foreign writer
        raise SnapshotError(f"snapshot cannot be read: {type(exc).__name__}") from exc
