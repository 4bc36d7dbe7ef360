"""Snapshot bytes: a versioned header, a checksum and a pickle that may only name known classes.

Integrity against tampering is the applier's job (HMAC with the agent's key); this layer makes a
truncated or garbage snapshot fail with :class:`SnapshotError` instead of a crash, and refuses to
unpickle anything but the model classes and the plain types they are made of.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import zlib
from typing import Any

__all__ = ["SnapshotError", "dumps", "loads"]

MAGIC = b"LXBRAIN1"
DIGEST = 32

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
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.random._pickle", "__randomstate_ctor"),
    ("numpy.random._pickle", "__bit_generator_ctor"),
    ("numpy.random._pickle", "__generator_ctor"),
    ("numpy.random.mtrand", "RandomState"),
    ("numpy.random._mt19937", "MT19937"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.random._pcg64", "PCG64"),
}


class SnapshotError(ValueError):
    """Bytes that are not a complete snapshot of this format (truncated, garbage, foreign)."""

    code = "snapshot_invalid"


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.startswith(_ALLOWED_MODULES) or (module, name) in _ALLOWED_EXACT:
            return super().find_class(module, name)
        raise SnapshotError(f"snapshot names a forbidden class {module}.{name}")


def dumps(obj: object) -> bytes:
    """Header + sha256 + zlib(pickle): deterministic for equal state."""
    body = zlib.compress(pickle.dumps(obj, protocol=5), 1)
    return MAGIC + hashlib.sha256(body).digest() + body


def loads(data: bytes) -> Any:
    """The object of :func:`dumps`; :class:`SnapshotError` on anything else."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise SnapshotError("a snapshot must be bytes")
    data = bytes(data)
    if not data.startswith(MAGIC):
        raise SnapshotError("not a LuxeBrain snapshot (bad header)")
    digest, body = data[len(MAGIC) : len(MAGIC) + DIGEST], data[len(MAGIC) + DIGEST :]
    if hashlib.sha256(body).digest() != digest:
        raise SnapshotError("snapshot is truncated or corrupted (checksum mismatch)")
    try:
        return _Unpickler(io.BytesIO(zlib.decompress(body))).load()
    except SnapshotError:
        raise
    except Exception as exc:  # a checksummed body that still fails is a foreign writer
        raise SnapshotError(f"snapshot cannot be read: {type(exc).__name__}") from exc
