"""LuxeBrain's learning core: pure online models (River) behind the ``Brain`` facade.

No I/O, no SQL, no HTTP, no wall clock: models learn from contract events (``events.py``), answer
queries, and snapshot to bytes.
"""

from online_models.brain import Brain
from online_models.config import BrainConfig
from online_models.recommend import SOURCES, Recommendation
from online_models.snapshot import SnapshotError

__all__ = ["SOURCES", "Brain", "BrainConfig", "Recommendation", "SnapshotError"]
