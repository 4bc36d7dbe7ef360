"""The agent's side of the vendor cloud beyond licences: usage reports and cross-store fallbacks."""

from __future__ import annotations
