"""Primitives shared by the agent and the cloud: the one error shape and the one clock.

Nothing here learns, stores or serves; ``online_models`` never imports it (it has no I/O and
no wall clock: time comes from events).
"""

from __future__ import annotations

from luxebrain.clock import Clock, FrozenClock, SystemClock
from luxebrain.errors import LuxeBrainError, error_body

__all__ = ["Clock", "FrozenClock", "LuxeBrainError", "SystemClock", "error_body"]
