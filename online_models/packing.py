"""Compact snapshot form of the big ``{product id: numbers}`` maps.

Unpickling hundreds of thousands of small str and float objects is what makes a restore slow;
a map stored as one joined string of keys plus one ``array('d')`` of values comes back with two
C-level loops. Keys that contain the separator (never seen in practice) keep the plain form.

>>> packed = pack_floats({"a": 1.5, "b": 2.0})
>>> unpack_floats(packed)
{'a': 1.5, 'b': 2.0}
>>> unpack_rows(pack_rows({"p": [1.0, 2.0, 3.0]}), 3)
{'p': [1.0, 2.0, 3.0]}
>>> unpack_baskets(pack_baskets([("tea", "cup"), ("jam",)]))
[('tea', 'cup'), ('jam',)]
>>> odd = [("a" + SEP + "b", "cup")]  # an id holding a separator: kept as the plain list
>>> pack_baskets(odd) is odd
True
"""

from __future__ import annotations

from array import array
from typing import Any

__all__ = [
    "pack_baskets",
    "pack_floats",
    "pack_rows",
    "unpack_baskets",
    "unpack_floats",
    "unpack_rows",
]

SEP = "\x1f"
#: between two baskets of :func:`pack_baskets` (``SEP`` separates the ids within one)
BASKET_SEP = "\x1e"


def _keys(mapping: dict[str, Any]) -> str | None:
    joined = SEP.join(mapping)
    return joined if joined.count(SEP) == len(mapping) - 1 or not mapping else None


def pack_floats(mapping: dict[str, float]) -> Any:
    keys = _keys(mapping)
    if keys is None:
        return mapping
    return (keys, array("d", mapping.values()).tobytes())


def unpack_floats(packed: Any) -> dict[str, float]:
    if isinstance(packed, dict):
        return packed
    keys, raw = packed
    if not keys:
        return {}
    values = array("d")
    values.frombytes(raw)
    return dict(zip(keys.split(SEP), values, strict=True))


def pack_rows(mapping: dict[str, list[float]]) -> Any:
    """``{key: [floats]}`` with rows of one width, packed the same way."""
    keys = _keys(mapping)
    if keys is None:
        return mapping
    flat = array("d")
    for row in mapping.values():
        flat.extend(row)
    return (keys, flat.tobytes())


def unpack_rows(packed: Any, width: int) -> dict[str, list[float]]:
    if isinstance(packed, dict):
        return packed
    keys, raw = packed
    if not keys:
        return {}
    flat = array("d")
    flat.frombytes(raw)
    values = flat.tolist()
    return {key: values[i * width : (i + 1) * width] for i, key in enumerate(keys.split(SEP))}


def pack_baskets(baskets: list[tuple[str, ...]]) -> Any:
    """A list of non-empty tuples of ids as one joined string (the plain list if an id holds a
    separator)."""
    joined = BASKET_SEP.join(SEP.join(basket) for basket in baskets)
    ids = sum(len(basket) for basket in baskets)
    separators = joined.count(SEP) + joined.count(BASKET_SEP)
    if separators != ids - 1 and baskets:
        return baskets
    return joined


def unpack_baskets(packed: Any) -> list[tuple[str, ...]]:
    if isinstance(packed, list):
        return packed
    if not packed:
        return []
    return [tuple(basket.split(SEP)) for basket in packed.split(BASKET_SEP)]
