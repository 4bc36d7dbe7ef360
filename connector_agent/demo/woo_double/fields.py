"""``_fields``: WordPress's response field filter, including nested paths (``a.b``)."""

from __future__ import annotations

from typing import Any


def parse_fields(raw: str | None) -> dict[str, Any] | None:
    """``"id,environment.version"`` → ``{"id": True, "environment": {"version": True}}``."""
    if not raw:
        return None
    tree: dict[str, Any] = {}
    for path in (part.strip() for part in raw.split(",")):
        if not path:
            continue
        node = tree
        *parents, leaf = path.split(".")
        for name in parents:
            child = node.get(name)
            if child is True:
                break
            node = node.setdefault(name, {})
        else:
            node[leaf] = True
    return tree or None


def wants(tree: dict[str, Any] | None, key: str) -> bool:
    """Whether a top-level key survives the filter (to skip building what is dropped)."""
    return tree is None or key in tree


def apply_fields(value: Any, tree: dict[str, Any] | None) -> Any:
    """Keep only the requested keys, in the object's own order (``_links`` only if asked)."""
    if tree is None or not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        sub = tree.get(key)
        if sub is True:
            out[key] = item
        elif isinstance(sub, dict):
            out[key] = apply_fields(item, sub)
    return out
