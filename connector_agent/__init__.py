"""The per-shop LuxeBrain agent: syncs WooCommerce into an event log, learns, serves a local API."""

from __future__ import annotations

__all__: list[str] = []
