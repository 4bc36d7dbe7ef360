"""The demo: a local WooCommerce seeded with real orders, and the agent run against it."""

from __future__ import annotations

__all__: list[str] = []
