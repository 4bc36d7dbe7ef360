"""The per-shop LuxeBrain agent: sync WooCommerce into an event log, learn online, serve a local API."""

from __future__ import annotations

__all__: list[str] = []
