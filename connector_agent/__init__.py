"""The per-shop LuxeBrain agent: syncs WooCommerce into an event log, learns, serves a local API.

Public API: :func:`load_config`, :class:`Agent` (the composition root), :func:`create_app` (the
local API's Quart factory) and the errors. ``Agent`` and ``create_app`` are imported lazily: most
CLI commands need neither the web stack nor the models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from connector_agent.config import AgentConfig, ConfigError, load_config
from connector_agent.errors import AgentError, StoreError, SyncError, WooCommerceError

if TYPE_CHECKING:
    from connector_agent.agent import Agent
    from connector_agent.api import create_app

__all__ = [
    "Agent",
    "AgentConfig",
    "AgentError",
    "ConfigError",
    "StoreError",
    "SyncError",
    "WooCommerceError",
    "create_app",
    "load_config",
]

_LAZY = {"Agent": "connector_agent.agent", "create_app": "connector_agent.api"}


def __getattr__(name: str) -> Any:
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module 'connector_agent' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
