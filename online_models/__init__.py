"""LuxeBrain's learning core: pure online models (River) behind the ``Brain`` facade.

No I/O, no SQL, no HTTP, no wall clock: models learn from contract events (``events.py``), answer
queries, and snapshot to bytes.

The public names are imported lazily (PEP 562): the event contract is imported by every agent
command, and loading River for it would add seconds to each CLI start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from online_models.brain import Brain
    from online_models.config import BrainConfig
    from online_models.recommend import SOURCES, Recommendation
    from online_models.snapshot import SnapshotError

__all__ = ["SOURCES", "Brain", "BrainConfig", "Recommendation", "SnapshotError"]

_HOMES = {
    "Brain": "online_models.brain",
    "BrainConfig": "online_models.config",
    "SOURCES": "online_models.recommend",
    "Recommendation": "online_models.recommend",
    "SnapshotError": "online_models.snapshot",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'online_models' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
